import CutoverPlan
import Yams

/// Liquibase: `liquibase/changelog.yaml` with one changeSet per step (its SQL the same text as the
/// golang-migrate files), its rollback, and `runInTransaction: false` where the step needs it. Purge
/// and blue-green steps get changelogs of their own (`changelog-purge.yaml`, `changelog-blue.yaml`,
/// `changelog-green.yaml`), so `liquibase update` on the main changelog can never run them.
/// The changelog is built as Yams nodes; every string is explicitly quoted (or a literal block) so
/// values such as "yes" or "8080" stay strings.
public struct LiquibaseEmitter: Emitting {
    public init() {}

    public func emit(_ context: EmissionContext, to sink: (OutputFile) throws -> Void) rethrows {
        var groups: [(String, [Int])] = []
        for (index, step) in context.plan.steps.enumerated() {
            let file = Self.changelogName(for: step)
            if let group = groups.firstIndex(where: { $0.0 == file }) {
                groups[group].1.append(index)
            } else {
                groups.append((file, [index]))
            }
        }
        for (file, indices) in groups {
            try sink(OutputFile(path: "liquibase/\(file)", bytes: Self.changelogBytes(indices, steps: context.plan.steps, plan: context.plan, sql: context.sql)))
        }
    }

    public static func changelogName(for step: PlanStep) -> String {
        if let side = step.side { return "changelog-\(side.rawValue).yaml" }
        if step.phase == .purge { return "changelog-purge.yaml" }
        return "changelog.yaml"
    }

    static func string(_ value: String) -> Node {
        if value.utf8.contains(0x0A) { return Node(value, YAMLTags.str, .literal) }
        return Node(value, YAMLTags.str, .singleQuoted)
    }

    static func bool(_ value: Bool) -> Node { Node(value ? "true" : "false", YAMLTags.bool, .plain) }

    static func mapping(_ pairs: [(String, Node)]) -> Node {
        Node(pairs.map { (Node($0.0, YAMLTags.str, .plain), $0.1) }, YAMLTags.map, .block)
    }

    static func sqlChange(_ text: String, dbms: String) -> Node {
        mapping([("sql", mapping([
            ("dbms", string(dbms)),
            ("splitStatements", bool(true)),
            ("stripComments", bool(false)),
            ("sql", string(text)),
        ]))])
    }

    public static func changelog(_ steps: [PlanStep], plan: MigrationPlan) -> String {
        var subset = plan
        subset.steps = steps
        let sql = RenderedSQL(subset)
        return changelog(Array(steps.indices), steps: steps, plan: plan, sql: sql)
    }

    /// The changelog of the steps at `indices` of `plan.steps`.
    static func changelog(_ indices: [Int], plan: MigrationPlan, sql: RenderedSQL) -> String {
        changelog(indices, steps: plan.steps, plan: plan, sql: sql)
    }

    private static func changelog(_ indices: [Int], steps: [PlanStep], plan: MigrationPlan, sql: RenderedSQL) -> String {
        String(decoding: changelogBytes(indices, steps: steps, plan: plan, sql: sql), as: UTF8.self)
    }

    private static func changelogBytes(_ indices: [Int], steps: [PlanStep], plan: MigrationPlan, sql: RenderedSQL) -> [UInt8] {
        let header = GeneratedHeader.yaml(plan.spec)
        let dbms = plan.spec.database.engine.rawValue
        let changeSets = indices.map { index -> Node in
            let step = steps[index]
            var pairs: [(String, Node)] = [
                ("id", string(sql.stems[index])),
                ("author", string("cutover")),
                ("comment", string(step.title)),
                ("labels", string(step.phase.rawValue)),
            ]
            if !step.transactional { pairs.append(("runInTransaction", bool(false))) }
            pairs.append(("changes", Node([sqlChange(sql.up[index], dbms: dbms)], YAMLTags.seq, .block)))
            pairs.append(("rollback", Node([sqlChange(sql.down[index], dbms: dbms)], YAMLTags.seq, .block)))
            return mapping([("changeSet", mapping(pairs))])
        }
        let root = mapping([("databaseChangeLog", Node(changeSets, YAMLTags.seq, .block))])
        // Yams only throws for events libyaml rejects; this tree is always well-formed. Width -1: SQL
        // lines stay as written inside literal blocks.
        let body = (try? Yams.serialize(node: root, indent: 2, width: -1, allowUnicode: true, lineBreak: .ln)) ?? ""
        return Array(header.utf8) + Array(body.utf8)
    }
}
