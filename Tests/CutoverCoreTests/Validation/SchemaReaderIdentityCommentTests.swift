@testable import CutoverPlan
@testable import CutoverSpec
import Foundation
import Testing

/// What setReplicaIdentity, setComment and addPrimaryKey need from a dump: the replica identity pg_dump
/// writes as `ALTER TABLE ONLY … REPLICA IDENTITY …`, comments (`COMMENT ON …` lines of pg_dump, the
/// `COMMENT '…'` of mysqldump on columns and tables, kept as their literals), and DEFERRABLE unique
/// constraints, read without a CUT046 note.
@Suite struct SchemaReaderIdentityCommentTests {
    func read(_ text: String, _ engine: MigrationSpec.Engine) -> (DatabaseSchema, [Diagnostic]) {
        var bag = DiagnosticBag(file: "t.yaml")
        let schema = SchemaReader(engine: engine).read(text, reportingAt: SourceLocation(line: 9, column: 13), diagnostics: &bag)
        return (schema, bag.diagnostics)
    }

    @Test func readsPgDumpReplicaIdentityAndComments() throws {
        let (schema, notes) = read("""
            SET standard_conforming_strings = on;
            CREATE TABLE public.accounts (
                id bigint NOT NULL,
                email text NOT NULL
            );
            ALTER TABLE ONLY public.accounts REPLICA IDENTITY FULL;
            COMMENT ON TABLE public.accounts IS 'Customer accounts, it''s \\ here';
            COMMENT ON COLUMN public.accounts.email IS 'lower-cased';
            CREATE TABLE sales.orders (id bigint NOT NULL, ref text NOT NULL);
            ALTER TABLE ONLY sales.orders ADD CONSTRAINT orders_ref_key UNIQUE (ref) DEFERRABLE INITIALLY DEFERRED;
            CREATE UNIQUE INDEX orders_id_key ON sales.orders USING btree (id);
            ALTER TABLE ONLY sales.orders REPLICA IDENTITY USING INDEX orders_id_key;
            COMMENT ON COLUMN sales.orders.ref IS 'was set';
            COMMENT ON COLUMN sales.orders.ref IS NULL;
            COMMENT ON TABLE public.unknown IS 'not a table here';

            """, .postgresql)
        #expect(notes.isEmpty, "\(notes.map(\.message))")
        let accounts = try #require(schema.table("accounts"))
        #expect(accounts.replicaIdentity == .full)
        #expect(accounts.comment == "'Customer accounts, it''s \\ here'")
        #expect(accounts.column("email")?.comment == "'lower-cased'")
        #expect(accounts.column("id")?.comment == nil)
        let orders = try #require(schema.table("sales.orders"))
        #expect(orders.replicaIdentity == .index("orders_id_key"))
        #expect(orders.column("ref")?.comment == nil)
        #expect(schema.constraints.first { $0.name == "orders_ref_key" }?.deferrable == true)
    }

    @Test func readsMySQLTableAndColumnComments() throws {
        let (schema, _) = read("""
            CREATE TABLE `accounts` (
              `id` bigint(20) NOT NULL AUTO_INCREMENT,
              `name` varchar(100) DEFAULT NULL COMMENT 'display name, it''s \\\\ typed',
              PRIMARY KEY (`id`)
            ) ENGINE=InnoDB DEFAULT CHARSET=latin1 COMMENT='Customer accounts';
            CREATE TABLE `plain` (`id` int NOT NULL) ENGINE=InnoDB;

            """, .mysql)
        let accounts = try #require(schema.table("accounts"))
        #expect(accounts.comment == "'Customer accounts'")
        #expect(accounts.column("name")?.comment == "'display name, it''s \\\\ typed'")
        #expect(accounts.replicaIdentity == .primaryKey)
        #expect(schema.table("plain")?.comment == nil)
    }

    /// A down writes the comment back as the dump wrote it; a PostgreSQL literal with a backslash becomes
    /// an `E'…'` one (a lone backslash in `'…'` is a psql meta-command when standard_conforming_strings is off).
    @Test func commentLiteralsAreSafeOnEachEngine() {
        let pg = SQLNames(engine: .postgresql), my = SQLNames(engine: .mysql)
        #expect(SetComment.literal("it's", pg) == "'it''s'")
        #expect(SetComment.literal("a \\' b", pg) == "E'a \\\\'' b'")
        #expect(SetComment.literal("a \\' b", my) == "'a \\\\'' b'")
        #expect(SetComment.rewritten("'x \\ y'", pg) == "E'x \\\\ y'")
        #expect(SetComment.rewritten("'it''s'", pg) == "'it''s'")
    }
}
