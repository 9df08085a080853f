/// What a foreign key does beyond ON DELETE, in the one `references` form that a column's reference,
/// addForeignKey and createTable's foreignKey share: `onUpdate`, and (PostgreSQL) `deferrable` and
/// `initiallyDeferred`. The defaults render as nothing, so keys without them generate what they always did.
public struct ForeignKeyActions: Sendable {
    public var onUpdate: ReferentialAction = .noAction
    var onUpdateText: Located<String>?
    /// The key's `onDelete` as written (inside references or beside it), to locate CUT092.
    var onDeleteText: Located<String>?
    var deferrable: Located<String>?
    var initiallyDeferred: Located<String>?
    /// Spellings that contradict each other (both `column` and `columns`, `onDelete` twice, …), found by
    /// the reader and reported by `check` (CUT093), each at the value that loses.
    var conflicts: [(message: String, at: Located<String>)] = []

    /// PostgreSQL reads INITIALLY DEFERRED alone as DEFERRABLE too.
    var isDeferrable: Bool { flag(deferrable) || isInitiallyDeferred }
    var isInitiallyDeferred: Bool { flag(initiallyDeferred) }

    private func flag(_ value: Located<String>?) -> Bool { value.flatMap { ScalarResolution.bool($0.value) } ?? false }

    /// ` ON UPDATE … DEFERRABLE INITIALLY DEFERRED` after `ON DELETE …`; empty for the defaults.
    package var clause: String {
        var text = onUpdate == .noAction ? "" : " ON UPDATE \(onUpdate.sql)"
        if isDeferrable { text += " DEFERRABLE" }
        if isInitiallyDeferred { text += " INITIALLY DEFERRED" }
        return text
    }

    /// The fields of the one `references` form beyond table, columns and onDelete.
    static let fields = [
        Field("onUpdate", SpecShape.onDelete, default: "no action", "action when the referenced key changes"),
        Field("deferrable", .boolean, default: "false", "the key may be checked at commit (SET CONSTRAINTS … DEFERRED; PostgreSQL, MySQL: refused, CUT092)"),
        Field("initiallyDeferred", .boolean, default: "false", "the key is checked at commit unless set otherwise; implies deferrable (PostgreSQL)"),
    ]

    static func read(_ node: SyntaxNode, _ reader: SpecBuilder) -> ForeignKeyActions {
        let onUpdate = reader.located(node["onUpdate"])
        var actions = ForeignKeyActions(onUpdate: onUpdate.flatMap { ReferentialAction(rawValue: Shape.keywordValue($0.value)) } ?? .noAction,
                                        onUpdateText: onUpdate, deferrable: reader.located(node["deferrable"]),
                                        initiallyDeferred: reader.located(node["initiallyDeferred"]))
        if let deferrable = actions.deferrable, ScalarResolution.bool(deferrable.value) == false, actions.isInitiallyDeferred {
            actions.conflicts.append((Message.deferredNotDeferrable, deferrable))
        }
        return actions
    }

    /// CUT092 for what MySQL lacks (deferrable keys; SET DEFAULT actions, which InnoDB refuses), CUT093
    /// for contradicting spellings.
    func check(_ rules: inout ReferenceRules) {
        for conflict in conflicts { rules.report(.referenceSpelling, conflict.message, conflict.at) }
        guard rules.schema.mysql else { return }
        if isDeferrable, let value = initiallyDeferred.flatMap({ flag($0) ? $0 : nil }) ?? deferrable {
            rules.report(.foreignKeyOptionUnsupported, Message.mysqlDeferrable, value)
        }
        for text in [onDeleteText, onUpdateText].compactMap({ $0 }) where Shape.keywordValue(text.value) == ReferentialAction.setDefault.rawValue {
            rules.report(.foreignKeyOptionUnsupported, Message.mysqlSetDefault, text)
        }
    }

    package init(onUpdate: ReferentialAction = .noAction, onUpdateText: Located<String>? = nil, onDeleteText: Located<String>? = nil, deferrable: Located<String>? = nil, initiallyDeferred: Located<String>? = nil, conflicts: [(message: String, at: Located<String>)] = []) {  // memberwise, for the targets above
        self.onUpdate = onUpdate
        self.onUpdateText = onUpdateText
        self.onDeleteText = onDeleteText
        self.deferrable = deferrable
        self.initiallyDeferred = initiallyDeferred
        self.conflicts = conflicts
    }
}

extension ForeignKeyActions {
    package static let rules = [ForeignKeyOptionUnsupportedRule.rule, ReferenceSpellingRule.rule]

    static func spec(_ database: String, _ references: String) -> String {
        Snippets.spec(database: database + "    schema: schema.sql\n",
                      changes: "    - addForeignKey:\n        name: subscriptions_customer_fk\n        table: subscriptions\n        columns: [customer_id]\n"
                          + "        references:\n          table: customers\n          columns: [id]\n\(references)")
    }

    package enum ForeignKeyOptionUnsupportedRule: RuleUnit {
        package static let rule = Rule(
            id: .foreignKeyOptionUnsupported, name: "foreign-key-option-unsupported", severity: .error, checkedBy: [.references],
            summary: "a foreign key option the engine does not have: deferrable keys or SET DEFAULT actions on MySQL",
            rationale: "MySQL checks every foreign key at once, row by row: it has no DEFERRABLE or INITIALLY DEFERRED, and InnoDB refuses SET DEFAULT actions. A key that the app expects to be checked at commit would refuse its writes, so cutover refuses the spec instead of generating a key that behaves differently.",
            triggering: [RuleExample(spec(Snippets.mysqlDatabase, "          initiallyDeferred: true\n"),
                                     files: ["schema.sql": OperationExample.subscriptions(.mysql)]).expecting((25, 30))],
            nonTriggering: [RuleExample(spec(Snippets.pgDatabase, "          initiallyDeferred: true\n"), files: ["schema.sql": OperationExample.subscriptions(.postgresql)]),
                            RuleExample(spec(Snippets.mysqlDatabase, "          onUpdate: cascade\n"), files: ["schema.sql": OperationExample.subscriptions(.mysql)])])
    }

    package enum ReferenceSpellingRule: RuleUnit {
        package static let rule = Rule(
            id: .referenceSpelling, name: "reference-spelling", severity: .error, checkedBy: [.references],
            summary: "a foreign key's references say the same thing twice, differently",
            rationale: "One references form serves a column's reference, addForeignKey and createTable's foreignKey: {table, columns, onDelete, onUpdate, deferrable, initiallyDeferred}. The older spellings still work (a column's 'column: id', addForeignKey's 'onDelete' beside 'references'), but not together with the new one, since one of the two would be ignored: both 'column' and 'columns', 'onDelete' both beside and inside 'references', more than one referenced column for a column's reference, or 'initiallyDeferred: true' with 'deferrable: false'.",
            triggering: [RuleExample(spec(Snippets.pgDatabase, "          column: id\n"),
                                     files: ["schema.sql": OperationExample.subscriptions(.postgresql)]).expecting((25, 19))],
            nonTriggering: [RuleExample(spec(Snippets.pgDatabase, "          onDelete: cascade\n"), files: ["schema.sql": OperationExample.subscriptions(.postgresql)])])
    }
}

extension RuleID {
    public static let foreignKeyOptionUnsupported = RuleID("CUT092")
    public static let referenceSpelling = RuleID("CUT093")
}

extension Message {
    static let deferredNotDeferrable = "'initiallyDeferred: true' needs a deferrable key: drop 'deferrable: false'"
    static let mysqlDeferrable = "MySQL has no deferrable foreign keys: it checks each row at once (deferrable and initiallyDeferred are PostgreSQL only)"
    static let mysqlSetDefault = "InnoDB refuses SET DEFAULT actions: use 'no action', 'restrict', 'cascade' or 'set null' on MySQL"
    static func bothSpellings(_ old: String, _ new: String) -> String { "give '\(new)' or '\(old)', not both: '\(old)' is the older spelling of '\(new)'" }
    static let oneReferencedColumn = "a column's reference names one referenced column"
}
