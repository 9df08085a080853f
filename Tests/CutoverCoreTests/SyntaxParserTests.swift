@testable import CutoverPlan
@testable import CutoverSpec
import Testing

@Suite struct SyntaxParserTests {
    func parse(_ text: String, limits: InputLimits = .default) -> (SyntaxNode?, [Diagnostic]) {
        var bag = DiagnosticBag(file: "t.yaml")
        let node = SyntaxParser().parse(SourceFile(path: "t.yaml", text: text), limits: limits, diagnostics: &bag)
        return (node, bag.diagnostics)
    }

    @Test func keepsMarksOneBased() throws {
        let (node, diagnostics) = parse("a:\n  b: 1\n")
        #expect(diagnostics.isEmpty)
        let b = try #require(node?["a"]?.entry("b"))
        #expect(b.keyLocation == SourceLocation(line: 2, column: 3))
        #expect(b.value.location == SourceLocation(line: 2, column: 6))
    }

    @Test(arguments: [
        ("a: &x 1\nb: *x\n", RuleID.anchorAlias),
        ("a: *x\n", RuleID.anchorAlias),
        ("base: {a: 1}\nother:\n  <<: {b: 2}\n", RuleID.anchorAlias),
        ("a: 1\na: 2\n", RuleID.duplicateKey),
        ("a: 1\n---\nb: 2\n", RuleID.documentCount),
        ("", RuleID.documentCount),
        ("a: !!python/object 1\n", RuleID.yamlTag),
        ("? [a]\n: 1\n", RuleID.complexKey),
        ("a: [1, 2\n", RuleID.yamlSyntax),
    ])
    func rejects(_ text: String, _ rule: RuleID) {
        let (node, diagnostics) = parse(text)
        #expect(node == nil)
        #expect(diagnostics.map(\.rule) == [rule])
    }

    @Test func boundsDepthWithoutRecursion() {
        let deep = String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000)
        let (node, diagnostics) = parse(deep)
        #expect(node == nil)
        #expect(diagnostics.first?.rule == .inputLimit)
    }

    @Test func aliasBombCostsNothing() {
        var text = "a0: &a0 [x, x]\n"
        for i in 1..<30 { text += "a\(i): &a\(i) [*a\(i - 1), *a\(i - 1)]\n" }
        let (node, diagnostics) = parse(text)
        #expect(node == nil)
        #expect(diagnostics.first?.rule == .anchorAlias)
        #expect(diagnostics.first?.location == SourceLocation(line: 1, column: 5))
    }
}
