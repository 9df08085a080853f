@testable import CutoverPlan
@testable import CutoverSpec
import Foundation
import Testing

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
            """) == ["CUT041 19", "CUT105 20"])
        #expect(try rules("""
                - dropIndex: {name: pricing_amount_idx, table: pricing}
                - dropIndex: {name: pricing_amount_idx, table: pricing}
            """) == ["CUT043 19"])
        #expect(try rules("    - dropIndex: {name: customers_email_key, table: customers}") == ["CUT043 18"])
        #expect(try rules("    - dropIndex: {name: pricing_amount_idx, table: customers}") == ["CUT043 18"])
    }

    /// A type change with `nullable: true` of a NOT NULL column relaxes it in expand (issue #14): its
    /// rollback keeps the NULL rows, warned as a plain relax is; its `down` maps values, it is no refill.
    /// (integer → bigint also warns CUT109, the new version's writes through the old type; not this test's rule.)
    @Test func retypedRelaxWarnsAsARelax() throws {
        let relax = { (change: String) in try rules(change).filter { !$0.hasPrefix("CUT109") } }
        #expect(try relax("    - alterColumn: {table: pricing, column: amount, type: bigint, nullable: true}") == ["CUT053 18"])
        #expect(try relax("    - alterColumn: {table: pricing, column: amount, type: bigint, nullable: true, down: \"amount::integer\"}") == ["CUT053 18"])
        #expect(try relax("    - alterColumn: {table: customers, column: region, type: varchar(20), nullable: true}") == [])
        #expect(try relax("    - alterColumn: {table: pricing, column: amount, type: bigint}") == [])
        #expect(try rules("    - alterColumn: {table: pricing, column: amount, type: bigint}") == ["CUT109 18"])
    }

    @Test func withoutSchemaOnlyKnownThingsAreChecked() throws {
        #expect(try rules("    - dropColumn: {table: anything, column: whatever}", schema: false) == [])
        // The index may well exist, but its definition is unknown: the step cannot be undone (warning).
        #expect(try rules("    - dropIndex: {name: anything_idx, table: anything}", schema: false) == ["CUT053 17"])
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
        #expect(try rules("    - dropColumn: {table: pricing, column: PLAN_CODE, down: \"'none'\"}", engine: "mysql") == [])
        #expect(try rules("    - createIndex: {name: i, table: pricing, columns: [amount], method: gin, where: amount > 0}", engine: "mysql")
                == ["CUT035 18", "CUT035 18"])
    }

    func messages(_ changes: String, rule: RuleID, engine: String = "postgresql") throws -> [String] {
        let diagnostics = try ValidationHarness.check(spec(changes, engine: engine), files: ["schema.sql": Self.pricingSchema])
        return diagnostics.filter { $0.rule == rule }.map(\.message)
    }

    /// Trial 14h SHOULDs: each hint offers what the user can do. No change renames a column and alters it
    /// too (CUT052), and a check put before a PostgreSQL retype into another family of types is refused
    /// by CUT108, so CUT094 offers a migration of its own only.
    @Test func hintsOfferWhatCanBeDone() throws {
        let renamed = try messages("""
                - renameColumn: {table: pricing, from: amount, to: price}
                - alterColumn: {table: pricing, column: price, type: bigint}
            """, rule: .columnChangedTwice)
        #expect(renamed.count == 1 && renamed.allSatisfy { !$0.contains("merge") && $0.contains("use two migrations: the rename in one") }, "\(renamed)")
        let added = try messages("""
                - addColumn: {table: pricing, column: {name: tier, type: text}}
                - alterColumn: {table: pricing, column: tier, default: "'basic'"}
            """, rule: .columnChangedTwice)
        #expect(added.count == 1 && added.allSatisfy { $0.hasSuffix("declare the column in that addColumn as it should end instead") }, "\(added)")
        let altered = try messages("""
                - alterColumn: {table: pricing, column: amount, default: "0"}
                - alterColumn: {table: pricing, column: amount, type: bigint}
            """, rule: .columnChangedTwice)
        #expect(altered.count == 1 && altered.allSatisfy { $0.hasSuffix("merge them into one change or use two migrations") }, "\(altered)")

        let acrossFamilies = try messages("""
                - alterColumn: {table: pricing, column: plan_code, type: integer, up: "CAST(plan_code AS integer)", down: "CAST(plan_code AS text)"}
                - addCheck: {name: pricing_plan_positive, table: pricing, expression: plan_code > 0}
            """, rule: .retypedColumnKey)
        #expect(acrossFamilies.count == 1 && acrossFamilies.allSatisfy {
            !$0.contains("put this change before") && $0.contains("migration of its own, after this one's contract") && $0.contains("CUT108")
        }, "\(acrossFamilies)")
        // The same check put before that retype: CUT108, as the hint says.
        #expect(try rules("""
                - addCheck: {name: pricing_plan_positive, table: pricing, expression: "length(plan_code) > 0"}
                - alterColumn: {table: pricing, column: plan_code, type: integer, up: "CAST(plan_code AS integer)", down: "CAST(plan_code AS text)"}
            """) == ["CUT108 19"])
        let withinFamily = try messages("""
                - alterColumn: {table: pricing, column: amount, type: bigint}
                - addCheck: {name: pricing_amount_positive, table: pricing, expression: amount > 0}
            """, rule: .retypedColumnKey)
        #expect(withinFamily.count == 1 && withinFamily.allSatisfy { $0.contains("put this change before that alterColumn") }, "\(withinFamily)")
        // A partial index that reads the column only in its WHERE is not rebuilt on the copy (CUT078 before the retype).
        let predicate = try messages("""
                - alterColumn: {table: pricing, column: amount, type: bigint}
                - createIndex: {name: pricing_plan_live, table: pricing, columns: [plan_code], where: amount > 0}
            """, rule: .retypedColumnKey)
        #expect(predicate.count == 1 && predicate.allSatisfy { !$0.contains("put this change before") && $0.contains("CUT078") }, "\(predicate)")
        // MySQL carries checks by dropping and adding them again on the new column: before the retype works.
        let mysql = try messages("""
                - alterColumn: {table: pricing, column: amount, type: "DECIMAL(12,2)"}
                - addCheck: {name: pricing_amount_positive, table: pricing, expression: amount > 0}
            """, rule: .retypedColumnKey, engine: "mysql")
        #expect(mysql.count == 1 && mysql.allSatisfy { $0.contains("put this change before that alterColumn") }, "\(mysql)")
    }

    @Test func aColumnIsChangedOnce() throws {
        #expect(try rules("""
                - addColumn: {table: pricing, column: {name: tier, type: text}}
                - alterColumn: {table: pricing, column: tier, default: "'basic'"}
            """) == ["CUT052 19"])
        #expect(try rules("""
                - alterColumn: {table: pricing, column: amount, default: "0"}
                - alterColumn: {table: pricing, column: amount, type: bigint}
                - dropColumn: {table: pricing, column: amount, down: "0"}
            """) == ["CUT052 19", "CUT052 20"])
        // The column keeps its identity across renames of it and of its table; MySQL names are case-insensitive.
        #expect(try rules("""
                - renameTable: {from: pricing, to: prices}
                - renameColumn: {table: prices, from: plan_code, to: plan}
                - dropColumn: {table: prices, column: PLAN, down: "'x'"}
            """, engine: "mysql") == ["CUT105 19", "CUT052 20"])
        // Different columns, and indexes or constraints on a changed column, are fine.
        #expect(try rules("""
                - addColumn: {table: pricing, column: {name: tier, type: text}}
                - createIndex: {name: pricing_tier_idx, table: pricing, columns: [tier]}
                - addCheck: {name: pricing_tier_check, table: pricing, expression: "tier <> ''"}
                - alterColumn: {table: pricing, column: amount, default: "0"}
            """) == [])
    }

    @Test func backfillsAndColumnReplacementsNeedKeys() throws {
        // audit_log has no primary key: every batched backfill is refused, metadata-only changes are not.
        #expect(try rules("""
                - alterColumn: {table: audit_log, column: message, default: "''"}
                - addColumn: {table: audit_log, column: {name: level, type: text, nullable: false, default: "'info'"}}
                - addColumn: {table: audit_log, column: {name: seen_at, type: timestamptz, default: clock_timestamp()}}
            """) == ["CUT049 20"])
        #expect(try rules("    - alterColumn: {table: audit_log, column: message, type: jsonb, up: to_jsonb(message)}") == ["CUT049 18"])
        #expect(try rules("    - alterColumn: {table: audit_log, column: message, nullable: false, up: \"''\"}") == ["CUT049 18"])
        // A widening of a key column is metadata-only; a rewrite is not.
        #expect(try rules("    - alterColumn: {table: pricing, column: id, type: numeric}") == ["CUT049 18"])
        #expect(try rules("    - alterColumn: {table: customers, column: id, type: bigint}") == [])
        // Without a schema file nothing is known about keys.
        #expect(try rules("    - renameColumn: {table: audit_log, from: message, to: body}", schema: false) == [])
    }

    @Test func versionsAndStrategiesFitTheLowering() throws {
        let old = spec("    - addColumn: {table: pricing, column: {name: tier, type: text}}").replacingOccurrences(of: "version: \"15\"", with: "version: \"10.4\"")
        let diagnostics = try ValidationHarness.check(old, files: ["schema.sql": Self.pricingSchema])
        #expect(diagnostics.map(\.rule) == [.engineConsistency])
        let eleven = old.replacingOccurrences(of: "version: \"10.4\"", with: "version: \"11\"")
        #expect(try ValidationHarness.check(eleven, files: ["schema.sql": Self.pricingSchema]).isEmpty)
    }

    @Test func postgresIdentifiersStopAt63() throws {
        let long = String(repeating: "x", count: 64)
        #expect(try rules("    - addColumn: {table: pricing, column: {name: \(long), type: text}}") == ["CUT021 18"])
        #expect(try rules("    - addColumn: {table: pricing, column: {name: \(long), type: text}}", engine: "mysql") == [])
    }

    @Test func scriptsAreScannedForClientCommandsAndPasswords() {
        func commands(_ text: String, _ engine: MigrationSpec.Engine) -> [String] {
            SQLLexer.check(text, engine: engine).forbiddenCommands(allowDumpRestrict: false).map(\.name)
        }
        #expect(commands("SELECT 1;\n\\! sh\n", .postgresql) == ["\\!"])
        #expect(commands("SELECT E'\\n', '\\d', $$ \\x $$; -- \\! in a comment\n", .postgresql) == [])
        #expect(commands("SELECT 'a\\'b';\n\\! ls", .mysql) == ["\\!"])
        #expect(ScriptScanner.inlinePassword(in: "CREATE ROLE app LOGIN PASSWORD 'x';") == "password")
        #expect(ScriptScanner.inlinePassword(in: "CREATE USER a IDENTIFIED BY 'x';") == "identified by")
        #expect(ScriptScanner.inlinePassword(in: "SELECT dblink_connect('host=db password=x');") == "password")
        #expect(ScriptScanner.inlinePassword(in: "ALTER ROLE app PASSWORD NULL;") == nil)
    }

    @Test func imagePinning() {
        #expect(UnpinnedImageRule.pinningProblem("ghcr.io/acme/app") != nil)
        #expect(UnpinnedImageRule.pinningProblem("localhost:5000/app") != nil)
        #expect(UnpinnedImageRule.pinningProblem("app:latest") != nil)
        #expect(UnpinnedImageRule.pinningProblem("app:v1") == nil)
        #expect(UnpinnedImageRule.pinningProblem("app@sha256:" + String(repeating: "a", count: 64)) == nil)
    }
}
