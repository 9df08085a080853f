import CutoverTemplates

/// The files of the SQL ConfigMaps: every step's up and down file (text from `SQLFileRenderer`, so
/// the Jobs run exactly the SQL of `sql/`) and the runner scripts.
public struct RunnerFiles: Sendable {
    public var plan: MigrationPlan

    public init(_ plan: MigrationPlan) {
        self.plan = plan
    }

    /// Every file, in order: scripts (sorted) then the steps' up and down files by step number.
    public var allNames: [String] {
        RunnerProfile(plan.spec).scripts + plan.steps.sorted { $0.number < $1.number }.flatMap {
            [JobCatalog.fileName($0, .up), JobCatalog.fileName($0, .down)]
        }
    }

    /// The files a set of Jobs needs: the scripts and the files they name, in `allNames` order.
    public func names(for jobs: [JobUnit]) -> [String] {
        let used = Set(jobs.flatMap(\.files))
        let scripts = Set(RunnerProfile(plan.spec).scripts)
        return allNames.filter { scripts.contains($0) || used.contains($0) }
    }

    public func contents(_ name: String) -> String {
        if let file = Templates.File.script(named: name) {
            // The generated-by line goes right after the shebang.
            var lines = Templates.text(file).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            lines.insert(String(GeneratedHeader.yaml(plan.spec).dropLast()), at: min(1, lines.count))
            var text = lines.joined(separator: "\n")
            if !text.hasSuffix("\n") { text += "\n" }
            return text
        }
        for step in plan.steps {
            if name == JobCatalog.fileName(step, .up) { return SQLFileRenderer.render(step, .up, plan: plan) }
            if name == JobCatalog.fileName(step, .down) { return SQLFileRenderer.render(step, .down, plan: plan) }
        }
        return ""
    }
}
