@testable import CutoverPlan
@testable import CutoverSpec
import Foundation
import Testing

/// The reader on what pg_dump and mariadb-dump really emit: the corpus in fixtures/corpus (real dumps of
/// public sample schemas, see PROVENANCE) and small pieces of dump syntax.
@Suite struct RealSchemaReaderTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../../fixtures/corpus").standardized

    func read(_ text: String, _ engine: MigrationSpec.Engine = .postgresql) -> (DatabaseSchema, [Diagnostic]) {
        var bag = DiagnosticBag(file: "t.yaml")
        let schema = SchemaReader(engine: engine).read(text, reportingAt: SourceLocation(line: 1, column: 1), diagnostics: &bag)
        return (schema, bag.diagnostics)
    }

    func corpusFile(_ name: String) throws -> String {
        try String(contentsOf: Self.corpus.appendingPathComponent(name), encoding: .utf8)
    }

    /// `pg_dump --clean --if-exists` (as Rails' structure.sql of e.g. getlago/lago-api writes it) opens
    /// with a DROP … IF EXISTS for every object, keys first, before any table exists: no-ops on the
    /// schema as the file builds it, not statements the reader failed on (lago's 533 kB dump: 532 of
    /// them were reported unread, CUT046).
    @Test func cleanIfExistsPreludeIsANoOp() throws {
        let (schema, notes) = read("""
            ALTER TABLE IF EXISTS ONLY public.orders DROP CONSTRAINT IF EXISTS fk_rails_fe8af6535c;
            ALTER TABLE IF EXISTS ONLY public.orders DROP CONSTRAINT IF EXISTS orders_pkey;
            DROP INDEX IF EXISTS public.index_orders_on_customer_id;
            DROP TABLE IF EXISTS public.orders;
            DROP TABLE IF EXISTS public.customers;
            DROP TYPE IF EXISTS public.order_status;
            DROP EXTENSION IF EXISTS pgcrypto;
            CREATE TABLE public.customers (id uuid NOT NULL);
            CREATE TABLE public.orders (id uuid NOT NULL, customer_id uuid);
            ALTER TABLE ONLY public.customers ADD CONSTRAINT customers_pkey PRIMARY KEY (id);
            ALTER TABLE ONLY public.orders ADD CONSTRAINT orders_pkey PRIMARY KEY (id);
            ALTER TABLE IF EXISTS ONLY public.orders ADD CONSTRAINT fk_rails_fe8af6535c FOREIGN KEY (customer_id) REFERENCES public.customers(id);
            ALTER TABLE IF EXISTS ONLY public.missing ADD COLUMN x int;
            """)
        #expect(notes.isEmpty, "\(notes.map(\.message))")
        #expect(schema.table("orders")?.primaryKey == ["id"])
        #expect(schema.constraints.contains { $0.name == "fk_rails_fe8af6535c" && $0.table == "orders" && $0.referencedTable == "customers" })
    }

    @Test func pagilaDumpReadsViewsTriggersAndPartitions() throws {
        let (schema, notes) = read(try corpusFile("pagila.pg_dump15.sql"))
        #expect(schema.tables.count == 70)
        let payment = try #require(schema.table("payment"))
        #expect(payment.partitioned)
        #expect(payment.primaryKey == ["payment_date", "payment_id"])
        #expect(schema.partitions(of: "payment").count == 55)
        #expect(schema.partitions(of: "payment").first?.name == "payment_p2022_01")
        #expect(schema.table("payment_p2022_01")?.primaryKey.isEmpty == false)
        let views = schema.dependents.views
        #expect(views.map(\.name) == ["actor_info", "customer_list", "film_list", "nicer_but_slower_film_list",
                                      "rental_by_category", "sales_by_film_category", "sales_by_store", "staff_list"])
        #expect(views.first { $0.name == "rental_by_category" }?.materialized == true)
        #expect(schema.dependents.views(using: "phone", of: "address", mysql: false).map(\.name) == ["customer_list", "staff_list"])
        #expect(schema.dependents.views(using: "length", of: "film", mysql: false).map(\.name).contains("film_list"))
        let fulltext = try #require(schema.dependents.triggers.first { $0.name == "film_fulltext_trigger" })
        #expect(fulltext.columns.contains(.init(table: "film", column: "title")))
        #expect(fulltext.columns.contains(.init(table: "film", column: "fulltext")))
        #expect(schema.dependents.triggers.count == 15)
        #expect(schema.enumType("mpaa_rating")?.labels == ["G", "PG", "PG-13", "R", "NC-17"])
        // One note, listing what was ignored by kind, in order of first line.
        #expect(notes.count == 1)
        let message = notes.first?.message ?? ""
        #expect(message.hasPrefix("schema: "))
        #expect(message.contains("CREATE DOMAIN (lines 32, 52"))
        #expect(!message.contains("CREATE TYPE (line 39"))  // the mpaa_rating enum is read (SchemaReader+Enums)
        #expect(!message.contains("'CREATE") && !message.contains("'ALTER"))  // nothing unknown: every statement understood or ignored by kind
    }

    @Test func sakilaDumpReadsExecutableCommentsDelimitersAndTriggers() throws {
        let (schema, notes) = read(try corpusFile("sakila.mariadb-dump10.11.sql"), .mysql)
        #expect(schema.tables.count == 16)
        #expect(schema.dependents.views.map(\.name) == ["actor_info", "customer_list", "film_list", "nicer_but_slower_film_list",
                                                        "sales_by_film_category", "sales_by_store", "staff_list"])
        // The stand-in views mariadb-dump creates first are replaced by the real ones.
        #expect(schema.dependents.view("customer_list")?.relations.contains("address") == true)
        #expect(schema.dependents.triggers.map(\.name).sorted() == ["del_film", "ins_film", "upd_film"])
        let updFilm = try #require(schema.dependents.triggers.first { $0.name == "upd_film" })
        #expect(updFilm.table == "film")
        #expect(updFilm.columns.contains(.init(table: "film", column: "description")))
        #expect(updFilm.columns.contains(.init(table: "film", column: "film_id")))
        #expect(notes.count == 1)
        #expect(notes.first?.message.contains("CREATE FUNCTION (lines") == true)
    }

    @Test func mysqlExecutableCommentsAreCodeUpToMySQL8() throws {
        let (schema, notes) = read("""
            CREATE TABLE t (id INT PRIMARY KEY, a INT, b INT, c INT) ENGINE=InnoDB /*!50100 PARTITION BY HASH (id) */;
            /*!80000 CREATE INDEX t_a ON t (a) */;
            /*!90000 CREATE INDEX t_b ON t (b) */;
            /*M!100100 CREATE INDEX t_c ON t (c) */;
            /*! CREATE INDEX t_ac ON t (a, c) */;
            """, .mysql)
        #expect(schema.indexes.map(\.name) == ["t_a", "t_ac"])
        #expect(schema.table("t")?.partitioned == true)
        #expect(notes.isEmpty)
    }

    @Test func qualifiedNamesKeepTheirSchema() throws {
        let (schema, _) = read("""
            SELECT pg_catalog.set_config('search_path', '', false);
            CREATE TABLE public.orders (id bigint PRIMARY KEY);
            CREATE TABLE archive.orders (id bigint, note text);
            CREATE INDEX orders_note ON archive.orders (note);
            """)
        #expect(schema.table("orders")?.columns.map(\.name) == ["id"])
        #expect(schema.table("archive.orders")?.columns.map(\.name) == ["id", "note"])
        #expect(schema.indexes.first?.table == "archive.orders")
    }

    /// pg_dump qualifies every table a view reads: `s01.customer` is that schema's table, so a view over
    /// it is no user of `public.customer`'s columns (a drop of one of those is not refused for it).
    @Test func aViewOverAnotherSchemasTableDoesNotUseThePublicOne() throws {
        let (schema, _) = read("""
            SELECT pg_catalog.set_config('search_path', '', false);
            CREATE TABLE public.customer (id bigint PRIMARY KEY, email text);
            CREATE TABLE s01.customer (id bigint PRIMARY KEY, email text);
            CREATE VIEW public.mailing AS SELECT customer.email FROM public.customer;
            CREATE VIEW s01.mailing AS SELECT customer.email FROM s01.customer;
            CREATE VIEW s01.mailing_count AS SELECT count(*) FROM s01.mailing;
            """)
        #expect(schema.dependents.views(using: "email", of: "customer", mysql: false).map(\.name) == ["mailing"])
        #expect(schema.dependents.views(using: "email", of: "s01.customer", mysql: false).map(\.name) == ["s01.mailing", "s01.mailing_count"])
    }

    /// `SchemaReader.focus` (what `validate` passes: the tables the changes name) works out the columns
    /// of only the views and triggers that can name them; every answer about those tables is the same
    /// as without a focus, on every dump of the corpus.
    @Test func aFocusedReadAnswersTheSameForTheFocusedTables() throws {
        let dumps = try FileManager.default.contentsOfDirectory(atPath: Self.corpus.path).filter { $0.hasSuffix(".sql") }.sorted()
        #expect(dumps.count >= 8)
        for dump in dumps {
            let engine: MigrationSpec.Engine = dump.contains("mariadb") || dump.contains("mysql") ? .mysql : .postgresql
            let text = try corpusFile(dump)
            let full = SchemaReader(engine: engine).read(text)
            let viewed = Set(full.dependents.views.flatMap(\.relations) + full.dependents.triggers.map(\.table))
            for table in full.tables.map(\.name) where viewed.contains(table) {
                let focused = SchemaReader(engine: engine, focus: [table]).read(text)
                #expect(focused.dependents.views.map(\.name) == full.dependents.views.map(\.name))
                for column in full.table(table)?.columns.map(\.name) ?? [] {
                    let mysql = engine == .mysql
                    #expect(focused.dependents.views(using: column, of: table, mysql: mysql).map(\.name)
                            == full.dependents.views(using: column, of: table, mysql: mysql).map(\.name), "\(dump) \(table).\(column)")
                    #expect(focused.dependents.triggers(using: column, of: table, mysql: mysql).map(\.name)
                            == full.dependents.triggers(using: column, of: table, mysql: mysql).map(\.name), "\(dump) \(table).\(column)")
                }
            }
        }
        // And the focus does leave views out: pagila's actor_info reads no customer table.
        let pagila = SchemaReader(engine: .postgresql, focus: ["customer"]).read(try corpusFile("pagila.pg_dump15.sql"))
        #expect(pagila.dependents.view("actor_info")?.relations.isEmpty == true)
        #expect(pagila.dependents.view("customer_list")?.relations.contains("customer") == true)
    }

    /// `DEFAULT NULL` (mysqldump writes it on every nullable column) is no default: neither server keeps
    /// one, so a rename must not plan a step that moves it (verify fails an up that changes nothing).
    @Test func aNullDefaultIsNoDefault() throws {
        let (mysql, _) = read("""
            CREATE TABLE `nas` (`id` int NOT NULL, `community` varchar(50) DEFAULT NULL, `kind` varchar(9) DEFAULT 'other',
              `n` int DEFAULT (NULL), PRIMARY KEY (`id`));
            ALTER TABLE `nas` ALTER COLUMN `kind` SET DEFAULT NULL;
            """, .mysql)
        #expect(mysql.table("nas")?.columns.map(\.defaultValue) == [nil, nil, nil, nil])
        let (postgres, _) = read("CREATE TABLE t (a text DEFAULT NULL::text, b text DEFAULT NULLIF('x', 'y'), c int DEFAULT NULL + 1);")
        #expect(postgres.table("t")?.columns.map(\.defaultValue) == [nil, "NULLIF('x', 'y')", "NULL + 1"])
    }

    @Test func partitionOfTakesTheParentsColumnsAndKey() throws {
        let (schema, notes) = read("""
            CREATE TABLE m (id bigint, at date, v int, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
            CREATE TABLE m_2024 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
            """)
        #expect(schema.table("m")?.partitioned == true)
        #expect(schema.table("m_2024")?.partitionOf == "m")
        #expect(schema.table("m_2024")?.primaryKey == ["id", "at"])
        #expect(schema.table("m_2024")?.columns.map(\.name) == ["id", "at", "v"])
        #expect(notes.isEmpty)
    }

    @Test func aKeyAddedToTheParentLaterReachesItsPartitions() throws {
        let (schema, _) = read("""
            CREATE TABLE m (id bigint NOT NULL, at date NOT NULL) PARTITION BY RANGE (at);
            CREATE TABLE m_2024 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
            CREATE TABLE m_rest (id bigint NOT NULL, at date NOT NULL);
            ALTER TABLE ONLY m ATTACH PARTITION m_rest DEFAULT;
            ALTER TABLE m ADD PRIMARY KEY (id, at);
            """)
        #expect(schema.table("m_2024")?.primaryKey == ["id", "at"])
        #expect(schema.table("m_rest")?.primaryKey == ["id", "at"])
    }

    @Test func generatedColumnsKeepTheirExpression() throws {
        let (pg, _) = read("CREATE TABLE t (a int, b int GENERATED ALWAYS AS ((a * 2)) STORED, id bigint GENERATED BY DEFAULT AS IDENTITY (START WITH 10));")
        #expect(pg.table("t")?.column("b")?.generated == "(a * 2)")
        #expect(pg.table("t")?.column("id")?.generated == nil)
        #expect(pg.table("t")?.column("id")?.isIdentity == true)
        let (my, _) = read("CREATE TABLE t (a INT, b INT AS (a + 1) VIRTUAL, c INT GENERATED ALWAYS AS (a - 1) STORED);", .mysql)
        #expect(my.table("t")?.column("b")?.generated == "a + 1")
        #expect(my.table("t")?.column("c")?.generated == "a - 1")
    }

    @Test func aRenameOfAColumnAGeneratedColumnUsesIsRefused() throws {
        let spec = SemanticRuleTests().spec("""
                - renameColumn:
                    table: pricing
                    from: amount
                    to: amount_cents
            """)
        let schema = "CREATE TABLE pricing (id bigint PRIMARY KEY, amount integer NOT NULL, doubled integer GENERATED ALWAYS AS (amount * 2) STORED);"
        let found = try ValidationHarness.check(spec, files: ["schema.sql": schema])
        #expect(found.contains { $0.rule == .dependentBreaks && $0.message.contains("generated column 'pricing.doubled'") }, "\(found.map(\.message))")
    }

    @Test func anIndexAnExecutableCommentCreatesIsKnownToValidate() throws {
        let spec = SemanticRuleTests().spec("""
                - dropIndex:
                    name: pricing_amount_ec
                    table: pricing
                - dropIndex:
                    name: pricing_amount_mariadb
                    table: pricing
            """, engine: "mysql")
        let schema = """
            CREATE TABLE pricing (id BIGINT PRIMARY KEY, amount INT NOT NULL);
            /*!50705 CREATE INDEX pricing_amount_ec ON pricing (amount) */;
            /*M!100500 CREATE INDEX pricing_amount_mariadb ON pricing (amount, id) */;
            """
        let found = try ValidationHarness.check(spec, files: ["schema.sql": schema]).filter { $0.severity == .error }
        // MySQL 8 runs the first comment and ignores MariaDB's: only the second index is unknown.
        #expect(found.map(\.rule) == [.unknownIndexOrConstraint], "\(found.map(\.message))")
        #expect(found.first?.message.contains("pricing_amount_mariadb") == true)
    }

    @Test func partitionIndexesAttachedToTheParentsAreKnownByName() throws {
        let text = try String(contentsOf: Self.corpus.appendingPathComponent("../valid/pg-dependents.schema.sql").standardized, encoding: .utf8)
        let (schema, notes) = read(text)
        let parent = try #require(schema.indexes.first { $0.name == "measurements_taken_idx" })
        #expect(parent.attached.map(\.index) == ["measurements_2025_taken_at_idx", "measurements_2026_taken_at_idx", "measurements_rest_taken_at_idx"])
        #expect(parent.attached.map(\.table) == ["measurements_2025", "measurements_2026", "measurements_rest"])
        #expect(notes.isEmpty)
    }

    @Test func delimiterOnlyCountsAtTheStartOfAStatement() throws {
        let (schema, _) = read("""
            CREATE TABLE t (
            delimiter VARCHAR(4),
            id INT PRIMARY KEY
            );
            """, .mysql)
        #expect(schema.table("t")?.columns.map(\.name) == ["delimiter", "id"])
    }

    @Test func mysqlForeignKeyWithoutAnIndexGetsTheServersImplicitOne() throws {
        let (schema, _) = read("""
            CREATE TABLE customers (id INT PRIMARY KEY);
            CREATE TABLE orders (
              id INT PRIMARY KEY,
              customer_id INT NOT NULL,
              region_id INT,
              KEY orders_region (region_id, id),
              CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id),
              CONSTRAINT orders_region_fk FOREIGN KEY (region_id) REFERENCES customers (id)
            );
            """, .mysql)
        let implicit = schema.indexes.filter(\.implicit)
        #expect(implicit.map(\.name) == ["orders_customer_fk"])
        #expect(implicit.first?.columns == ["customer_id"])
    }

    // Labelled, so the test output names each input instead of printing it.
    @Test(arguments: [
        LabeledText("100k executable comment openers", String(repeating: "/*!50001 ", count: 100_000)),
        LabeledText("20k DELIMITER lines", String(repeating: "DELIMITER ;;\nCREATE TABLE t (a int);;\nDELIMITER ;\n", count: 20_000)),
        LabeledText("a view naming 20k tables", (0..<20_000).map { "CREATE TABLE t\($0) (a int, b int);\n" }.joined()
                    + "CREATE VIEW v AS SELECT " + (0..<20_000).map { "t\($0).a" }.joined(separator: ", ") + " FROM t0;"),
        LabeledText("20k triggers on one table", "CREATE TABLE t (a int);\n"
                    + (0..<20_000).map { "CREATE TRIGGER g\($0) BEFORE INSERT ON t FOR EACH ROW SET NEW.a = 1;\n" }.joined()),
        LabeledText("20k partitions", "CREATE TABLE p (a int) PARTITION BY RANGE (a);\n"
                    + (0..<20_000).map { "CREATE TABLE p\($0) PARTITION OF p FOR VALUES FROM (\($0)) TO (\($0 + 1));\n" }.joined()),
        LabeledText("unterminated executable comment", "/*!50001 CREATE VIEW v AS SELECT 1"),
        LabeledText("DELIMITER without a delimiter", "DELIMITER \nCREATE TABLE t (a int);"),
    ])
    func survivesHostileDumpText(_ input: LabeledText) {
        // This thread's CPU time, not the wall clock: a quadratic reader takes minutes on these inputs,
        // a linear one well under a second, and a machine busy with the other suites must not decide.
        func cpuSeconds() -> Double {
            var time = timespec()
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
            return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
        }
        let start = cpuSeconds()
        _ = read(input.text)
        _ = read(input.text, .mysql)
        let elapsed = cpuSeconds() - start
        #expect(elapsed < 5, "\(elapsed) s of CPU time")
    }
}
