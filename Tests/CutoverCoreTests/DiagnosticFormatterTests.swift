@testable import CutoverPlan
@testable import CutoverSpec
import Foundation
import Testing

@Suite struct DiagnosticFormatterTests {
    let diagnostic = Diagnostic(.unknownKey, nil, "unknown key 'x\u{1B}[2Jy\u{202E}z' in spec", file: "s.yaml", at: SourceLocation(line: 3, column: 5))

    @Test func textNeverSendsControlCharactersToTheTerminal() {
        let text = DiagnosticFormatter(format: .text).render([diagnostic])
        #expect(text == "s.yaml:3:5: error: unknown key 'x\\u{1B}[2Jy\\u{202E}z' in spec [CUT010]\n")
        #expect(!text.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x202E })
    }

    @Test func githubCommandsEscapeTheirSyntax() {
        let d = Diagnostic(.unknownKey, nil, "a\nb: 100%", file: "dir,x/s.yaml", at: SourceLocation(line: 1, column: 2))
        let text = DiagnosticFormatter(format: .github).render([d])
        #expect(text == "::error file=dir%2Cx/s.yaml,line=1,col=2,title=CUT010::a\\u{A}b: 100%25\n")
    }

    @Test func sarifIsValidJSONWithEveryRule() throws {
        let text = DiagnosticFormatter(format: .sarif).render([diagnostic])
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        #expect(object?["version"] as? String == "2.1.0")
        let runs = object?["runs"] as? [[String: Any]]
        let rules = ((runs?.first?["tool"] as? [String: Any])?["driver"] as? [String: Any])?["rules"] as? [[String: Any]]
        #expect(rules?.count == RuleID.allCases.count)
        #expect((runs?.first?["results"] as? [Any])?.count == 1)
    }

    @Test func excerptPutsTheCaretUnderTheColumn() {
        let source = SourceFile(path: "s.yaml", text: "a: 1\nb: 2\n    bad: 3\n")
        let text = DiagnosticFormatter(format: .text, excerpts: true).render([diagnostic], sources: ["s.yaml": source])
        #expect(text.hasSuffix("\n      bad: 3\n      ^\n"))
    }

    @Test func sortedByFileLineColumn() {
        let a = Diagnostic(.unknownKey, nil, "m", file: "b.yaml", at: SourceLocation(line: 1, column: 1))
        let b = Diagnostic(.unknownKey, nil, "m", file: "a.yaml", at: SourceLocation(line: 9, column: 1))
        let c = Diagnostic(.unknownKey, nil, "m", file: "a.yaml", at: SourceLocation(line: 2, column: 7))
        #expect(Diagnostic.sorted([a, b, c]).map(\.file) == ["a.yaml", "a.yaml", "b.yaml"])
        #expect(Diagnostic.sorted([a, b, c]).map(\.location.line) == [2, 9, 1])
    }
}
