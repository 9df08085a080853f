@testable import CutoverPlan
@testable import CutoverSpec
@testable import CutoverEmit
@testable import CutoverProof
import Foundation
import Testing

/// The preflight step reads the catalog and lists, before any DDL runs, every way the server, the
/// touched tables and columns, or the Jobs' privileges differ from what the migration was written
/// for; it passes at every boundary of the migration before contract (Argo CD runs it on every sync,
/// Helm on every upgrade of the first stage) and names it, and refuses once contract ran. The real-server tests run the rendered file through the runner script, as
/// the preflight Job does.
@Suite(.serialized) struct PreflightTests {
    static let spec = KubernetesFixtures.spec(KubernetesFixtures.expandContractYAML, replacing: [
        ("    - addColumn:\n        table: pricing",
         "    - renameColumn:\n        table: pricing\n        from: plan_code\n        to: code\n    - addColumn:\n        table: pricing"),
    ])

    @Test func requirementsAreWhatExistsBeforeTheMigration() {
        let preflight = Preflight(context: LoweringContext(spec: Self.spec, schema: nil))
        #expect(preflight.requirements.tables == ["pricing"])
        #expect(preflight.requirements.columns.map { "\($0.table).\($0.column)" } == ["pricing.plan_code"])
        #expect(preflight.draft()?.phase == .preflight)
    }

    // MARK: types as real servers and dumps spell them

    @Test func mysqlTypesAreComparedAsColumnTypeReportsThem() {
        let n = PreflightMySQL.normalizedType
        #expect(n("int(11)") == "int")
        #expect(n("INTEGER") == "int")
        #expect(n("int(10) unsigned") == "int unsigned")
        #expect(n("bigint(20) unsigned zerofill") == "bigint unsigned zerofill")
        #expect(n("tinyint(1)") == "tinyint")
        #expect(n("BOOLEAN") == "tinyint")
        #expect(n("character varying(64)") == "varchar(64)")
        #expect(n("VARCHAR(64) CHARACTER SET utf8mb4") == "varchar(64)")
        #expect(n("numeric") == "decimal(10,0)")
        #expect(n("DECIMAL(12, 2)") == "decimal(12,2)")
        #expect(n("dec(8)") == "decimal(8,0)")
        #expect(n("double precision") == "double")
        #expect(n("year(4)") == "year")
        #expect(n("char") == "char(1)")
        #expect(n("datetime(6)") == "datetime(6)")
    }

    @Test func postgresTypesResolveOnTheServerWithTheirModifiers() {
        #expect(PreflightPostgreSQL.modifiers("character varying(255)") == "255")
        #expect(PreflightPostgreSQL.modifiers("numeric(12, 2)") == "12,2")
        #expect(PreflightPostgreSQL.modifiers("timestamp(3) with time zone") == "3")
        #expect(PreflightPostgreSQL.modifiers("integer") == "")
        #expect(PreflightPostgreSQL.modifiers("char") == "1")
        #expect(PreflightPostgreSQL.resolvable("bigserial") == "bigint")
        #expect(PreflightPostgreSQL.modifiers("float(53)") == "")
    }

    // MARK: boundaries

    @Test func theBoundaryBranchesFollowThePhases() {
        let model = PreflightBoundary(additions: 2, removals: 1, completions: 1)
        let sentences = model.branches.map { branch -> String in
            switch branch.outcome { case .boundary(let s): return s; case .problem(let s): return "problem: " + s }
        }
        #expect(sentences.first == "the base schema (nothing of this migration applied yet)")
        #expect(sentences.contains { $0.hasPrefix("problem: after contract: this migration is complete.") })
        #expect(sentences.contains("after complete"))
        #expect(sentences.last == "after expand")
        #expect(sentences.contains { $0.hasPrefix("problem: at no boundary") })
        #expect(sentences.contains { $0.hasPrefix("part-way through expand") })
    }

    // MARK: on real servers, through the runner

    static let changes = """
            - renameColumn:
                table: pricing
                from: plan_code
                to: code
            - alterColumn:
                table: pricing
                column: amount
                type: bigint
            - addColumn:
                table: pricing
                column:
                  name: customer_id
                  type: bigint
                  references:
                    table: customers
                    column: id
            - addColumn:
                table: pricing
                column:
                  name: tier
                  type: text
                  nullable: false
                  default: "'basic'"
            - dropColumn:
                table: pricing
                column: note
        """

    /// The base schema the spec names, as a dump writes it.
    static func baseSchema(_ engine: MigrationSpec.Engine) -> String {
        engine == .postgresql
            ? """
              CREATE TABLE customers (id bigint PRIMARY KEY);
              CREATE TABLE pricing (id bigint PRIMARY KEY, plan_code character varying(20) NOT NULL, amount integer NOT NULL, note text);
              """
            : """
              CREATE TABLE `customers` (`id` bigint NOT NULL, PRIMARY KEY (`id`)) ENGINE=InnoDB;
              CREATE TABLE `pricing` (`id` bigint NOT NULL, `plan_code` varchar(20) NOT NULL, `amount` int NOT NULL, `note` varchar(200) DEFAULT NULL, PRIMARY KEY (`id`)) ENGINE=InnoDB;
              """
    }

    /// The same tables as the server gets them, spelled with other aliases (int4, int8, varchar, int(11)).
    static func serverSchema(_ engine: MigrationSpec.Engine, planCode: String? = nil) -> String {
        engine == .postgresql
            ? "CREATE TABLE customers (id int8 PRIMARY KEY);\nCREATE TABLE pricing (id int8 PRIMARY KEY, plan_code \(planCode ?? "varchar(20)") NOT NULL, amount int4 NOT NULL, note text);\n"
              + "INSERT INTO customers VALUES (1);\nINSERT INTO pricing VALUES (1, 'gold', 10, 'n');\n"
            : "CREATE TABLE customers (id bigint(20) NOT NULL PRIMARY KEY) ENGINE=InnoDB;\nCREATE TABLE pricing (id bigint(20) NOT NULL PRIMARY KEY, plan_code \(planCode ?? "varchar(20)") NOT NULL, amount integer NOT NULL, note varchar(200)) ENGINE=InnoDB;\n"
              + "INSERT INTO customers VALUES (1);\nINSERT INTO pricing VALUES (1, 'gold', 10, 'n');\n"
    }

    /// A database of its own on the test run's server, the runner script, and the plan's files.
    struct Scenario {
        let engine: MigrationSpec.Engine
        let database: String
        let url: String
        let plan: MigrationPlan
        let runner: RollbackQuarantineTests.Runner

        init(_ engine: MigrationSpec.Engine, _ database: String, base: String? = nil, changes: String = PreflightTests.changes, purge: Bool = false) throws {
            self.engine = engine
            self.database = database
            url = try DatabaseHarness.shared.url(engine)
            var spec = PlanningHarness.spec(engine, changes: changes)
            if purge { spec = spec.replacingOccurrences(of: "\n  changes:\n", with: "\n  purge: true\n  changes:\n") }
            plan = try PlanningHarness.plan(spec, schema: base ?? PreflightTests.baseSchema(engine))
            runner = try RollbackQuarantineTests.Runner(engine: engine, url: url, database: database)
            try admin("DROP DATABASE IF EXISTS \(database)")
            try admin("CREATE DATABASE \(database)")
            for step in plan.steps {
                try runner.write(step.fileStem + ".up.sql", SQLFileRenderer.render(step, .up, plan: plan))
            }
        }

        /// SQL as the server's superuser, in the server's first database or (`here`) this scenario's.
        func admin(_ sql: String, here: Bool = false) throws {
            var parameters = try ConnectionParameters.parse(url)
            if here { parameters = parameters.with(database: database) }
            if engine == .postgresql { _ = try PostgresSession(connection: parameters).query(sql) }
            else { _ = try MariaDBSession(connection: parameters).query(sql) }
        }

        /// SQL run by the runner (the mysql client or psql) as the Secret's user.
        func apply(_ sql: String) throws {
            try runner.write("setup.sql", sql)
            let run = try runner.run(["setup.sql"])
            guard run.status == 0 else { throw HarnessError("setup failed: \(run.output)") }
        }

        func preflight() throws -> (status: Int32, output: String) {
            try runner.run(plan.steps(in: .preflight).map { $0.fileStem + ".up.sql" })
        }

        func phase(_ phase: Phase) throws {
            let run = try runner.run(plan.steps(in: phase).map { $0.fileStem + ".up.sql" })
            guard run.status == 0 else { throw HarnessError("\(phase.rawValue) failed: \(run.output)") }
        }

        /// The Secret's username: the Jobs' role.
        func login(as user: String) throws {
            try user.write(toFile: runner.folder.appendingPathComponent("etc/db/username").path, atomically: true, encoding: .utf8)
            try? FileManager.default.removeItem(at: runner.folder.appendingPathComponent("tmp/client-db.cnf"))
        }

        func finish() {
            try? admin("DROP DATABASE IF EXISTS \(database)")
            // MySQL's version databases are named after database.name, the same for every scenario: a
            // later scenario's preflight and expand refuse views over another database under them.
            if engine == .mysql, let versions = VersionSchemaSelection.schemas(plan) {
                for name in [versions.old, versions.new] { try? admin("DROP DATABASE IF EXISTS \(name)") }
            }
            try? FileManager.default.removeItem(at: runner.folder)
        }
    }

    /// The schema at each boundary before contract passes, and the preflight says which: the base
    /// (its types spelled otherwise than the base schema file), after expand, after complete. After
    /// contract (the old name and the dropped column gone) it refuses, naming the boundary and how to
    /// take the first stage out of the release: that stage's expand would create the sync trigger
    /// of the renamed column again, whose function names the old column, and every insert would
    /// fail (checked on PostgreSQL 15 while this was written).
    func everyBoundaryIsNamed(_ engine: MigrationSpec.Engine) throws {
        let scenario = try Scenario(engine, "preflight_boundaries")
        defer { scenario.finish() }
        try scenario.apply(Self.serverSchema(engine))
        func check(_ expected: String) throws {
            let run = try scenario.preflight()
            #expect(run.status == 0, "\(run.output)")
            #expect(run.output.contains("the schema is \(expected)"), "\(run.output)")
        }
        try check("the base schema")
        try scenario.phase(.expand)
        try check("after expand")
        try scenario.phase(.backfill)
        try scenario.phase(.complete)
        try check("after complete")
        try scenario.phase(.contract)
        let contracted = try scenario.preflight()
        #expect(contracted.status != 0, "\(contracted.output)")
        #expect(contracted.output.contains("the schema is after contract: this migration is complete"), "\(contracted.output)")
        #expect(contracted.output.contains("Take the migration's first stage out of the release"), "\(contracted.output)")
        #expect(contracted.output.contains("1 problem(s)"), "\(contracted.output)")
    }

    /// A migration whose contract removes no column or table, only swaps a retyped column with its
    /// copy: at the base and after expand and complete it passes; after contract it refuses, since
    /// the stage's expand would add the copy and its sync trigger again on the swapped table (the
    /// SRE review reproduced that on PostgreSQL 15: the preflight passed, calling it "after expand
    /// or complete or after contract"). Contract leaves the copy gone and the old column quarantined.
    /// With `purge`, the purge phase drops the quarantined column: the column's type (the spec's, not
    /// the base's) and the missing copy still tell contract ran.
    func aRetypeIsContracted(_ engine: MigrationSpec.Engine, purge: Bool = false) throws {
        let changes = """
                - alterColumn:
                    table: pricing
                    column: amount
                    type: bigint
            """
        let scenario = try Scenario(engine, "preflight_retype", changes: changes, purge: purge)
        defer { scenario.finish() }
        try scenario.apply(Self.serverSchema(engine))
        func passes() throws {
            let run = try scenario.preflight()
            #expect(run.status == 0, "\(run.output)")
            #expect(run.output.contains("the schema is the base schema, or after expand"), "\(run.output)")
        }
        try passes()
        try scenario.phase(.expand)
        try passes()
        try scenario.phase(.backfill)
        try scenario.phase(.complete)
        try passes()
        try scenario.phase(.contract)
        if purge {
            #expect(!scenario.plan.steps(in: .purge).isEmpty)
            try scenario.phase(.purge)
        }
        let contracted = try scenario.preflight()
        #expect(contracted.status != 0, "\(contracted.output)")
        #expect(contracted.output.contains("the schema is after contract: this migration is complete"), "\(contracted.output)")
        #expect(contracted.output.contains("manifests/after-contract/"), "\(contracted.output)")
        #expect(contracted.output.contains("1 problem(s)"), "\(contracted.output)")
    }

    /// MySQL's version databases show database.schema's tables and columns by name: a table or column
    /// the live database has and the dump lacks would be missing for both app versions (the new
    /// version's statements fail from its first pod). The preflight lists them before expand.
    @Test(.enabled(if: DatabaseHarness.shouldRun(.mysql), unavailable(.mysql)))
    func mysqlLiveTablesAndColumnsTheDumpLacksAreListed() throws {
        let scenario = try Scenario(.mysql, "preflight_drift")
        defer { scenario.finish() }
        #expect(scenario.plan.steps.contains { $0.title.contains("version database") }, "the plan has version databases")
        try scenario.apply(Self.serverSchema(.mysql) + "CREATE TABLE carts (id bigint NOT NULL PRIMARY KEY) ENGINE=InnoDB;\nALTER TABLE customers ADD COLUMN phone varchar(20) NULL;\n"
                           + "CREATE TABLE flyway_schema_history (installed_rank int NOT NULL PRIMARY KEY) ENGINE=InnoDB;\n")
        let run = try scenario.preflight()
        #expect(run.status != 0, "\(run.output)")
        #expect(run.output.contains("tables the database has and database.schema lacks, which neither version database would show (an app version that uses one fails): carts;"), "\(run.output)")
        #expect(run.output.contains("columns the database has and database.schema lacks, which the version databases' views would leave out: customers.phone;"), "\(run.output)")
        #expect(run.output.contains("2 problem(s)"), "\(run.output)")
        try scenario.apply("DROP TABLE carts;\nALTER TABLE customers DROP COLUMN phone;\n")
        let clean = try scenario.preflight()
        #expect(clean.status == 0, "\(clean.output)")
    }

    @Test(.enabled(if: DatabaseHarness.shouldRun(.postgresql), unavailable(.postgresql)))
    func postgresRetypeIsContracted() throws { try aRetypeIsContracted(.postgresql) }

    @Test(.enabled(if: DatabaseHarness.shouldRun(.mysql), unavailable(.mysql)))
    func mysqlRetypeIsContracted() throws { try aRetypeIsContracted(.mysql) }

    @Test(.enabled(if: DatabaseHarness.shouldRun(.postgresql), unavailable(.postgresql)))
    func postgresPurgedRetypeIsContracted() throws { try aRetypeIsContracted(.postgresql, purge: true) }

    @Test(.enabled(if: DatabaseHarness.shouldRun(.mysql), unavailable(.mysql)))
    func mysqlPurgedRetypeIsContracted() throws { try aRetypeIsContracted(.mysql, purge: true) }

    /// Columns of another type than the base schema (and the spec) says fail, every problem listed,
    /// nothing changed.
    func aWrongTypeFails(_ engine: MigrationSpec.Engine) throws {
        let scenario = try Scenario(engine, "preflight_types")
        defer { scenario.finish() }
        try scenario.apply(Self.serverSchema(engine, planCode: "text"))
        try scenario.apply(engine == .postgresql ? "ALTER TABLE pricing ALTER COLUMN amount TYPE smallint;" : "ALTER TABLE pricing MODIFY amount smallint NOT NULL;")
        let run = try scenario.preflight()
        #expect(run.status != 0, "\(run.output)")
        #expect(run.output.contains("column pricing.plan_code is text, the migration expects \(engine == .postgresql ? "character varying(20)" : "varchar(20)") (base schema)"), "\(run.output)")
        #expect(run.output.contains("column pricing.amount is smallint, the migration expects \(engine == .postgresql ? "integer (base schema) or bigint (spec)" : "int (base schema) or bigint (spec)")"), "\(run.output)")
        #expect(run.output.contains("2 problem(s)"), "\(run.output)")
    }

    /// A type the server does not know (the base schema's domain is missing there) is a mismatch,
    /// named with what the server has, not a pass.
    @Test(.enabled(if: DatabaseHarness.shouldRun(.postgresql), unavailable(.postgresql)))
    func postgresUnknownTypeIsAMismatch() throws {
        let base = "CREATE DOMAIN plan_code_t AS character varying(20);\n" + Self.baseSchema(.postgresql)
            .replacingOccurrences(of: "plan_code character varying(20)", with: "plan_code plan_code_t")
        let scenario = try Scenario(.postgresql, "preflight_domain", base: base)
        defer { scenario.finish() }
        // text, without modifiers like the domain's name: only the unknown type tells them apart.
        try scenario.apply(Self.serverSchema(.postgresql, planCode: "text"))
        let run = try scenario.preflight()
        #expect(run.status != 0, "\(run.output)")
        #expect(run.output.contains("column pricing.plan_code is text, the migration expects plan_code_t (base schema)"), "\(run.output)")
    }

    /// A part-way expand (the Job stopped after its first files) passes: its re-run must not be
    /// blocked. Contract's removals without expand's additions fail.
    func partWayPhases(_ engine: MigrationSpec.Engine) throws {
        let scenario = try Scenario(engine, "preflight_partway")
        defer { scenario.finish() }
        try scenario.apply(Self.serverSchema(engine))
        let first = try #require(scenario.plan.steps(in: .expand).first)
        let ran = try scenario.runner.run([first.fileStem + ".up.sql"])
        #expect(ran.status == 0, "\(ran.output)")
        let partWay = try scenario.preflight()
        #expect(partWay.status == 0, "\(partWay.output)")
        #expect(partWay.output.contains("part-way through expand"), "\(partWay.output)")
        try scenario.apply(engine == .postgresql ? "ALTER TABLE pricing DROP COLUMN note;" : "ALTER TABLE pricing DROP COLUMN note;")
        let mixed = try scenario.preflight()
        #expect(mixed.status != 0, "\(mixed.output)")
        #expect(mixed.output.contains("at no boundary of this migration"), "\(mixed.output)")
    }

    @Test(.enabled(if: DatabaseHarness.shouldRun(.postgresql), unavailable(.postgresql)))
    func postgresEveryBoundaryIsNamed() throws { try everyBoundaryIsNamed(.postgresql) }

    @Test(.enabled(if: DatabaseHarness.shouldRun(.mysql), unavailable(.mysql)))
    func mysqlEveryBoundaryIsNamed() throws { try everyBoundaryIsNamed(.mysql) }

    @Test(.enabled(if: DatabaseHarness.shouldRun(.postgresql), unavailable(.postgresql)))
    func postgresWrongTypeFails() throws { try aWrongTypeFails(.postgresql) }

    @Test(.enabled(if: DatabaseHarness.shouldRun(.mysql), unavailable(.mysql)))
    func mysqlWrongTypeFails() throws { try aWrongTypeFails(.mysql) }

    @Test(.enabled(if: DatabaseHarness.shouldRun(.postgresql), unavailable(.postgresql)))
    func postgresPartWayPhases() throws { try partWayPhases(.postgresql) }

    @Test(.enabled(if: DatabaseHarness.shouldRun(.mysql), unavailable(.mysql)))
    func mysqlPartWayPhases() throws { try partWayPhases(.mysql) }

    /// A role that does not own the table (ALTER TABLE needs the owner on PostgreSQL), may not
    /// reference the foreign key's table, nor create the trigger functions in `public` (PostgreSQL
    /// 15 revoked CREATE there from PUBLIC), nor the version schemas in the database: every one
    /// listed; the owner with those grants passes.
    @Test(.enabled(if: DatabaseHarness.shouldRun(.postgresql), unavailable(.postgresql)))
    func postgresRoleWithoutOwnershipFails() throws {
        let scenario = try Scenario(.postgresql, "preflight_roles")
        defer { scenario.finish() }
        try scenario.apply(Self.serverSchema(.postgresql))
        let role = "preflight_app"
        try scenario.admin("DROP ROLE IF EXISTS \(role)")
        try scenario.admin("CREATE ROLE \(role) LOGIN")
        defer {
            try? scenario.admin("DROP OWNED BY \(role)", here: true)
            try? scenario.admin("DROP ROLE IF EXISTS \(role)")
        }
        try scenario.apply("GRANT SELECT, INSERT, UPDATE, DELETE ON pricing, customers TO \(role);")
        try scenario.login(as: role)
        let refused = try scenario.preflight()
        #expect(refused.status != 0, "\(refused.output)")
        #expect(refused.output.contains("role \(role) may not alter table pricing, owned by postgres"), "\(refused.output)")
        #expect(refused.output.contains("role \(role) lacks REFERENCES on table customers"), "\(refused.output)")
        #expect(refused.output.contains("role \(role) may not CREATE in schema public"), "\(refused.output)")
        #expect(refused.output.contains("role \(role) may not create schemas in database preflight_roles: the version schemas"), "\(refused.output)")
        #expect(refused.output.contains("4 problem(s)"), "\(refused.output)")
        try scenario.admin("ALTER TABLE pricing OWNER TO \(role); GRANT REFERENCES ON customers TO \(role); GRANT CREATE ON SCHEMA public TO \(role); GRANT CREATE ON DATABASE preflight_roles TO \(role)", here: true)
        let passed = try scenario.preflight()
        #expect(passed.status == 0, "\(passed.output)")
    }

    /// An account without ALTER, INDEX, TRIGGER and REFERENCES (but allowed to run the preflight's
    /// own procedure) fails, each missing privilege listed; with them it passes.
    @Test(.enabled(if: DatabaseHarness.shouldRun(.mysql), unavailable(.mysql)))
    func mysqlAccountWithoutAlterFails() throws {
        let scenario = try Scenario(.mysql, "preflight_grants")
        defer { scenario.finish() }
        try scenario.apply(Self.serverSchema(.mysql))
        let user = "preflight_app"
        try scenario.admin("DROP USER IF EXISTS '\(user)'@'localhost'")
        try scenario.admin("CREATE USER '\(user)'@'localhost'")
        defer { try? scenario.admin("DROP USER IF EXISTS '\(user)'@'localhost'") }
        try scenario.admin("GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, CREATE ROUTINE, ALTER ROUTINE, EXECUTE, CREATE VIEW, CREATE TEMPORARY TABLES, LOCK TABLES ON preflight_grants.* TO '\(user)'@'localhost'")
        try scenario.login(as: user)
        let refused = try scenario.preflight()
        #expect(refused.status != 0, "\(refused.output)")
        #expect(refused.output.contains("account \(user)@localhost lacks ALTER on table pricing"), "\(refused.output)")
        #expect(refused.output.contains("lacks TRIGGER on table pricing"), "\(refused.output)")
        #expect(refused.output.contains("lacks REFERENCES on table customers"), "\(refused.output)")
        try scenario.admin("GRANT ALTER, INDEX, TRIGGER, REFERENCES ON preflight_grants.* TO '\(user)'@'localhost'")
        let passed = try scenario.preflight()
        #expect(passed.status == 0, "\(passed.output)")
        #expect(passed.output.contains("the schema is the base schema"), "\(passed.output)")
    }

    /// A MySQL trigger runs with its definer's rights: an account that may create the sync triggers
    /// but not UPDATE the table makes every insert of the serving app fail (ERROR 1143) once expand
    /// ran. The preflight refuses it before anything changes.
    @Test(.enabled(if: DatabaseHarness.shouldRun(.mysql), unavailable(.mysql)))
    func mysqlAccountWithoutUpdateFails() throws {
        let scenario = try Scenario(.mysql, "preflight_update")
        defer { scenario.finish() }
        try scenario.apply(Self.serverSchema(.mysql))
        let user = "preflight_noupdate"
        try scenario.admin("DROP USER IF EXISTS '\(user)'@'localhost'")
        try scenario.admin("CREATE USER '\(user)'@'localhost'")
        defer { try? scenario.admin("DROP USER IF EXISTS '\(user)'@'localhost'") }
        try scenario.admin("GRANT SELECT, INSERT, DELETE, CREATE, DROP, ALTER, INDEX, TRIGGER, REFERENCES, CREATE ROUTINE, ALTER ROUTINE, EXECUTE, CREATE VIEW, CREATE TEMPORARY TABLES, LOCK TABLES ON preflight_update.* TO '\(user)'@'localhost'")
        try scenario.login(as: user)
        let refused = try scenario.preflight()
        #expect(refused.status != 0, "\(refused.output)")
        #expect(refused.output.contains("account \(user)@localhost lacks UPDATE on table pricing"), "\(refused.output)")
        try scenario.admin("GRANT UPDATE ON preflight_update.* TO '\(user)'@'localhost'")
        let passed = try scenario.preflight()
        #expect(passed.status == 0, "\(passed.output)")
    }
}


