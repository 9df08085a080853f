import Yams

/// Liquibase: `liquibase/changelog.yaml` with one changeSet per step (its SQL the same text as the
/// golang-migrate files), its rollback, and `runInTransaction: false` where the step needs it. Purge
/// and blue-green steps get changelogs of their own (`changelog-purge.yaml`, `changelog-blue.yaml`,
/// `changelog-green.yaml`), so `liquibase update` on the main changelog can never run them.
/// The changelog is built as Yams nodes; every string is explicitly quoted (or a literal block) so
/// values such as "yes" or "8080" stay strings.
public struct LiquibaseEmitter: Emitting {
    public init() {}

    public func emit(_ plan: MigrationPlan) -> [OutputFile] {
        var groups: [(String, [PlanStep])] = []
        for step in plan.steps {
            let file = Self.changelogName(for: step)
            if let index = groups.firstIndex(where: { $0.0 == file }) {
                groups[index].1.append(step)
            } else {
                groups.append((file, [step]))
            }
        }
        return groups.map { file, steps in
            OutputFile(path: "liquibase/\(file)", contents: Self.changelog(steps, plan: plan))
        }
    }

    public static func changelogName(for step: PlanStep) -> String {
        if let side = step.side { return "changelog-\(side.rawValue).yaml" }
        if step.phase == .purge { return "changelog-purge.yaml" }
        return "changelog.yaml"
    }

    static func string(_ value: String) -> Node {
        if value.contains("\n") { return Node(value, Tag(.str), .literal) }
        return Node(value, Tag(.str), .singleQuoted)
    }

    static func bool(_ value: Bool) -> Node { Node(value ? "true" : "false", Tag(.bool), .plain) }

    static func mapping(_ pairs: [(String, Node)]) -> Node {
        Node(pairs.map { (Node($0.0, Tag(.str), .plain), $0.1) }, Tag(.map), .block)
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
        let dbms = plan.spec.database.engine.rawValue
        let changeSets = steps.map { step -> Node in
            var pairs: [(String, Node)] = [
                ("id", string(step.fileStem)),
                ("author", string("cutover")),
                ("comment", string(step.title)),
                ("labels", string(step.phase.rawValue)),
            ]
            if !step.transactional { pairs.append(("runInTransaction", bool(false))) }
            pairs.append(("changes", Node([sqlChange(SQLFileRenderer.render(step, .up, plan: plan), dbms: dbms)], Tag(.seq), .block)))
            pairs.append(("rollback", Node([sqlChange(SQLFileRenderer.render(step, .down, plan: plan), dbms: dbms)], Tag(.seq), .block)))
            return mapping([("changeSet", mapping(pairs))])
        }
        let root = mapping([("databaseChangeLog", Node(changeSets, Tag(.seq), .block))])
        let body = (try? Yams.serialize(node: root, indent: 2, width: -1, allowUnicode: true, lineBreak: .ln)) ?? ""
        return GeneratedHeader.yaml(plan.spec) + body
    }
}
