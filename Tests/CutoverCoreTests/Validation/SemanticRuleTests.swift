import Foundation
import Testing
@testable import CutoverCore

/// Targeted cases of the ordered reference checks and the consistency rules.
@Suite struct SemanticRuleTests {
    static let pricingSchema = """
        CREATE TABLE customers (id bigint PRIMARY KEY, email text NOT NULL UNIQUE, region text);
        CREATE TABLE pricing (id bigint PRIMARY KEY, plan_code text NOT NULL, amount integer NOT NULL);
        CREATE TABLE audit_log (at timestamptz, message text);
        CREATE INDEX pricing_amount_idx ON pricing (amount);
        """

    func spec(_ changes: String, engine: String = "postgresql", schema: Bool = true, extra: String = "") -> String {
        """
        apiVersion: cutover.dev/v1alpha1
        kind: Migration
        metadata:
          name: t
          namespace: billing
        spec:
          database:
            engine: \(engine)
            version: "\(engine == "mysql" ? "8.0" : "15")"
            cluster: billing-db
            name: billing
            credentialsSecret: billing-db-credentials
        \(schema ? "    schema: schema.sql\n" : "")  app:
            name: webapp
            image: ghcr.io/acme/webapp:v2.3.1
        \(extra)  changes:
        \(changes)
        """
    }

    func rules(_ changes: String, engine: String = "postgresql", schema: Bool = true, extra: String = "") throws -> [String] {
        let diagnostics = try ValidationHarness.check(spec(changes, engine: engine, schema: schema, extra: extra),
                                                      files: ["schema.sql": Self.pricingSchema])
        return diagnostics.filter { $0.severity != .note }.map { "\($0.rule.rawValue) \($0.location.line)" }
    }

    @Test func implicitPostgresNamesAreTaken() throws {
        #expect(try rules("    - createIndex: {name: customers_email_key, table: customers, columns: [email]}") == ["CUT044 18"])
        #expect(try rules("    - addUnique: {name: pricing_pkey, table: pricing, columns: [plan_code]}") == ["CUT044 18"])
        #expect(try rules("    - createIndex: {name: pricing, table: customers, columns: [email]}") == ["CUT044 18"])
    }

    @Test func referencesFollowTheOrderOfChanges() throws {
        #expect(try rules("""
                - renameColumn: {table: pricing, from: plan_code, to: plan}
                - dropColumn: {table: pricing, column: plan_code}
            """) == ["CUT042 19"])
        #expect(try rules("""
                - renameTable: {from: pricing, to: prices}
                - addColumn: {table: pricing, column: {name: tier, type: text}}
                - addColumn: {table: prices, column: {name: tier, type: text}}
            """) == ["CUT041 19"])
        #expect(try rules("""
                - dropIndex: {name: pricing_amount_idx, table: pricing}
                - dropIndex: {name: pricing_amount_idx, table: pricing}
            """) == ["CUT043 19"])
        #expect(try rules("    - dropIndex: {name: customers_email_key, table: customers}") == ["CUT043 18"])
        #expect(try rules("    - dropIndex: {name: pricing_amount_idx, table: customers}") == ["CUT043 18"])
    }

    @Test func withoutSchemaOnlyKnownThingsAreChecked() throws {
        #expect(try rules("    - dropColumn: {table: anything, column: whatever}", schema: false) == [])
        #expect(try rules("    - dropIndex: {name: anything_idx, table: anything}", schema: false) == [])
        #expect(try rules("""
                - createTable:
                    name: tiers
                    columns: [{name: id, type: bigint}, {name: id, type: text}]
                    primaryKey: [code]
                - createIndex: {name: tiers_name_idx, table: tiers, columns: [name]}
                - dropIndex: {name: tiers_code_idx, table: tiers}
            """, schema: false) == ["CUT044 19", "CUT042 20", "CUT042 21", "CUT043 22"])
    }

    @Test func sqlChangesStopCompletenessChecks() throws {
        #expect(try rules("""
                - sql: {name: make-table, up: CREATE TABLE tiers (id bigint);, down: DROP TABLE tiers;}
                - addColumn: {table: tiers, column: {name: code, type: text}}
            """) == ["CUT047 18"])
    }

    @Test func foreignKeysMustReferenceKeys() throws {
        #expect(try rules("    - addForeignKey: {name: fk, table: pricing, columns: [plan_code], references: {table: customers, columns: [region]}}")
                == ["CUT049 18"])
        #expect(try rules("    - addForeignKey: {name: fk, table: pricing, columns: [plan_code], references: {table: customers, columns: [email]}}")
                == [])
        #expect(try rules("    - addForeignKey: {name: fk, table: pricing, columns: [plan_code], references: {table: customers, columns: [email]}, onDelete: set null}")
                == ["CUT049 18"])
    }

    @Test func checksumTablesAreChecked() throws {
        let verify = "  verify:\n    checksum:\n      tables: [pricing, audit_log, prices, pricing]\n"
        #expect(try rules("    - addColumn: {table: pricing, column: {name: tier, type: text}}", extra: verify)
                == ["CUT049 19", "CUT041 19", "CUT044 19"])
    }

    @Test func mysqlIsCaseInsensitiveForColumnsAndHasNoPartialIndexes() throws {
        #expect(try rules("    - dropColumn: {table: pricing, column: PLAN_CODE}", engine: "mysql") == [])
        #expect(try rules("    - createIndex: {name: i, table: pricing, columns: [amount], method: gin, where: amount > 0}", engine: "mysql")
                == ["CUT035 18", "CUT035 18"])
    }

    @Test func postgresIdentifiersStopAt63() throws {
        let long = String(repeating: "x", count: 64)
        #expect(try rules("    - addColumn: {table: pricing, column: {name: \(long), type: text}}") == ["CUT021 18"])
        #expect(try rules("    - addColumn: {table: pricing, column: {name: \(long), type: text}}", engine: "mysql") == [])
    }

    @Test func scriptsAreScannedForClientCommandsAndPasswords() {
        #expect(ScriptScanner.clientCommand(in: "SELECT 1;\n\\! sh\n", engine: .postgresql) == "\\!")
        #expect(ScriptScanner.clientCommand(in: "SELECT E'\\n', '\\d', $$ \\x $$; -- \\! in a comment\n", engine: .postgresql) == nil)
        #expect(ScriptScanner.clientCommand(in: "SELECT 'a\\'b';\n\\! ls", engine: .mysql) == "\\!")
        #expect(ScriptScanner.inlinePassword(in: "CREATE ROLE app LOGIN PASSWORD 'x';") == "password")
        #expect(ScriptScanner.inlinePassword(in: "CREATE USER a IDENTIFIED BY 'x';") == "identified by")
        #expect(ScriptScanner.inlinePassword(in: "SELECT dblink_connect('host=db password=x');") == "password")
        #expect(ScriptScanner.inlinePassword(in: "ALTER ROLE app PASSWORD NULL;") == nil)
    }

    @Test func imagePinning() {
        #expect(ConsistencyRules.pinningProblem("ghcr.io/acme/app") != nil)
        #expect(ConsistencyRules.pinningProblem("localhost:5000/app") != nil)
        #expect(ConsistencyRules.pinningProblem("app:latest") != nil)
        #expect(ConsistencyRules.pinningProblem("app:v1") == nil)
        #expect(ConsistencyRules.pinningProblem("app@sha256:" + String(repeating: "a", count: 64)) == nil)
    }
}
