-- Hand-written (not pg_dump): the default has no cast, so the server stores 'basic'::character varying.
CREATE TABLE plans (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tier character varying(16) DEFAULT 'basic' NOT NULL
);
