import CutoverPlan
import CutoverTemplates

/// The files of the SQL ConfigMaps: every step's up and down file (text from `SQLFileRenderer`, so
/// the Jobs run exactly the SQL of `sql/`) and the runner scripts.
public struct RunnerFiles: Sendable {
    public var plan: MigrationPlan
    /// Every file, in order: scripts (sorted) then the steps' up and down files by step number.
    public let allNames: [String]
    /// The runner scripts, sorted; every SQL ConfigMap carries them.
    public let scripts: [String]
    /// File name to step index and direction, built once: looking names up by scanning the steps made
    /// emitting quadratic in the number of steps.
    private let stepFiles: [String: (Int, SQLFileRenderer.Direction)]
    /// Position of each name in `allNames`.
    private let order: [String: Int]
    private let sql: RenderedSQL
    private let scriptTexts: [String: String]
    /// The Jobs' refusal checks, built once: `files(for:)` runs per ConfigMap, and building them per call
    /// was 6% of `generate` with a thousand changes.
    private let refusalChecks: JobRefusalChecks

    public init(_ plan: MigrationPlan) {
        self.init(plan, sql: RenderedSQL(plan))
    }

    public init(_ plan: MigrationPlan, sql: RenderedSQL) {
        self.plan = plan
        self.sql = sql
        let scripts = RunnerProfile(plan.spec).scripts
        var names = scripts
        var stepFiles: [String: (Int, SQLFileRenderer.Direction)] = [:]
        stepFiles.reserveCapacity(plan.steps.count * 2)
        let order = plan.steps.indices.sorted { plan.steps[$0].number < plan.steps[$1].number }
        for index in order {
            for direction in [SQLFileRenderer.Direction.up, .down] {
                let name = "\(sql.stems[index]).\(direction.rawValue).sql"
                names.append(name)
                stepFiles[name] = (index, direction)
            }
        }
        self.allNames = names
        self.scripts = scripts
        self.stepFiles = stepFiles
        var positions: [String: Int] = [:]
        positions.reserveCapacity(names.count)
        for (position, name) in names.enumerated() where positions[name] == nil { positions[name] = position }
        self.order = positions
        var texts: [String: String] = [:]
        for name in scripts where Templates.File.script(named: name) != nil { texts[name] = Self.scriptText(name, plan: plan) }
        self.scriptTexts = texts
        self.refusalChecks = JobRefusalChecks(plan)
    }

    private static func scriptText(_ name: String, plan: MigrationPlan) -> String {
        guard let file = Templates.File.script(named: name) else { return "" }
        // The generated-by line goes right after the shebang.
        var lines = Templates.text(file).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines.insert(String(GeneratedHeader.yaml(plan.spec).dropLast()), at: min(1, lines.count))
        var text = lines.joined(separator: "\n")
        if !text.hasSuffix("\n") { text += "\n" }
        return text
    }

    /// The files a set of Jobs needs: the scripts and the files they name, in `allNames` order.
    public func names(for jobs: [JobUnit]) -> [String] {
        files(for: jobs).map(\.key)
    }

    /// `names(for:)` with each file's contents.
    public func files(for jobs: [JobUnit]) -> [KeyValue] {
        let steps = positions(for: jobs).map { position in
            let name = allNames[position]
            if position >= scripts.count, let (index, direction) = stepFiles[name] { return KeyValue(name, sql.text(index, direction)) }
            return KeyValue(name, contents(name))
        }
        // The Jobs' refusal checks files (`JobRefusalChecks`), after the scripts, before the steps.
        let checks = refusalChecks
        var hoisted: [KeyValue] = []
        for job in jobs {
            if let file = checks.file(for: job), !hoisted.contains(where: { $0.key == file.key }) { hoisted.append(file) }
        }
        guard !hoisted.isEmpty else { return steps }
        let scriptCount = steps.prefix { scripts.contains($0.key) }.count
        return Array(steps.prefix(scriptCount)) + hoisted + Array(steps.dropFirst(scriptCount))
    }

    /// Positions in `allNames` of the scripts and the Jobs' files, sorted, each once.
    private func positions(for jobs: [JobUnit]) -> [Int] {
        var positions = scripts.compactMap { order[$0] }
        for job in jobs {
            for file in job.files {
                if let position = order[file] { positions.append(position) }
            }
        }
        positions.sort()
        var unique: [Int] = []
        unique.reserveCapacity(positions.count)
        for position in positions where unique.last != position { unique.append(position) }
        return unique
    }

    public func contents(_ name: String) -> String {
        if let text = scriptTexts[name] { return text }
        guard let (index, direction) = stepFiles[name] else {
            return Templates.File.script(named: name) == nil ? "" : Self.scriptText(name, plan: plan)
        }
        return sql.text(index, direction)
    }
}
