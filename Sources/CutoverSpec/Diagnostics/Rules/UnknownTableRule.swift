extension RuleID {
    public static let unknownTable = RuleID("CUT041")
}

/// CUT041 `unknown-table`: a change refers to a table that does not exist at that point.
package enum UnknownTableRule: RuleUnit {
    package static let rule = Rule(
        id: .unknownTable, name: "unknown-table", severity: .error, checkedBy: [.references],
        summary: "a change refers to a table that does not exist at that point",
        rationale: "Changes are checked in order against the schema file (when given) and what earlier changes create, rename and drop. Without a schema file, tables the spec never mentions are assumed to exist.",
        triggering: [RuleExample(Snippets.spec(changes: "    - dropTable:\n        name: pricing_legacy\n" + Snippets.tierChange.replacingOccurrences(of: "table: pricing", with: "table: pricing_legacy"))).expecting((20, 16))],
        nonTriggering: [RuleExample(Snippets.spec(changes: Snippets.tierChange + "    - dropTable:\n        name: pricing_legacy\n"))])
}

extension Message {
    public static func unknownTable(_ name: String, reason: String?, complete: Bool, suggestion: String?, hint: String? = nil) -> String {
        var text = "table '\(name)' does not exist"
        if let reason { text += ": \(reason)" } else if complete { text += " in the schema file or earlier in the spec" }
        if let suggestion { text += " (did you mean '\(suggestion)'?)" }
        if let hint { text += "; \(hint)" }
        return text
    }
    public static func schemaNameCase(_ schema: String, file: String) -> String {
        "the schema file has tables in schema '\(file)', and database.schemaName is '\(schema)': schema names are case-sensitive (cutover quotes schemaName; unquoted names in SQL fold to lower case), so write 'schemaName: \(file)'"
    }
    public static func schemaNameElsewhere(_ schema: String, file: [String]) -> String {
        let listed = file.prefix(5).map { "'\($0)'" }.joined(separator: ", ") + (file.count > 5 ? " and \(file.count - 5) more" : "")
        return "the schema file has tables only in schema\(file.count == 1 ? "" : "s") \(listed), none in '\(schema)' (database.schemaName): set database.schemaName to the schema the spec's tables are in (names are case-sensitive; unquoted names in SQL fold to lower case)"
    }
}
