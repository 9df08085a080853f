@testable import CutoverPlan
@testable import CutoverSpec
import Foundation
import Testing

/// A setting is declared once (`Settings`): the default docs/spec.md and the JSON Schema print is the
/// value a spec gets when it leaves the setting out, and writing that printed default into the spec
/// gives the same value.
@Suite struct SettingsTests {
    /// The spec the rules' examples start from sets none of these settings.
    static func built(_ extra: String = "", app: String = Snippets.app, database: String = Snippets.pgDatabase) -> MigrationSpec {
        let text = Snippets.spec(database: database, app: app, extra: extra)
        var bag = DiagnosticBag(file: "spec.yaml")
        let root = SyntaxParser().parse(SourceFile(path: "spec.yaml", text: text), limits: .default, diagnostics: &bag)!
        return SpecBuilder().build(root, path: "spec.yaml")
    }

    /// `name: <documented default>` read back by the setting.
    static func readsBack<Value: SettingValue & Equatable>(_ setting: Setting<Value>) -> Bool {
        guard let words = setting.defaultText else { return false }
        var bag = DiagnosticBag(file: "t.yaml")
        let root = SyntaxParser().parse(SourceFile(path: "t.yaml", text: "\(setting.name): \"\(words)\"\n"), limits: .default, diagnostics: &bag)
        return setting.read(in: root) == setting.fallback
    }

    @Test func documentedDefaultsReadBackAsTheDefaults() {
        #expect(Self.readsBack(Settings.Column.nullable) && Self.readsBack(Settings.Column.unique))
        #expect(Self.readsBack(Settings.Column.referencedColumn) && Self.readsBack(Settings.Column.onDelete))
        #expect(Self.readsBack(Settings.Operation.onDelete) && Self.readsBack(Settings.Operation.dropDefault))
        #expect(Self.readsBack(Settings.Operation.uniqueIndex) && Self.readsBack(Settings.Operation.method))
        #expect(Self.readsBack(Settings.Operation.phase) && Self.readsBack(Settings.Operation.transactional))
        #expect(Self.readsBack(Settings.strategy) && Self.readsBack(Settings.replication) && Self.readsBack(Settings.purge))
        #expect(Self.readsBack(Settings.Database.operator) && Self.readsBack(Settings.Target.instances))
        #expect(Self.readsBack(Settings.App.replicas) && Self.readsBack(Settings.App.port) && Self.readsBack(Settings.App.podTemplate))
        #expect(Self.readsBack(Settings.App.runAsUser) && Self.readsBack(Settings.App.runAsGroup))
        #expect(Self.readsBack(Settings.App.readOnlyRootFilesystem))
        #expect(Self.readsBack(Settings.Runner.lockTimeout) && Self.readsBack(Settings.Runner.statementTimeout))
        #expect(Self.readsBack(Settings.Runner.deadline) && Self.readsBack(Settings.Runner.backoffLimit))
        #expect(Self.readsBack(Settings.Backfill.batchSize) && Self.readsBack(Settings.Backfill.pause))
        #expect(Self.readsBack(Settings.Analysis.interval) && Self.readsBack(Settings.Switchover.maxReplicationLagSeconds))
        #expect(Self.readsBack(Settings.Checksum.rangeSize))
    }

    @Test func aSpecThatSetsNothingGetsTheDocumentedDefaults() {
        let spec = Self.built(Snippets.rollout(analysis: "      maxErrorRatio: 0.01\n") + "  backfill: {}\n")
        #expect(spec.strategy.rawValue == "expand-contract" && spec.database.operator.rawValue == "none")
        #expect(spec.database.port == 5432 && spec.runner.tool.rawValue == "psql")
        #expect(spec.app.replicas == 2 && spec.app.port == 8080 && spec.app.runAsUser == 10001 && spec.app.versionSchemas)
        #expect(spec.app.resources == .init(requests: ["cpu": "100m", "memory": "128Mi"], limits: ["cpu": "1", "memory": "512Mi"]))
        #expect(spec.runner.lockTimeout.text == "5s" && spec.runner.statementTimeout.text == "30m" && spec.runner.deadline.text == "30m")
        #expect(spec.runner.backoffLimit == 2 && spec.backfill.batchSize == 1000 && spec.backfill.pause.text == "100ms")
        #expect(spec.rollout?.analysis?.interval.text == "1m" && spec.purge == false)
        let mysql = Self.built(database: Snippets.pgDatabase.replacingOccurrences(of: "postgresql", with: "mysql"))
        #expect(mysql.database.port == 3306 && mysql.runner.tool.rawValue == "mysql")
        // MySQL's databases of views (`MySQLVersionSchemas`) are the default there too.
        #expect(mysql.app.versionSchemas)
    }

    /// The words of the per-engine and computed defaults, as docs/spec.md prints them.
    @Test func defaultWords() {
        #expect(Settings.Database.port.defaultText == "5432 (postgresql), 3306 (mysql)")
        #expect(Settings.Runner.tool.defaultText == "psql (postgresql), mysql (mysql)")
        #expect(Settings.App.versionSchemas.defaultText == "views")
        #expect(Settings.App.resources.defaultText == "requests 100m/128Mi, limits 1/512Mi")
        #expect(Settings.Switchover.maxReplicationLagSeconds.defaultText == "1")
        #expect(Settings.Operation.method.defaultText == "btree" && Settings.Column.onDelete.defaultText == "no action")
    }
}
