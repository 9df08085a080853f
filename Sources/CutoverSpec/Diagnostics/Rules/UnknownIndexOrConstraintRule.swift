extension RuleID {
    public static let unknownIndexOrConstraint = RuleID("CUT043")
}

/// CUT043 `unknown-index-or-constraint`: dropIndex names an index that does not exist at that point.
package enum UnknownIndexOrConstraintRule: RuleUnit {
    package static let rule = Rule(
        id: .unknownIndexOrConstraint, name: "unknown-index-or-constraint", severity: .error, checkedBy: [.references],
        summary: "dropIndex names an index that does not exist at that point",
        rationale: "The down of a dropIndex rebuilds the index from its definition, so the index must be known: in the schema file, or created earlier in the spec.",
        triggering: [RuleExample(Snippets.spec(database: Snippets.pgDatabase + "    schema: schema.sql\n", changes: "    - dropIndex:\n        name: pricing_amount_index\n        table: pricing\n"),
                                 files: ["schema.sql": Snippets.pricingSchema + "CREATE INDEX pricing_amount_idx ON pricing (amount);\n"]).expecting((19, 15))],
        nonTriggering: [RuleExample(Snippets.spec(database: Snippets.pgDatabase + "    schema: schema.sql\n", changes: "    - dropIndex:\n        name: pricing_amount_idx\n        table: pricing\n"),
                             files: ["schema.sql": Snippets.pricingSchema + "CREATE INDEX pricing_amount_idx ON pricing (amount);\n"])])
}

extension Message {
    public static func unknownIndex(_ name: String, table: String, reason: String?, suggestion: String?) -> String {
        var text = "table '\(table)' has no index '\(name)'"
        if let reason { text += ": \(reason)" }
        if let suggestion { text += " (did you mean '\(suggestion)'?)" }
        return text
    }
    public static func indexOnOtherTable(_ name: String, table: String, not other: String) -> String {
        "index '\(name)' is on table '\(table)', not '\(other)'"
    }
    public static func notAnIndex(_ name: String, kind: String) -> String {
        "'\(name)' is a \(kind), not an index; dropIndex drops indexes only"
    }
}
