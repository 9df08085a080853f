/// Collects the diagnostics of one spec file while the stages run; stages add, never throw.
public struct DiagnosticBag: Sendable {
    public let file: String
    public private(set) var diagnostics: [Diagnostic] = []

    public init(file: String) {
        self.file = file
    }

    public mutating func report(_ rule: RuleID, _ message: String, at location: SourceLocation, severity: Diagnostic.Severity? = nil) {
        diagnostics.append(Diagnostic(rule, severity, message, file: file, at: location))
    }

    public mutating func append(contentsOf other: [Diagnostic]) {
        diagnostics.append(contentsOf: other)
    }

    public var hasErrors: Bool {
        diagnostics.contains { $0.severity == .error }
    }
}
