import CutoverPlan
import CutoverEmit
import ArgumentParser

struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "explain", abstract: "Explain a diagnostic: why the rule exists, an example that triggers it and its fix.")

    @Argument(help: "Rule id (CUT010) or name (unknown-key); omit to list every rule.",
              completion: .list(RuleID.allCases.map(\.rawValue) + RuleID.allCases.map(\.name)))
    var rule: String?

    @Flag(name: .long, help: "Print every rule as Markdown (docs/rules.md).")
    var markdown = false

    func validate() throws {
        if let rule, RuleID.lookup(rule) == nil { throw ValidationError("unknown rule '\(rule)'; run 'cutover explain' for the list") }
    }

    func run() {
        if markdown { return Output.print(RuleReference().render(), terminator: "") }
        guard let rule, let id = RuleID.lookup(rule) else {
            for id in RuleID.allCases { Output.print("\(id.rawValue)  \(id.name.padding(28))\(id.rule.summary)") }
            return
        }
        Output.print(id.rule.explanation, terminator: "")
    }
}

extension String {
    func padding(_ width: Int) -> String { self + String(repeating: " ", count: max(1, width - count)) }
}
