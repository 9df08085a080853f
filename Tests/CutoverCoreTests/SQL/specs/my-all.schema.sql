CREATE TABLE customers (
    id         BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    email      VARCHAR(255) NOT NULL,
    UNIQUE KEY customers_email_uq (email)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE TABLE orders (
    id         BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    cust_id    BIGINT NOT NULL,
    note       VARCHAR(255) NULL,
    code       VARCHAR(16) NULL,
    total      INT NOT NULL,
    qty        INT NOT NULL DEFAULT 1,
    label      VARCHAR(40) NOT NULL,
    remark     VARCHAR(40) NULL,
    legacy     VARCHAR(40) NULL,
    status     VARCHAR(10) NOT NULL DEFAULT 'new',
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    KEY orders_total_idx (total),
    KEY orders_created_idx (created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE TABLE legacy_audit (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, msg VARCHAR(255) NOT NULL) ENGINE=InnoDB;
