/// Stage 2: syntax tree to validated spec. Structural checks, then typed reading, then the semantic
/// rules; the spec is returned only when no error was reported. The plan-time checks (`PlanChecks`) run
/// right after it, in the driver.
public protocol SpecValidating: Sendable {
    func validate(_ root: SyntaxNode, source: SourceFile, diagnostics: inout DiagnosticBag) -> CheckedSpec?
}
