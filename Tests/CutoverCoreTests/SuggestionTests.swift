@testable import CutoverPlan
@testable import CutoverSpec
import Testing

@Suite struct SuggestionTests {
    @Test(arguments: [
        ("nulable", ["name", "type", "nullable", "default"], "nullable"),
        ("gni", ["btree", "gin", "gist"], "gin"),
        ("addColum", ["addColumn", "dropColumn"], "addColumn"),
        ("replicaz", ["replicas", "image"], "replicas"),
    ])
    func suggests(_ word: String, _ candidates: [String], _ expected: String) {
        #expect(Suggestion.closest(to: word, among: candidates) == expected)
    }

    @Test func staysQuietWhenNothingIsClose() {
        #expect(Suggestion.closest(to: "banana", among: ["engine", "version"]) == nil)
    }
}
