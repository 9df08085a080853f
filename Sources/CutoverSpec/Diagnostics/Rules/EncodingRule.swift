extension RuleID {
    public static let encoding = RuleID("CUT003")
}

/// CUT003 `encoding`: the file or a value is not clean UTF-8 text.
package enum EncodingRule: RuleUnit {
    package static let rule = Rule(
        id: .encoding, name: "encoding", severity: .error, checkedBy: [.input, .shape],
        summary: "the file or a value is not clean UTF-8 text",
        rationale: "Specs must be UTF-8 without NUL or other control characters: such bytes hide text from reviewers and from the tools the generated files are fed to.",
        triggering: [RuleExample(Snippets.spec(app: Snippets.app + "    healthPath: \"/healthz\\0\"\n")).expecting((16, 17))],
        nonTriggering: [RuleExample(Snippets.spec(app: Snippets.app + "    healthPath: /healthz\n"))])
}

extension Message {
    public static let utf16 = "file is UTF-16; specs must be UTF-8"
    public static let nulByte = "file contains a NUL byte"
    public static let invalidUTF8 = "file is not valid UTF-8 here"
    public static func controlCharacter(_ field: String) -> String { "'\(field)' contains a NUL character" }
}
