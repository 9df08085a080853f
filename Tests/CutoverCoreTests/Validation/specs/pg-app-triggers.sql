-- BackfillTriggerTests: tables with the kinds of triggers an application has.
CREATE TABLE customers (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    nickname text,
    last_update timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE orders (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    total integer NOT NULL,
    note varchar(40)
);
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.last_update := now();
    RETURN NEW;
END $$;
CREATE FUNCTION audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
CREATE TRIGGER customers_touch BEFORE UPDATE ON customers FOR EACH ROW EXECUTE FUNCTION touch();
CREATE TRIGGER orders_total_guard BEFORE UPDATE OF total ON orders FOR EACH ROW EXECUTE FUNCTION audit();
CREATE TRIGGER orders_audit AFTER UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION audit();
CREATE TRIGGER orders_stamp BEFORE UPDATE ON orders FOR EACH STATEMENT EXECUTE FUNCTION audit();
CREATE TRIGGER orders_row BEFORE INSERT OR UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION audit();
