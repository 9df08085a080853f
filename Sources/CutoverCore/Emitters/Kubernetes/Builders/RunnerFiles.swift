import CutoverTemplates

/// The files of the SQL ConfigMaps: every step's up and down file (text from `SQLFileRenderer`, so
/// the Jobs run exactly the SQL of `sql/`) and the runner scripts.
public struct RunnerFiles: Sendable {
    public var plan: MigrationPlan
    /// Every file, in order: scripts (sorted) then the steps' up and down files by step number.
    public let allNames: [String]
    /// File name to step index and direction, built once: looking names up by scanning the steps made
    /// emitting quadratic in the number of steps.
    private let stepFiles: [String: (Int, SQLFileRenderer.Direction)]

    public init(_ plan: MigrationPlan) {
        self.plan = plan
        var names = RunnerProfile(plan.spec).scripts
        var stepFiles: [String: (Int, SQLFileRenderer.Direction)] = [:]
        let order = plan.steps.indices.sorted { plan.steps[$0].number < plan.steps[$1].number }
        for index in order {
            for direction in [SQLFileRenderer.Direction.up, .down] {
                let name = JobCatalog.fileName(plan.steps[index], direction)
                names.append(name)
                stepFiles[name] = (index, direction)
            }
        }
        self.allNames = names
        self.stepFiles = stepFiles
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
        guard let (index, direction) = stepFiles[name] else { return "" }
        return SQLFileRenderer.render(plan.steps[index], direction, plan: plan)
    }
}
