extension RuleID {
    public static let unknownColumn = RuleID("CUT042")
}

/// CUT042 `unknown-column`: a change refers to a column that does not exist at that point.
package enum UnknownColumnRule: RuleUnit {
    package static let rule = Rule(
        id: .unknownColumn, name: "unknown-column", severity: .error, checkedBy: [.references],
        summary: "a change refers to a column that does not exist at that point",
        rationale: "A column must exist (in the schema file, or added or renamed earlier in the spec) before it is indexed, renamed, altered or dropped; the message suggests the closest name.",
        triggering: [RuleExample(Snippets.spec(database: Snippets.pgDatabase + "    schema: schema.sql\n",
                                      changes: "    - createIndex:\n        name: pricing_amount_idx\n        table: pricing\n        columns: [amuont]\n"),
                                 files: ["schema.sql": Snippets.pricingSchema]).expecting((21, 19))],
        nonTriggering: [RuleExample(Snippets.spec(database: Snippets.pgDatabase + "    schema: schema.sql\n",
                                  changes: "    - createIndex:\n        name: pricing_amount_idx\n        table: pricing\n        columns: [amount]\n"),
                             files: ["schema.sql": Snippets.pricingSchema])])
}

extension Message {
    public static func unknownColumn(_ name: String, table: String, reason: String?, suggestion: String?) -> String {
        var text = "table '\(table)' has no column '\(name)'"
        if let reason { text += ": \(reason)" }
        if let suggestion { text += " (did you mean '\(suggestion)'?)" }
        return text
    }
}
