@testable import CutoverPlan
@testable import CutoverSpec
@testable import CutoverProof
import Foundation
import Testing

/// A foreign key on a table that a LATER renameTable of the same spec renames. Expand renames the table
/// and leaves a compatibility view under the old name, and every step after expand (and each rollback of
/// one) runs while that is so: a key added, carried over or re-added there must name the table by its new
/// name. Before, they named the compatibility view: PostgreSQL refused ("referenced relation is not a
/// table", pg-all.yaml's check-sql failed from step 49 on), MySQL accepted it with foreign_key_checks=0,
/// and the key then pointed at a table that contract's drop of the view left missing (every insert of a
/// referencing row failed, 1452). Each engine runs the generated steps in order on a real server, writes
/// rows through the keys, then rolls everything back to the base schema.
@Suite(.serialized) struct RenamedReferencedTableTests {
    static func yaml(_ engine: String, changes: String) -> String {
        """
        apiVersion: cutover.dev/v1alpha1
        kind: Migration
        metadata:
          name: fkren
          namespace: shop
        spec:
          database:
            engine: \(engine)
            version: "\(engine == "mysql" ? "8.0" : "15")"
            cluster: shop-db
            name: shop
            credentialsSecret: shop-db-credentials
            schema: fkren.schema.sql
          app:
            name: webapp
            image: ghcr.io/acme/webapp:v2.3.1
          runner:
            tool: \(engine == "mysql" ? "mysql" : "psql")
          changes:
        \(changes)
        """
    }

    /// Each kind of key on a table renamed later: an addColumn's references and an addForeignKey
    /// (complete, and MySQL's orphan check in verify), a key carried over to a type change's copy and to a
    /// renamed column (backfill, contract), and a dropConstraint's down re-adding a key (contract, as the
    /// key has ON DELETE CASCADE). The renames come last.
    static let changes = """
            - addColumn:
                table: orders
                column: {name: owner_id, type: BIGINT, references: {table: customers, column: id}}
            - addForeignKey: {name: orders_customer_fk, table: orders, columns: [customer_id], references: {table: customers, columns: [id]}}
            - alterColumn: {table: orders, column: account_ref, type: %RETYPE%}
            - renameColumn: {table: orders, from: buyer, to: buyer_id}
            - dropConstraint: {name: orders_agent_fk, table: orders}
            - renameTable: {from: customers, to: clients}
            - renameTable: {from: accounts, to: ledgers}
    """

    static let postgresSchema = """
    CREATE TABLE customers (id bigint PRIMARY KEY, name text);
    CREATE TABLE accounts (id bigint PRIMARY KEY);
    CREATE TABLE orders (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        customer_id bigint,
        account_ref integer CONSTRAINT orders_account_fk REFERENCES accounts (id),
        buyer bigint CONSTRAINT orders_buyer_fk REFERENCES customers (id),
        agent_id bigint CONSTRAINT orders_agent_fk REFERENCES customers (id) ON DELETE CASCADE
    );
    """

    static let mysqlSchema = """
    CREATE TABLE customers (id BIGINT NOT NULL PRIMARY KEY, name VARCHAR(40) NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
    CREATE TABLE accounts (id BIGINT NOT NULL PRIMARY KEY, code VARCHAR(40) NOT NULL, UNIQUE KEY accounts_code_uq (code)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
    CREATE TABLE orders (
        id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
        customer_id BIGINT NULL,
        account_ref VARCHAR(40) NULL,
        buyer BIGINT NULL,
        agent_id BIGINT NULL,
        CONSTRAINT orders_account_fk FOREIGN KEY (account_ref) REFERENCES accounts (code),
        CONSTRAINT orders_buyer_fk FOREIGN KEY (buyer) REFERENCES customers (id),
        CONSTRAINT orders_agent_fk FOREIGN KEY (agent_id) REFERENCES customers (id) ON DELETE CASCADE
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
    """

    static func plan(_ engine: String, in folder: URL) throws -> MigrationPlan {
        let retype = engine == "mysql" ? "VARCHAR(100)" : "bigint"
        try yaml(engine, changes: changes.replacingOccurrences(of: "%RETYPE%", with: retype))
            .write(to: folder.appendingPathComponent("fkren.yaml"), atomically: true, encoding: .utf8)
        try (engine == "mysql" ? mysqlSchema : postgresSchema)
            .write(to: folder.appendingPathComponent("fkren.schema.sql"), atomically: true, encoding: .utf8)
        return try SQLGoldenTests.plan(folder.appendingPathComponent("fkren.yaml").path)
    }

    static func folder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cutover-fkren-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    /// The steps a full run and a full rollback apply: all but purge (none here).
    static func steps(_ plan: MigrationPlan) -> [PlanStep] { plan.steps.filter { $0.phase != .purge } }

    @Test(.enabled(if: DatabaseHarness.shouldRun(.postgresql), unavailable(.postgresql)))
    func postgresKeysNameTheRenamedTable() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let plan = try Self.plan("postgresql", in: folder)
        let server = try DatabaseHarness.shared.url(.postgresql)
        try BackfillUnderLoadTests.run(server, ["-c", "DROP DATABASE IF EXISTS fkren", "-c", "CREATE DATABASE fkren"])
        defer { _ = try? BackfillUnderLoadTests.run(server, ["-c", "DROP DATABASE IF EXISTS fkren"]) }
        let url = server.replacingOccurrences(of: "/postgres?", with: "/fkren?")
        try BackfillUnderLoadTests.run(url, ["-c", Self.postgresSchema, "-c", "INSERT INTO customers VALUES (1, 'a'), (2, 'b'); INSERT INTO accounts VALUES (7);"
                                             + " INSERT INTO orders (customer_id, account_ref, buyer, agent_id) VALUES (1, 7, 2, 1);"])
        // Every foreign key by table, name, referenced table and whether it is validated.
        let keys = "SELECT string_agg(conrelid::regclass || ' ' || conname || ' -> ' || confrelid::regclass || ' ' || convalidated, E'\\n' ORDER BY conname)"
            + " FROM pg_constraint WHERE contype = 'f' AND connamespace = 'public'::regnamespace"
        let base = try BackfillUnderLoadTests.run(url, ["-c", keys])
        func apply(_ step: PlanStep, down: Bool) throws {
            let file = folder.appendingPathComponent("\(step.fileStem).\(down ? "down" : "up").sql")
            try ((down ? step.down : step.up).statements.map(\.text).joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
            try BackfillUnderLoadTests.run(url, ["-f", file.path])
        }
        let steps = Self.steps(plan)
        for step in steps {
            do { try apply(step, down: false) } catch { Issue.record("\(step.fileStem) up: \(error)"); return }
        }
        let forward = try BackfillUnderLoadTests.run(url, ["-c", keys])
        // The quarantined columns keep their keys under the retired names (on the renamed tables too).
        #expect(forward == """
            orders _cutover_fkren_orders_account_fk -> ledgers true
            orders _cutover_fkren_orders_buyer_fk -> clients true
            orders orders_account_fk -> ledgers true
            orders orders_buyer_fk -> clients true
            orders orders_customer_fk -> clients true
            orders orders_owner_id_fkey -> clients true
            """)
        // The keys hold on the renamed tables: a row that points at them goes in, one that points nowhere does not.
        try BackfillUnderLoadTests.run(url, ["-c", "INSERT INTO orders (customer_id, account_ref, buyer_id, owner_id) VALUES (2, 7, 1, 2)"])
        #expect(throws: (any Error).self) { try BackfillUnderLoadTests.run(url, ["-c", "INSERT INTO orders (owner_id) VALUES (99)"]) }
        try BackfillUnderLoadTests.run(url, ["-c", "DELETE FROM orders WHERE owner_id = 2"])
        for step in steps.reversed() {
            do { try apply(step, down: true) } catch { Issue.record("\(step.fileStem) down: \(error)"); return }
        }
        #expect(try BackfillUnderLoadTests.run(url, ["-c", keys]) == base, "the full rollback gives the base schema's keys back")
    }

    @Test(.enabled(if: DatabaseHarness.shouldRun(.mysql), unavailable(.mysql)))
    func mysqlKeysNameTheRenamedTable() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let plan = try Self.plan("mysql", in: folder)
        let url = try DatabaseHarness.shared.url(.mysql)
        let socket = try #require(URLComponents(string: url)?.queryItems?.first { $0.name == "socket" }?.value)
        func sql(_ input: String, database: String? = "fkren") throws -> String {
            let result = try MySQLOrphanCheckTests.client(socket, database: database, input: input)
            if result.status != 0 { throw HarnessError("mariadb failed: \(result.output)") }
            return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let cleanup = "DROP DATABASE IF EXISTS fkren;"
        _ = try sql(cleanup + " CREATE DATABASE fkren; USE fkren; \(Self.mysqlSchema) INSERT INTO customers VALUES (1, 'a'), (2, 'b');"
                    + " INSERT INTO accounts VALUES (7, 'acc7'); INSERT INTO orders (customer_id, account_ref, buyer, agent_id) VALUES (1, 'acc7', 2, 1);", database: nil)
        defer { _ = try? sql(cleanup, database: nil) }
        // The server takes a key to a missing table with foreign_key_checks=0: its catalog says which table it names.
        let keys = "SELECT GROUP_CONCAT(CONCAT(table_name, ' ', constraint_name, ' -> ', referenced_table_name) ORDER BY constraint_name SEPARATOR '; ')"
            + " FROM information_schema.referential_constraints WHERE constraint_schema = 'fkren';"
        let base = try sql(keys)
        let steps = Self.steps(plan)
        for step in steps {
            do { _ = try sql(step.up.statements.map(\.text).filter { !$0.isEmpty }.joined(separator: "\n") + "\n") }
            catch { Issue.record("\(step.fileStem) up: \(error)"); return }
        }
        let forward = try sql(keys)
        #expect(forward == "orders orders_account_fk -> ledgers; orders orders_buyer_fk -> clients; orders orders_customer_fk -> clients; orders orders_owner_id_fkey -> clients")
        // A key naming the dropped compatibility view refuses every referencing row (1452); one naming the table takes it.
        _ = try sql("INSERT INTO orders (customer_id, account_ref, buyer_id, owner_id) VALUES (2, 'acc7', 1, 2);")
        #expect(throws: (any Error).self) { try sql("INSERT INTO orders (owner_id) VALUES (99);") }
        _ = try sql("DELETE FROM orders WHERE owner_id = 2;")
        for step in steps.reversed() {
            do { _ = try sql(step.down.statements.map(\.text).filter { !$0.isEmpty }.joined(separator: "\n") + "\n") }
            catch { Issue.record("\(step.fileStem) down: \(error)"); return }
        }
        #expect(try sql(keys) == base, "the full rollback gives the base schema's keys back")
    }
}
