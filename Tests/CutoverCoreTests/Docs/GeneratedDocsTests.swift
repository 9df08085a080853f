import CutoverPlan
import CutoverEmit
import CutoverCore
import Foundation
import Testing

/// The committed references are generated from the same data the validator uses; these tests fail
/// when a field or rule changes and the docs were not regenerated.
@Suite struct GeneratedDocsTests {
    @Test func specReferenceIsCurrent() throws {
        let committed = try String(contentsOf: TestPaths.packageRoot.appendingPathComponent("docs/spec.md"), encoding: .utf8)
        let difference = TextDiff.firstDifference(expected: committed, actual: SpecReference().render())
        #expect(difference == nil, "docs/spec.md is stale: run `swift run cutover schema --format markdown > docs/spec.md`\n\(difference ?? "")")
    }

    @Test func ruleReferenceIsCurrent() throws {
        let committed = try String(contentsOf: TestPaths.packageRoot.appendingPathComponent("docs/rules.md"), encoding: .utf8)
        let difference = TextDiff.firstDifference(expected: committed, actual: RuleReference().render())
        #expect(difference == nil, "docs/rules.md is stale: run `swift run cutover explain --markdown > docs/rules.md`\n\(difference ?? "")")
    }

    @Test func everyFieldIsDocumented() {
        let text = SpecReference().render()
        func visit(_ shape: ObjectShape) {
            for field in shape.fields {
                #expect(text.contains("| `\(field.name)` |"), "docs/spec.md lacks \(shape.name).\(field.name)")
                if case .object(let nested) = field.shape { visit(nested) }
            }
        }
        visit(SpecShape.migration)
        for operation in SpecShape.operations { #expect(text.contains("### `\(operation.name)`")) }
    }

    @Test func starterSpecsValidate() {
        for engine in [MigrationSpec.Engine.postgresql, .mysql] {
            let result = Compiler().check(Array(StarterSpec.text(engine: engine).utf8), path: "starter.yaml")
            #expect(!result.hasErrors, "\(engine): \(result.diagnostics)")
        }
    }
}
