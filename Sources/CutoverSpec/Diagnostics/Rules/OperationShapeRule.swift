extension RuleID {
    public static let operationShape = RuleID("CUT014")
}

/// CUT014 `operation-shape`: a change or table constraint does not name exactly one kind.
package enum OperationShapeRule: RuleUnit {
    package static let rule = Rule(
        id: .operationShape, name: "operation-shape", severity: .error, checkedBy: [.shape, .references],
        summary: "a change or table constraint does not name exactly one kind",
        rationale: "Each change is one operation and each table constraint one kind, so the generator can order and reverse them one by one. An alterColumn that changes nothing is also reported.",
        triggering: [RuleExample(Snippets.spec(changes: """
                        - addColumn:
                            table: pricing
                            column: {name: tier, type: text}
                          dropColumn:
                            table: pricing
                            column: plan_code

                    """)).expecting((17, 7))],
        nonTriggering: [RuleExample(Snippets.spec(changes: """
                        - addColumn:
                            table: pricing
                            column: {name: tier, type: text}
                        - dropColumn:
                            table: pricing
                            column: plan_code

                    """))])
}

extension Message {
    public static func unknownOperation(_ key: String, suggestion: String?) -> String {
        if let suggestion { return "unknown operation '\(key)' (did you mean '\(suggestion)'?)" }
        return "unknown operation '\(key)'"
    }
    public static func operationCount(_ count: Int) -> String {
        count == 0 ? "a change must name exactly one operation, found none"
            : "a change must name exactly one operation, found \(count)"
    }
    package static func alterNothing(_ column: String) -> String {
        "alterColumn of '\(column)' changes nothing; set 'type', 'nullable', 'default' or 'dropDefault'"
    }
    public static let defaultAndDropDefault = "'default' and 'dropDefault: true' contradict each other; use one"
    public static func constraintKinds(_ name: String) -> String {
        "constraint '\(name)' must have exactly one of 'check', 'unique' or 'foreignKey'"
    }
}
