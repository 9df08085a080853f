import CutoverPlan
import ArgumentParser

/// Every command names itself (`commandName:`): without it ArgumentParser derives the name from the
/// type with `String(describing:)` on every run, whose runtime lookups were about 5% of a `validate`.
@main
struct Cutover: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cutover",
        abstract: "Compile a declarative migration spec into lock-safe SQL, a Helm chart, GitOps manifests and a plan.",
        discussion: """
        Exit codes: 0 ok; 1 findings in a spec, drift found by --check, or a failed verification; 64 usage error.
        """,
        version: CutoverVersion.current,
        subcommands: [Validate.self, Plan.self, Generate.self, Verify.self, Rehearse.self, Schema.self, Explain.self, Init.self]
    )
}
