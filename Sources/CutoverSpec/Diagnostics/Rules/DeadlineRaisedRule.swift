extension RuleID {
    public static let deadlineRaised = RuleID("CUT055")
}

/// CUT055 `deadline-raised`: a runner deadline shorter than the statement timeout, which cutover raises (warning).
package enum DeadlineRaisedRule: RuleUnit {
    package static let rule = Rule(
        id: .deadlineRaised, name: "deadline-raised", severity: .warning, checkedBy: [.consistency],
        summary: "a runner deadline shorter than the statement timeout, which cutover raises (warning)",
        rationale: "Each Job's activeDeadlineSeconds is the larger of 'runner.deadline' and 'runner.statementTimeout' (both 30m by default): a Job killed by Kubernetes while the server still runs its statement leaves the statement running and the Job's logs cut short, so the server's timeout must end it first. A shorter deadline is raised to the statement timeout; set it to at least that value, or lower the statement timeout.",
        triggering: [RuleExample(Snippets.spec(extra: "  runner:\n    tool: psql\n    statementTimeout: 15m\n    deadline: 10m\n")).expecting((19, 15))],
        nonTriggering: [RuleExample(Snippets.spec(extra: "  runner:\n    tool: psql\n    statementTimeout: 15m\n    deadline: 15m\n"))])

    /// The Jobs' activeDeadlineSeconds is never shorter than the statement timeout (PhaseCommands.jobDeadlineSeconds).
    static func check(_ spec: SyntaxNode, diagnostics: inout DiagnosticBag) {
        let runner = spec["runner"]
        let deadlineNode = runner?["deadline"], timeoutNode = runner?["statementTimeout"]
        guard deadlineNode != nil || timeoutNode != nil else { return }
        let deadlineText = deadlineNode?.scalarValue ?? Settings.Runner.deadline.fallback.text
        let timeoutText = timeoutNode?.scalarValue ?? Settings.Runner.statementTimeout.fallback.text
        guard let deadline = Duration.parse(deadlineText), let timeout = Duration.parse(timeoutText),
              deadline.seconds < timeout.seconds, let node = deadlineNode ?? timeoutNode else { return }
        diagnostics.report(.deadlineRaised, Message.deadlineRaised(deadline: deadlineText, statementTimeout: timeoutText, seconds: max(1, timeout.seconds)),
                           at: node.location)
    }
}

extension Message {
    public static func deadlineRaised(deadline: String, statementTimeout: String, seconds: Int) -> String {
        "'runner.deadline' '\(deadline)' is shorter than 'statementTimeout' '\(statementTimeout)': the Jobs' activeDeadlineSeconds "
            + "is raised to \(seconds) so the server ends a long statement first; set 'deadline' to at least '\(statementTimeout)'"
    }
}
