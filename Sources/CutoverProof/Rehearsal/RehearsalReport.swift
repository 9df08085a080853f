import CutoverEmit
import Foundation

/// What a rehearsal found: a section per delivery stage, with the Jobs it ran, what each app version
/// sent, the longest blocking lock and the time; the checks; the failures; and the verdict.
public struct RehearsalReport: Sendable, Codable {
    public struct JobLine: Sendable, Codable {
        public var name: String
        public var hook: String
        public var attempts: Int
        public var succeeded: Bool
        public var seconds: Double
        public var longestLock: LockMonitor.Hold?
        /// The exit code on which the Job's podFailurePolicy failed it at once, without the retries
        /// backoffLimit allows (the runners' 65: a refusal every retry would repeat).
        public var failedAtOnce: Int?
    }

    public struct VersionLine: Sendable, Codable {
        public var version: AppVersion
        public var sent: Int
        public var failed: Int
    }

    public struct Section: Sendable, Codable {
        public var title: String
        public var direction: String
        public var phases: [String]
        public var values: [String: String]
        /// kubectl / Argo CD: the manifests folder applied or synced.
        public var folder: String?
        public var jobs: [JobLine] = []
        public var traffic: [VersionLine] = []
        public var serving: [String] = []
        public var longestLock: LockMonitor.Hold?
        public var seconds: Double = 0
        public var notes: [String] = []
    }

    public struct Failure: Sendable, Codable {
        public var stage: String
        public var phase: String?
        public var job: String?
        public var file: String?
        public var version: AppVersion?
        public var statement: String?
        public var error: String
        /// When it happened (seconds since 1970), to list failures in the order they occurred; not reported.
        public var at: Double = Date().timeIntervalSince1970

        enum CodingKeys: String, CodingKey { case stage, phase, job, file, version, statement, error }
    }

    public var spec: String
    public var engine: String
    public var strategy: String
    public var rows: Int
    /// helm, kubectl or argocd.
    public var delivery: String = RehearsalDelivery.helm.rawValue
    public var sections: [Section] = []
    public var checks: [String] = []
    /// Documented outcomes that are not failures: a rollback that kept rows the new version wrote
    /// rather than fail (RollbackWarning), each as the Job printed it.
    public var warnings: [String] = []
    public var failures: [Failure] = []
    public var seconds: Double = 0
    /// Where the time went, in the order each part first ran (a part that runs several times, a
    /// dwell or a traffic stop, is summed): to see what a rehearsal waits on (docs/performance.md).
    public var timings: [Timing] = []
    public var proven: Bool { failures.isEmpty }

    public struct Timing: Sendable, Codable, Equatable {
        public var name: String
        public var seconds: Double

        public func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(name, forKey: .name)
            try container.encode((seconds * 1000).rounded() / 1000, forKey: .seconds)
        }
    }

    /// Adds `seconds` to the part `name` (a new part goes last).
    public mutating func time(_ name: String, _ seconds: Double) {
        if let index = timings.firstIndex(where: { $0.name == name }) { timings[index].seconds += seconds } else { timings.append(Timing(name: name, seconds: seconds)) }
    }

    enum CodingKeys: String, CodingKey { case spec, engine, strategy, rows, delivery, sections, checks, warnings, failures, seconds, timings, proven, reason }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(spec, forKey: .spec)
        try container.encode(engine, forKey: .engine)
        try container.encode(strategy, forKey: .strategy)
        try container.encode(rows, forKey: .rows)
        try container.encode(delivery, forKey: .delivery)
        try container.encode(sections, forKey: .sections)
        try container.encode(checks, forKey: .checks)
        try container.encode(warnings, forKey: .warnings)
        try container.encode(failures, forKey: .failures)
        try container.encode((seconds * 1000).rounded() / 1000, forKey: .seconds)
        try container.encode(timings, forKey: .timings)
        try container.encode(proven, forKey: .proven)
        try container.encode(reason, forKey: .reason)
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        spec = try container.decode(String.self, forKey: .spec)
        engine = try container.decode(String.self, forKey: .engine)
        strategy = try container.decode(String.self, forKey: .strategy)
        rows = try container.decode(Int.self, forKey: .rows)
        delivery = try container.decodeIfPresent(String.self, forKey: .delivery) ?? RehearsalDelivery.helm.rawValue
        sections = try container.decode([Section].self, forKey: .sections)
        checks = try container.decode([String].self, forKey: .checks)
        warnings = try container.decodeIfPresent([String].self, forKey: .warnings) ?? []
        failures = try container.decode([Failure].self, forKey: .failures)
        seconds = try container.decode(Double.self, forKey: .seconds)
        timings = try container.decodeIfPresent([Timing].self, forKey: .timings) ?? []
    }

    public init(spec: String, engine: String, strategy: String, rows: Int) {
        self.spec = spec
        self.engine = engine
        self.strategy = strategy
        self.rows = rows
    }

    /// The first failure in one line, for `fixtures/rehearse-expected.txt` and CI.
    public var reason: String {
        guard let failure = failures.first else { return "" }
        var parts = [failure.stage]
        if let phase = failure.phase { parts.append("phase \(phase)") }
        if let job = failure.job { parts.append("job \(job)") }
        if let file = failure.file { parts.append("file \(file)") }
        if let version = failure.version { parts.append("\(version.rawValue) version") }
        let lines = failure.error.split(separator: "\n").map(String.init)
        let error = lines.first { $0.contains("ERROR") || $0.contains("FATAL") } ?? lines.first ?? failure.error
        return parts.joined(separator: ", ") + ": " + Self.squeeze(error)
    }

    static func squeeze(_ text: String) -> String {
        var text = text
        // Numbers that vary run to run (pids, timings) would make the expected-results file flaky.
        if let regex = try? NSRegularExpression(pattern: #"\b(pid|PID) [0-9]+"#) {
            text = regex.stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text), withTemplate: "$1 N")
        }
        return text
    }

    static func seconds(_ value: Double) -> String {
        value < 10 ? String(format: "%.2fs", value) : String(format: "%.1fs", value)
    }

    /// The timings as lines of text (`rehearse --timings`).
    public func renderTimings() -> String {
        guard !timings.isEmpty else { return "" }
        var out = "\ntimings:\n"
        let accounted = timings.reduce(0) { $0 + $1.seconds }
        out += Self.table(timings.map { [$0.name, Self.seconds($0.seconds)] } + [["(other)", Self.seconds(max(0, seconds - accounted))]])
        return out
    }

    public func renderText(timings showTimings: Bool = false) -> String {
        var out = "rehearse \(spec): \(strategy) on \(engine), \(rows) rows per touched table, delivered with \(delivery)\n"
        for section in sections {
            out += "\n\(section.direction) stage \(section.title): phases \(section.phases.joined(separator: ", "))"
            if let folder = section.folder {
                out += delivery == RehearsalDelivery.argocd.rawValue ? " (Argo CD sync of \(folder))" : " (kubectl apply -k \(folder))"
            } else {
                out += section.values.isEmpty ? " (chart defaults)" : " (--set " + section.values.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ") + ")"
            }
            out += ", \(Self.seconds(section.seconds))\n"
            out += "  serving: \(section.serving.joined(separator: " → "))\n"
            if section.jobs.isEmpty {
                out += "  (no Jobs)\n"
            } else {
                var rows = [["job", "hook", "result", "time", "longest blocking lock"]]
                for job in section.jobs {
                    var result = (job.succeeded ? "ok" : "FAILED") + (job.attempts > 1 ? " (\(job.attempts) attempts)" : "")
                    if let code = job.failedAtOnce {
                        result += " at once on exit code \(code)" + (code == PodFailurePolicy.refusedExitCode ? " (refused)" : "")
                    }
                    let lock = job.longestLock.map { "\($0.mode) on \($0.table) \(Self.seconds($0.seconds)) in \($0.file)\($0.waiters > 0 ? " (\($0.waiters) waiting)" : "")" } ?? "-"
                    rows.append([job.name, job.hook, result, Self.seconds(job.seconds), lock])
                }
                out += Self.table(rows)
            }
            let traffic = section.traffic.filter { !(rows == 0 && $0.sent == 0) }
            if !traffic.isEmpty {
                out += Self.table([["version", "statements", "failed"]] + traffic.map { [$0.version.rawValue, String($0.sent), String($0.failed)] })
            }
            for note in section.notes { out += "  \(note)\n" }
        }
        if !checks.isEmpty {
            out += "\nchecks:\n"
            for check in checks { out += "  \(check)\n" }
        }
        if !warnings.isEmpty {
            out += "\nwarnings:\n"
            for warning in warnings { out += "  \(warning)\n" }
        }
        if !failures.isEmpty {
            out += "\nfailures:\n"
            // The first ones in full; every one is in --format json.
            let shown = 12
            for failure in failures.prefix(shown) {
                out += "  stage \(failure.stage)"
                if let phase = failure.phase { out += ", phase \(phase)" }
                if let job = failure.job { out += ", job \(job)" }
                if let file = failure.file { out += ", file \(file)" }
                if let version = failure.version { out += ", \(version.rawValue) version" }
                out += "\n"
                if let statement = failure.statement { out += "    statement: \(statement)\n" }
                out += indent(failure.error, by: "    ") + "\n"
            }
            if failures.count > shown { out += "  … and \(failures.count - shown) more (all of them with --format json)\n" }
        }
        if showTimings { out += renderTimings() }
        out += "\n" + (proven ? "PROVEN" : "NOT PROVEN") + ": \(spec) in \(Self.seconds(seconds))\n"
        return out
    }

    /// Rows as columns padded to their widest cell, indented under the stage's line.
    static func table(_ rows: [[String]]) -> String {
        var widths: [Int] = []
        for row in rows {
            for (index, cell) in row.enumerated() {
                if index == widths.count { widths.append(0) }
                widths[index] = max(widths[index], cell.count)
            }
        }
        return rows.map { row in
            "  " + row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.map { $0.replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression) + "\n" }.joined()
    }

    public func renderJSON() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(self)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
