-- The starter's base schema: the tables the migration changes, as they are before it (plain DDL,
-- e.g. from `mysqldump --no-data`). validate checks every change against it; verify and rehearse
-- load it into their throwaway database. Replace it with your own.
CREATE TABLE users (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    email VARCHAR(255) NOT NULL,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    UNIQUE KEY users_email_key (email)
) ENGINE=InnoDB;
