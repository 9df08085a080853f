extension RuleID {
    public static let deadlineRaised = RuleID("CUT055")
}

/// CUT055 `deadline-raised`: a runner deadline shorter than the statement timeout, which cutover raises (warning).
enum DeadlineRaisedRule: RuleUnit {
    static let rule = Rule(
        id: .deadlineRaised, name: "deadline-raised", severity: .warning, checkedBy: [.consistency],
        summary: "a runner deadline shorter than the statement timeout, which cutover raises (warning)",
        rationale: "Each Job's activeDeadlineSeconds is the larger of 'runner.deadline' and 'runner.statementTimeout' (both 30m by default): a Job killed by Kubernetes while the server still runs its statement leaves the statement running and the Job's logs cut short, so the server's timeout must end it first. A shorter deadline is raised to the statement timeout; set it to at least that value, or lower the statement timeout.",
        triggering: [RuleExample(Snippets.spec(extra: "  runner:\n    tool: psql\n    statementTimeout: 15m\n    deadline: 10m\n")).expecting((19, 15))],
        nonTriggering: [RuleExample(Snippets.spec(extra: "  runner:\n    tool: psql\n    statementTimeout: 15m\n    deadline: 15m\n"))])
}
