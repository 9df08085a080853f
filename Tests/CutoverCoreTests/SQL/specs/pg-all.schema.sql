CREATE TABLE customers (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email      text NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE pricing (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    plan_code       text NOT NULL,
    amount          integer NOT NULL,
    interval_months integer NOT NULL DEFAULT 1,
    note            varchar(100),
    legacy          text,
    label           text NOT NULL,
    remark          text,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE subscriptions (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id bigint NOT NULL,
    pricing_id  bigint NOT NULL REFERENCES pricing (id),
    started_at  timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE legacy_audit (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, msg text NOT NULL);
CREATE INDEX pricing_amount_idx ON pricing (amount) WHERE amount > 0;
CREATE INDEX subscriptions_started_idx ON subscriptions (started_at);
