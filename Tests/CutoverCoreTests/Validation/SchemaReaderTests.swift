@testable import CutoverPlan
@testable import CutoverSpec
import Foundation
import Testing

@Suite struct SchemaReaderTests {
    func read(_ text: String, _ engine: MigrationSpec.Engine = .postgresql) -> (DatabaseSchema, [Diagnostic]) {
        var bag = DiagnosticBag(file: "t.yaml")
        let schema = SchemaReader(engine: engine).read(text, reportingAt: SourceLocation(line: 9, column: 13), diagnostics: &bag)
        return (schema, bag.diagnostics)
    }

    @Test func readsPostgresTablesWithImplicitNames() throws {
        let (schema, notes) = read("""
            -- comment; with a semicolon
            /* block /* nested; */ still comment */
            CREATE TABLE IF NOT EXISTS public."Customers" (
                id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                Email      text NOT NULL UNIQUE,
                region     character varying(32) DEFAULT 'eu' NOT NULL,
                amount     numeric(12, 2) CHECK (amount >= 0),
                created_at timestamp with time zone NOT NULL DEFAULT now(),
                tags       text[],
                parent_id  bigint REFERENCES "Customers" (id) ON DELETE SET NULL,
                CONSTRAINT customers_region_ck CHECK (region <> ''),
                UNIQUE (region, amount),
                FOREIGN KEY (parent_id) REFERENCES "Customers",
                CHECK (amount < 1000000),
                CHECK (amount > 0 OR region <> '')
            );
            CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS customers_lower_email ON ONLY "Customers" USING btree (lower(email)) WHERE region IS NOT NULL;
            CREATE INDEX ON "Customers" (region);
            CREATE INDEX ON "Customers" (lower(region));
            ALTER TABLE ONLY public."Customers" ADD CONSTRAINT customers_amount_positive CHECK (amount > 0);
            CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $body$ SELECT 1; $body$;
            """)
        let table = try #require(schema.table("Customers"))
        #expect(table.columns.map(\.name) == ["id", "email", "region", "amount", "created_at", "tags", "parent_id"])
        #expect(table.primaryKey == ["id"])
        #expect(table.column("id")?.isIdentity == true)
        #expect(table.column("email")?.nullable == false)
        #expect(table.column("region")?.type == "character varying(32)")
        #expect(table.column("region")?.defaultValue == "'eu'")
        #expect(table.column("amount")?.type == "numeric(12,2)")
        #expect(table.column("created_at")?.type == "timestamp with time zone")
        #expect(table.column("created_at")?.defaultValue == "now()")
        #expect(table.column("tags")?.type == "text[]")
        #expect(table.column("parent_id")?.nullable == true)
        let names = Set(schema.constraints.map(\.name))
        // The names PostgreSQL 15 gives these (checked against a server).
        #expect(names == ["Customers_pkey", "Customers_email_key", "Customers_amount_check", "Customers_parent_id_fkey",
                          "Customers_parent_id_fkey1", "Customers_amount_check1", "Customers_check",
                          "customers_region_ck", "Customers_region_amount_key", "customers_amount_positive"])
        #expect(schema.indexes.map(\.name) == ["customers_lower_email", "Customers_region_idx", "Customers_lower_idx"])
        #expect(schema.indexes.first?.predicate == "region IS NOT NULL")
        #expect(schema.indexes.first?.unique == true)
        #expect(schema.indexes.first?.method == "btree")
        #expect(notes.map(\.rule) == [.schemaStatementSkipped])
        #expect(notes.first?.message.contains("CREATE FUNCTION (line 21: routines are not checked)") == true)
        #expect(notes.first?.location == SourceLocation(line: 9, column: 13))
    }

    @Test func readsMySQLTablesWithImplicitNames() throws {
        let (schema, notes) = read("""
            /*!40101 SET NAMES utf8mb4 */;
            DROP TABLE IF EXISTS `orders`;
            CREATE TABLE `orders` (
              `id` BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
              `Cust_Id` BIGINT NOT NULL,
              `note` VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NULL COMMENT 'free; text',
              status ENUM('new','paid') NOT NULL DEFAULT 'new',
              updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
              PRIMARY KEY (`id`),
              UNIQUE KEY (`note`(20)),
              KEY `orders_cust_idx` (`Cust_Id`) USING BTREE,
              INDEX (status),
              FOREIGN KEY (`Cust_Id`) REFERENCES customers (id),
              CONSTRAINT CHECK (status <> '')
            ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
            # a MySQL comment
            ALTER TABLE orders ADD CONSTRAINT orders_cust_fk FOREIGN KEY (Cust_Id) REFERENCES customers (id), ADD INDEX (note);
            """, .mysql)
        let table = try #require(schema.table("orders"))
        #expect(table.columns.map(\.name) == ["id", "Cust_Id", "note", "status", "updated_at"])
        #expect(table.column("id")?.isIdentity == true)
        #expect(table.column("id")?.type == "BIGINT UNSIGNED")
        #expect(table.column("note")?.type == "VARCHAR(255)")
        #expect(table.column("status")?.defaultValue == "'new'")
        #expect(table.column("updated_at")?.defaultValue == "CURRENT_TIMESTAMP")
        #expect(table.primaryKey == ["id"])
        #expect(Set(schema.constraints.map(\.name)) == ["PRIMARY", "note", "orders_ibfk_1", "orders_chk_1", "orders_cust_fk"])
        #expect(schema.indexes.map(\.name) == ["orders_cust_idx", "status", "note_2"])
        #expect(notes.isEmpty)
    }

    @Test func pgImplicitNamesAreTruncatedLikePostgres() {
        let long = String(repeating: "t", count: 40)
        let name = ImplicitNames.postgres(long, [String(repeating: "c", count: 40)], "key")
        #expect(name.utf8.count == 63)
        #expect(name == String(repeating: "t", count: 29) + "_" + String(repeating: "c", count: 29) + "_key")
    }

    // Labelled, so the test output names each input instead of printing up to 20,000 lines of it.
    @Test(arguments: [
        LabeledText("100k open parentheses", "CREATE TABLE t (" + String(repeating: "(", count: 100_000)),
        LabeledText("100k comment openers", String(repeating: "/*", count: 100_000)),
        LabeledText("unterminated quote", "CREATE TABLE t (a text DEFAULT 'unterminated"),
        LabeledText("unterminated dollar quote", "CREATE TABLE t (a int, b $$ never closed"),
        LabeledText("20k CREATE INDEX lines", String(repeating: "CREATE INDEX ON t (a);\n", count: 20_000)),
        LabeledText("20k UNIQUE columns", "CREATE TABLE t (" + String(repeating: "a int UNIQUE, ", count: 20_000) + "b int);"),
        LabeledText("20k broken ALTERs", String(repeating: "ALTER TABLE x ADD ;", count: 20_000)),
        LabeledText("control characters", "\u{0}\u{1}\u{FFFD} CREATE TABLE"),
        LabeledText("200k-character identifier", "CREATE TABLE \"" + String(repeating: "q", count: 200_000)),
    ])
    func survivesHostileText(_ input: LabeledText) {
        let text = input.text
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            _ = read(text)
            _ = read(text, .mysql)
        }
        #expect(elapsed < .seconds(5))
    }

    /// An index whose keys are more than names keeps its key list and INCLUDE/WITH as dumped, and a
    /// deferrable foreign key keeps DEFERRABLE with its actions, so a down rebuilds them exactly.
    @Test func keepsIndexKeyListsAndDeferrableKeys() throws {
        let (schema, _) = read("""
            CREATE TABLE public.members (id bigint PRIMARY KEY, email text, created_at timestamptz,
                parent_id bigint REFERENCES public.members(id) ON UPDATE CASCADE DEFERRABLE INITIALLY DEFERRED);
            CREATE INDEX members_lower_idx ON public.members USING btree (lower(email) text_pattern_ops);
            CREATE INDEX members_created_idx ON public.members USING btree (created_at DESC NULLS LAST) INCLUDE (email) WITH (fillfactor='80') WHERE (email IS NOT NULL);
            CREATE INDEX members_email_idx ON public.members USING btree (email);
            """)
        let lower = try #require(schema.indexes.first { $0.name == "members_lower_idx" })
        #expect(lower.keyList == "lower(email) text_pattern_ops" && lower.options == "")
        let created = try #require(schema.indexes.first { $0.name == "members_created_idx" })
        #expect(created.keyList == "created_at DESC NULLS LAST")
        #expect(created.options == " INCLUDE (email) WITH (fillfactor='80')")
        let plain = try #require(schema.indexes.first { $0.name == "members_email_idx" })
        #expect(plain.keyList == nil && plain.options == "")
        let key = try #require(schema.constraints.first { $0.kind == .foreignKey })
        #expect(key.actions == "ON UPDATE CASCADE DEFERRABLE INITIALLY DEFERRED")

        let (mysql, _) = read("CREATE TABLE `m` (`id` bigint NOT NULL, `email` varchar(200), `at` datetime,\n"
                              + "  PRIMARY KEY (`id`), KEY `m_at_idx` (`at` DESC,`email`(20)), KEY `m_e_idx` (`email`)) ENGINE=InnoDB;\n", .mysql)
        #expect(mysql.indexes.first { $0.name == "m_at_idx" }?.keyList == "`at` DESC,`email`(20)")
        #expect(mysql.indexes.first { $0.name == "m_e_idx" }?.keyList == nil)
    }
}
