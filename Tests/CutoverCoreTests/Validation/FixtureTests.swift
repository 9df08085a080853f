@testable import CutoverPlan
@testable import CutoverSpec
@testable import CutoverCore
import Foundation
import Testing

/// fixtures/invalid: each `NNN-slug.yaml` reports exactly the errors and warnings of `NNN-slug.expected`
/// (a fixture whose first line starts `# warning:` validates without error and reports only warnings);
/// so does each `fixtures/corpus/*.invalid.yaml` (an invalid spec on a corpus dump: CUT045 keeps its
/// schema in the spec's own folder, so it lives beside the dump rather than a copy of it).
/// fixtures/valid: realistic specs on both engines that validate with no error.
@Suite struct FixtureTests {
    static let invalid = ValidationHarness.files(in: "fixtures/invalid", ending: ".yaml").map { "invalid/\($0)" }
        + ValidationHarness.files(in: "fixtures/corpus", ending: ".invalid.yaml").map { "corpus/\($0)" }
    static let valid = ValidationHarness.files(in: "fixtures/valid", ending: ".yaml")

    @Test func thereAreEnoughFixtures() {
        #expect(Self.invalid.count >= 70)
        #expect(Self.valid.count >= 6)
    }

    @Test(arguments: invalid)
    func invalidFixture(_ name: String) throws {
        let folder = ValidationHarness.packageRoot.appendingPathComponent("fixtures")
        let path = folder.appendingPathComponent(name).path
        let expectedPath = folder.appendingPathComponent(String(name.dropLast(5)) + ".expected").path
        let expected = try String(contentsOfFile: expectedPath, encoding: .utf8)
            .split(separator: "\n").map(String.init).filter { !$0.isEmpty }
        let result = try Compiler().check(fileAt: path)
        if try String(contentsOfFile: path, encoding: .utf8).hasPrefix("# warning:") {
            #expect(!result.hasErrors && !expected.isEmpty, "\(name): \(result.diagnostics.map(\.message))")
            #expect(result.diagnostics.allSatisfy { $0.severity != .error })
        } else {
            #expect(result.hasErrors)
        }
        #expect(ValidationHarness.summary(result.diagnostics) == expected,
                "\(name): \(result.diagnostics.map { "\($0.rule.rawValue) \($0.location.line):\($0.location.column) \($0.message)" })")
    }

    @Test(arguments: valid)
    func validFixture(_ name: String) throws {
        let path = ValidationHarness.packageRoot.appendingPathComponent("fixtures/valid").appendingPathComponent(name).path
        let result = try Compiler().check(fileAt: path)
        #expect(!result.hasErrors, "\(name): \(result.diagnostics.map(\.message))")
        // Besides unchecked sql: the notes of a real dump, the warnings that name the dependents a change touches,
        // those that name a MySQL step or rollback that copies a table (MySQLTableCopyTests checks which), and
        // PostgreSQL retypes whose new-version writes must fit the old type until contract (CUT109), and a
        // dropped identity whose ids the new version draws from its sequence until contract (CUT115).
        #expect(result.diagnostics.allSatisfy { [.uncheckedSQL, .dependentTouched, .schemaStatementSkipped, .mysqlTableCopy, .mysqlSwapClient, .postgresRetypedWrite, .mysqlRetypedWrite, .identityDropIds].contains($0.rule) },
                "\(name): \(result.diagnostics.map(\.message))")
        #expect(result.validated?.schema != nil, "\(name) should name a schema file")
    }

    /// Every corpus migration (fixtures/corpus, not *.invalid.yaml) reads its real dump and validates
    /// with no error; only the dump's notes and dependent warnings may appear. There are ten dumps.
    @Test func corpusMigrationsValidate() throws {
        let folder = ValidationHarness.packageRoot.appendingPathComponent("fixtures/corpus")
        let specs = ValidationHarness.files(in: "fixtures/corpus", ending: ".yaml").filter { !$0.hasSuffix(".invalid.yaml") }
        #expect(specs.count >= 10)
        let dumps = Set(specs.compactMap { try? Compiler().check(fileAt: folder.appendingPathComponent($0).path).validated?.spec.database.schema?.value })
        #expect(dumps.count >= 10, "\(dumps.sorted())")
        for name in specs {
            let result = try Compiler().check(fileAt: folder.appendingPathComponent(name).path)
            #expect(!result.hasErrors, "\(name): \(result.diagnostics.map(\.message))")
            #expect(result.diagnostics.allSatisfy { [.dependentTouched, .schemaStatementSkipped].contains($0.rule) },
                    "\(name): \(result.diagnostics.map(\.message))")
        }
    }

    /// Between them the valid fixtures use every operation on both engines, and one is blue-green.
    @Test func validFixturesCoverEveryOperation() throws {
        var seen: Set<String> = []
        var blueGreen = false
        for name in Self.valid {
            let path = ValidationHarness.packageRoot.appendingPathComponent("fixtures/valid").appendingPathComponent(name).path
            guard let spec = try Compiler().check(fileAt: path).validated?.spec else { continue }
            if spec.strategy == .blueGreen { blueGreen = true }
            for change in spec.changes { seen.insert("\(spec.database.engine.rawValue) \(change.operation.keyword)") }
        }
        // Every operation on each engine that has it: an engine that lacks one refuses it, either through
        // the unit's `engines` (CUT080) or in its own check with its own fix (its examples there are
        // refusals, e.g. createEnum on MySQL, CUT085); an invalid fixture covers those.
        let refused = Set(OperationUnits.all.flatMap { unit in
            [MigrationSpec.Engine.postgresql, .mysql].filter { engine in
                let examples = unit.examples.filter { $0.engine == engine }
                return !examples.isEmpty && examples.allSatisfy { $0.refusal != nil }
            }.map { "\($0.rawValue) \(unit.keyword)" }
        })
        for unit in OperationUnits.all {
            for engine in unit.engines.map(\.rawValue).sorted() where !refused.contains("\(engine) \(unit.keyword)") {
                #expect(seen.contains("\(engine) \(unit.keyword)"), "no valid fixture has \(unit.keyword) on \(engine)")
            }
        }
        #expect(blueGreen)
    }

    @Test func sharedExamplesStayClean() throws {
        let folder = ValidationHarness.packageRoot.deletingLastPathComponent().appendingPathComponent("shared/examples")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path))?.filter { $0.hasSuffix(".yaml") } ?? []
        for name in names {
            let result = try Compiler().check(fileAt: folder.appendingPathComponent(name).path)
            #expect(!result.hasErrors, "\(name): \(result.diagnostics.map(\.message))")
            let warnings = result.diagnostics.filter { $0.severity == .warning }.map(\.rule)
            // pricing-tiers drops the NOT NULL column plan_code without a 'down' to refill it (CUT053),
            // sets a lag limit without a lag query (CUT054) and, like orders-customer-ref, a runner
            // deadline shorter than the statement timeout (CUT055); orders-customer-ref widens orders.note in place on
            // MySQL, and the rollback narrows it back with a copy of the table (CUT073).
            let expected: [String: [RuleID]] = ["pricing-tiers.yaml": [.deadlineRaised, .uncheckedSQL, .unsafeRollback, .ignoredLagLimit],
                                                "orders-customer-ref.yaml": [.deadlineRaised, .mysqlTableCopy]]
            #expect(warnings.sorted() == expected[name, default: []].sorted(), "\(name): \(warnings)")
        }
    }
}
