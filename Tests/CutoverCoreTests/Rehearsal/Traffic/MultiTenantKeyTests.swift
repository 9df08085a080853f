@testable import CutoverPlan
@testable import CutoverSpec
@testable import CutoverProof
import Foundation
import Testing

/// Multi-tenant schemas (trial 14j MUST-FIX 3, trial 14i SHOULD 3): tables keyed by
/// `(tenant_id, id)`, foreign keys that share `tenant_id`. The seeder and the traffic must give a
/// row parents of one tenant (the whole key of each), and the row check must treat a key that holds
/// a generated column as generated, so rows the app's own statements insert are not "lost or changed".
@Suite(.serialized) struct MultiTenantKeyTests {
    static func column(_ name: String, generated: Bool = false, type: String = "bigint") -> ColumnShape {
        ColumnShape(name: name, dataType: type, nullable: false, hasDefault: generated, generated: generated)
    }

    static let owner = ForeignKeyShape(columns: ["tenant_id", "owner_id"], referencedTable: "users", referencedColumns: ["tenant_id", "id"])
    static let project = ForeignKeyShape(columns: ["tenant_id", "project_id"], referencedTable: "projects", referencedColumns: ["tenant_id", "id"])
    static let tenant = ForeignKeyShape(columns: ["tenant_id"], referencedTable: "tenants", referencedColumns: ["id"])

    @Test func widestForeignKeysChooseFirst() {
        #expect(ParentKeyChoice.order([Self.tenant, Self.owner, Self.project]) == [1, 2, 0])
        #expect(ParentKeyChoice.order([Self.tenant]) == [0])
    }

    /// The second composite key takes a parent of the tenant the first one chose; the tenant's own
    /// key is then given already. No agreeing parent for a required key: no row (the app reads instead).
    @Test func parentsAgreeOnSharedColumns() throws {
        let keys = [Self.tenant, Self.owner, Self.project]
        let samples: [[[String?]]] = [
            [["1"], ["2"], ["3"]],
            [["2", "20"]],                              // users: one, of tenant 2
            [["1", "10"], ["2", "21"], ["3", "30"]],    // projects of tenants 1, 2, 3
        ]
        let chosen = try #require(ParentKeyChoice.choose(keys, samples: samples, required: [true, true, true],
                                                         wanted: { _ in true }, pick: { _ in 0 }))
        #expect(chosen[1] == ["2", "20"])
        #expect(chosen[2] == ["2", "21"], "the project of the user's tenant, not the first one")
        #expect(chosen[0] == nil, "tenant_id came with the user")
        let none: [[[String?]]] = [[["1"]], [["2", "20"]], [["1", "10"]]]
        #expect(ParentKeyChoice.choose(keys, samples: none, required: [true, true, true], wanted: { _ in true }, pick: { _ in 0 }) == nil)
        // An optional key with no agreeing parent is left out (NULL), the row still goes in.
        let optional = try #require(ParentKeyChoice.choose(keys, samples: none, required: [true, true, false], wanted: { _ in true }, pick: { _ in 0 }))
        #expect(optional[1] == ["2", "20"] && optional[2] == nil)
    }

    /// A key holding a generated column counts as generated, alone or beside other columns; a key of
    /// given columns (natural, or a join table's foreign keys) does not.
    @Test func keysWithAGeneratedColumnAreGenerated() {
        func table(_ columns: [ColumnShape], key: [String]) -> TableShape {
            TableShape(name: "t", columns: columns, primaryKey: key, uniques: [], foreignKeys: [], checks: [])
        }
        for engine in [MigrationSpec.Engine.postgresql, .mysql] {
            #expect(TableFingerprint.generatedKeyColumn(table([Self.column("id", generated: true)], key: ["id"]), engine: engine) == "id")
            #expect(TableFingerprint.generatedKeyColumn(table([Self.column("tenant_id"), Self.column("id", generated: true)],
                                                              key: ["tenant_id", "id"]), engine: engine) == "id")
            let time = engine == .postgresql ? "timestamp with time zone" : "datetime"
            #expect(TableFingerprint.generatedKeyColumn(table([Self.column("id", generated: true), Self.column("occurred_at", type: time)],
                                                              key: ["id", "occurred_at"]), engine: engine) == "id")
            #expect(TableFingerprint.generatedKeyColumn(table([Self.column("tenant_id"), Self.column("code", type: "text")],
                                                              key: ["tenant_id", "code"]), engine: engine) == nil)
            #expect(TableFingerprint.generatedKeyColumn(table([Self.column("a_id"), Self.column("b_id")], key: ["a_id", "b_id"]), engine: engine) == nil)
        }
    }

    static func schema(_ engine: MigrationSpec.Engine) -> String {
        switch engine {
        case .postgresql:
            return """
                CREATE TABLE tenants (id bigserial PRIMARY KEY, slug text NOT NULL UNIQUE);
                CREATE TABLE users (tenant_id bigint NOT NULL REFERENCES tenants (id), id bigserial, email text NOT NULL,
                                    PRIMARY KEY (tenant_id, id));
                CREATE TABLE projects (tenant_id bigint NOT NULL REFERENCES tenants (id), id bigserial, name text NOT NULL,
                                       owner_id bigint NOT NULL, PRIMARY KEY (tenant_id, id),
                                       CONSTRAINT projects_owner_fk FOREIGN KEY (tenant_id, owner_id) REFERENCES users (tenant_id, id));
                CREATE TABLE tasks (tenant_id bigint NOT NULL REFERENCES tenants (id), id bigserial, title text NOT NULL,
                                    project_id bigint NOT NULL, assignee_id bigint NOT NULL, reviewer_id bigint, PRIMARY KEY (tenant_id, id),
                                    CONSTRAINT tasks_project_fk FOREIGN KEY (tenant_id, project_id) REFERENCES projects (tenant_id, id),
                                    CONSTRAINT tasks_assignee_fk FOREIGN KEY (tenant_id, assignee_id) REFERENCES users (tenant_id, id),
                                    CONSTRAINT tasks_reviewer_fk FOREIGN KEY (tenant_id, reviewer_id) REFERENCES users (tenant_id, id));
                """
        case .mysql:
            return """
                CREATE TABLE tenants (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, slug VARCHAR(64) NOT NULL UNIQUE) ENGINE=InnoDB;
                CREATE TABLE users (tenant_id BIGINT NOT NULL, id BIGINT NOT NULL AUTO_INCREMENT, email VARCHAR(120) NOT NULL,
                                    PRIMARY KEY (tenant_id, id), KEY (id),
                                    CONSTRAINT users_tenant_fk FOREIGN KEY (tenant_id) REFERENCES tenants (id)) ENGINE=InnoDB;
                CREATE TABLE projects (tenant_id BIGINT NOT NULL, id BIGINT NOT NULL AUTO_INCREMENT, name VARCHAR(120) NOT NULL,
                                       owner_id BIGINT NOT NULL, PRIMARY KEY (tenant_id, id), KEY (id),
                                       CONSTRAINT projects_tenant_fk FOREIGN KEY (tenant_id) REFERENCES tenants (id),
                                       CONSTRAINT projects_owner_fk FOREIGN KEY (tenant_id, owner_id) REFERENCES users (tenant_id, id)) ENGINE=InnoDB;
                CREATE TABLE tasks (tenant_id BIGINT NOT NULL, id BIGINT NOT NULL AUTO_INCREMENT, title VARCHAR(200) NOT NULL,
                                    project_id BIGINT NOT NULL, assignee_id BIGINT NOT NULL, reviewer_id BIGINT, PRIMARY KEY (tenant_id, id), KEY (id),
                                    CONSTRAINT tasks_tenant_fk FOREIGN KEY (tenant_id) REFERENCES tenants (id),
                                    CONSTRAINT tasks_project_fk FOREIGN KEY (tenant_id, project_id) REFERENCES projects (tenant_id, id),
                                    CONSTRAINT tasks_assignee_fk FOREIGN KEY (tenant_id, assignee_id) REFERENCES users (tenant_id, id),
                                    CONSTRAINT tasks_reviewer_fk FOREIGN KEY (tenant_id, reviewer_id) REFERENCES users (tenant_id, id)) ENGINE=InnoDB;
                """
        }
    }

    static func check(_ engine: MigrationSpec.Engine) throws {
        let db = try TrafficDatabase(engine, schema: schema(engine))
        defer { db.drop() }
        let tables = ["tenants", "users", "projects", "tasks"]
        let shape = try CatalogShapeReader.read(engine: engine, session: db.session, tables: nil).excludingInternal()
        // projects.owner_id and tasks.project_id share tenant_id with another foreign key: before
        // trial 14j's fix both tables were skipped whole ("(600 skipped)").
        let report = try DataSeeder(engine: engine).seed(shape: shape, tables: tables, rows: 300, session: db.session)
        for table in report.tables {
            #expect(table.inserted == 300 && table.skipped == 0, "\(table.table): \(table.inserted) inserted, \(table.notes)")
        }
        // The seeder fills MySQL with its foreign key checks off: every composite key must still hold.
        let d = TrafficSQL(engine)
        let assignee = ForeignKeyShape(columns: ["tenant_id", "assignee_id"], referencedTable: "users", referencedColumns: ["tenant_id", "id"])
        let reviewer = ForeignKeyShape(columns: ["tenant_id", "reviewer_id"], referencedTable: "users", referencedColumns: ["tenant_id", "id"])
        for (child, key) in [("projects", Self.owner), ("tasks", Self.project), ("tasks", assignee), ("tasks", reviewer)] {
            let match = zip(key.columns, key.referencedColumns).map { "p.\(d.identifier($1)) = c.\(d.identifier($0))" }.joined(separator: " AND ")
                + " OR c.\(d.identifier(key.columns[1])) IS NULL"
            let dangling = try TrafficSQL.rows(db.session.query(
                "SELECT \(d.jsonArray([d.text("count(*)")])) FROM \(d.identifier(child)) AS c WHERE NOT EXISTS (SELECT 1 FROM \(d.identifier(key.referencedTable)) AS p WHERE \(match))"))
            #expect(dangling.first?.first == "0", "\(child) rows pointing at another tenant's \(key.referencedTable)")
        }
        // The optional key that shares tenant_id is filled too (mostly), not left NULL.
        let reviewed = try TrafficSQL.rows(db.session.query("SELECT \(d.jsonArray([d.text("count(*)")])) FROM tasks WHERE reviewer_id IS NOT NULL"))
        #expect((reviewed.first?.first ?? nil).flatMap { Int($0) } ?? 0 > 200, "tasks with a reviewer: \(reviewed)")
        let before = try TableFingerprint.take(shape: shape, tables: tables, session: db.session, engine: engine)
        #expect(before.keyBounds["tasks"] != nil && before.keyBounds["users"] != nil)
        let versions = ["old", "new"].enumerated().map { index, version in
            AppTraffic(version: version, shape: shape, tables: ["projects", "tasks"], engine: engine,
                       connect: { try db.connect() }, lockTimeout: "2s", seed: UInt64(31 + index))
        }
        versions.forEach { $0.start() }
        Thread.sleep(forTimeInterval: 1.5)
        let reports = versions.map { $0.stop() }
        for report in reports {
            let shown = report.failures.prefix(3).map { "\($0.statement) -> \($0.error)" }.joined(separator: " | ")
            #expect(report.failed == 0, "\(report.version): \(shown)")
            #expect(!(report.writtenKeys["projects"] ?? []).isEmpty, "\(report.version) wrote projects")
            #expect(!(report.writtenKeys["tasks"] ?? []).isEmpty, "\(report.version) wrote tasks")
        }
        // The app's own statement (as --traffic-new sends it) inserts a task nobody recorded.
        try db.session.execute("INSERT INTO tasks (tenant_id, title, project_id, assignee_id) SELECT tenant_id, 'own', id, owner_id FROM projects ORDER BY id LIMIT 1")
        var excluding: [String: [[String]]] = [:]
        for report in reports { for (table, keys) in report.writtenKeys { excluding[table, default: []] += keys } }
        let after = try TableFingerprint.take(shape: shape, tables: tables, session: db.session, engine: engine,
                                              excluding: excluding, bounds: before.keyBounds)
        #expect(before.lost(comparedTo: after) == [])
        // A seeded row changed is still found.
        try db.session.execute("UPDATE tasks SET title = 'changed' WHERE id = (SELECT m FROM (SELECT min(id) AS m FROM tasks) AS x)")
        let changed = try TableFingerprint.take(shape: shape, tables: tables, session: db.session, engine: engine,
                                                excluding: excluding, bounds: before.keyBounds)
        #expect(before.lost(comparedTo: changed).count == 1)
    }

    @Test(.enabled(if: DatabaseHarness.shouldRun(.postgresql), unavailable(.postgresql)))
    func postgresSeedsAndChecksTenantKeys() throws { try Self.check(.postgresql) }

    @Test(.enabled(if: DatabaseHarness.shouldRun(.mysql), unavailable(.mysql)))
    func mariadbSeedsAndChecksTenantKeys() throws { try Self.check(.mysql) }
}

/// Trial 14j SHOULD 4: the seed line names the table that rows were skipped from, and why.
struct SeedSkipSummaryTests {
    @Test func namesTheTableAndTheReason() {
        let report = SeedReport(tables: [
            .init(table: "tenants", requested: 10, inserted: 10, skipped: 0, seconds: 0, notes: []),
            .init(table: "workspaces", requested: 10, inserted: 0, skipped: 10, seconds: 0,
                  notes: ["icon (bytea): left NULL", "not seeded: users has no rows for tenant_id, owner_id"]),
        ])
        #expect(report.skippedSummary == "10 skipped: workspaces 10 (not seeded: users has no rows for tenant_id, owner_id)")
        #expect(SeedReport(tables: [report.tables[0]]).skippedSummary == nil)
    }
}
