/// What verification found for one step (or one blue-green data check).
public struct StepVerdict: Sendable {
    /// `NNNN_<phase>_<slug>`, or the name of a check such as "replication blue → green".
    public var name: String
    public var problems: [String] = []
    /// Indented lines under the verdict: diffs and client errors.
    public var details: [String] = []
    /// Remarks that do not fail the step (e.g. "irreversible: down not run").
    public var notes: [String] = []
    public var milliseconds: Int = 0

    public init(name: String) {
        self.name = name
    }

    public var passed: Bool { problems.isEmpty }

    mutating func fail(_ problem: String, details: [String] = []) {
        problems.append(problem)
        self.details += details
    }

    /// `PASS|FAIL name (n ms)[: problem; problem] [notes]` and the indented details.
    public var lines: [String] {
        var head = "\(passed ? "PASS" : "FAIL") \(name) (\(milliseconds) ms)"
        if !problems.isEmpty { head += ": " + problems.joined(separator: "; ") }
        if !notes.isEmpty { head += " [" + notes.joined(separator: "; ") + "]" }
        return [head] + details.map { "    " + $0 }
    }
}

/// The outcome of a whole run.
public struct VerificationReport: Sendable {
    public var steps: [StepVerdict] = []
    /// Data checks of a blue-green run (replication, sequences).
    public var checks: [StepVerdict] = []

    public var failedSteps: Int { steps.filter { !$0.passed }.count }
    public var failedChecks: Int { checks.filter { !$0.passed }.count }
    public var passed: Bool { failedSteps == 0 && failedChecks == 0 }

    /// `verified: N steps, M failed` (and the checks, for blue-green).
    public var summary: String {
        var line = "verified: \(steps.count) step\(steps.count == 1 ? "" : "s"), \(failedSteps) failed"
        if !checks.isEmpty { line += "; \(checks.count) data check\(checks.count == 1 ? "" : "s"), \(failedChecks) failed" }
        return line
    }
}
