/// The rules of the enum type operations (createEnum, addEnumValue, renameEnumValue), declared once
/// for the three units, and the checks they share.
enum EnumTypeRules {
    static let all = [EngineRule.rule, UnknownRule.rule, LabelRule.rule]

    static let schema = "CREATE TYPE order_status AS ENUM ('pending', 'paid', 'shipped');\n\nCREATE TABLE orders (\n    id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n    status order_status NOT NULL DEFAULT 'pending'\n);\n"
    static let mysqlSchema = "CREATE TABLE orders (\n    id     bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,\n    status enum('pending','paid','shipped') NOT NULL DEFAULT 'pending'\n) ENGINE=InnoDB;\n"

    /// CUT085: MySQL (and MariaDB) have no named enum types.
    enum EngineRule: RuleUnit {
        static let rule = Rule(
            id: .enumTypeEngine, name: "enum-type-engine", severity: .error, checkedBy: [.references],
            summary: "createEnum, addEnumValue or renameEnumValue on MySQL, which has no named enum types",
            rationale: "An enum type made by CREATE TYPE … AS ENUM is PostgreSQL's. MySQL and MariaDB spell an enum inline, as the column's own type (`enum('pending','paid')`), so there is no type to create, extend or rename: the expand Job would fail on the first statement. Declare the column with the inline type in createTable or addColumn; extend it with alterColumn to the same type with the new label appended at the end (in place on MySQL 8 and MariaDB: ALGORITHM=INSTANT when the storage size stays the same); a label is renamed by adding the new one, a backfill, and dropping the old one in a later migration.",
            triggering: [RuleExample(Snippets.spec(database: Snippets.mysqlDatabase + "    schema: schema.sql\n",
                                                   changes: "    - addEnumValue:\n        enum: order_status\n        value: refunded\n"),
                                     files: ["schema.sql": mysqlSchema]).expecting((19, 15))],
            nonTriggering: [RuleExample(Snippets.spec(database: Snippets.mysqlDatabase + "    schema: schema.sql\n",
                                                      changes: "    - alterColumn:\n        table: orders\n        column: status\n        type: enum('pending','paid','shipped','refunded')\n"),
                                        files: ["schema.sql": mysqlSchema])])
    }

    /// CUT086: the enum type is not there.
    enum UnknownRule: RuleUnit {
        static let rule = Rule(
            id: .unknownEnumType, name: "unknown-enum-type", severity: .error, checkedBy: [.references],
            summary: "addEnumValue or renameEnumValue names an enum type that the schema file does not define and no earlier createEnum creates",
            rationale: "ALTER TYPE … ADD VALUE and RENAME VALUE fail on a type that does not exist (or that is no enum), and the labels before/after and from/to refer to must be known to be checked. With a schema file every enum type is known (pg_dump writes CREATE TYPE … AS ENUM); without one, or after a `sql` change, the name is taken as given.",
            triggering: [RuleExample(Snippets.spec(database: Snippets.pgDatabase + "    schema: schema.sql\n",
                                                   changes: "    - addEnumValue:\n        enum: order_state\n        value: refunded\n"),
                                     files: ["schema.sql": schema]).expecting((19, 15))],
            nonTriggering: [RuleExample(Snippets.spec(database: Snippets.pgDatabase + "    schema: schema.sql\n",
                                                      changes: "    - addEnumValue:\n        enum: order_status\n        value: refunded\n"),
                                        files: ["schema.sql": schema])])
    }

    /// CUT087: a label that is there twice, missing, or too long.
    enum LabelRule: RuleUnit {
        static let rule = Rule(
            id: .enumLabel, name: "enum-label", severity: .error, checkedBy: [.references],
            summary: "an enum label that is repeated, already there, not there, or longer than 63 bytes",
            rationale: "PostgreSQL refuses CREATE TYPE … AS ENUM with a repeated label and a label over 63 bytes; ADD VALUE IF NOT EXISTS silently does nothing for a label that is already there (so the spec would not say what the database holds), and fails for a BEFORE/AFTER label that is not; RENAME VALUE fails for a label that is not there or a new name that is. addEnumValue takes at most one of before and after.",
            triggering: [RuleExample(Snippets.spec(database: Snippets.pgDatabase + "    schema: schema.sql\n",
                                                   changes: "    - addEnumValue:\n        enum: order_status\n        value: refunded\n        after: delivered\n"),
                                     files: ["schema.sql": schema]).expecting((21, 16))],
            nonTriggering: [RuleExample(Snippets.spec(database: Snippets.pgDatabase + "    schema: schema.sql\n",
                                                      changes: "    - addEnumValue:\n        enum: order_status\n        value: refunded\n        after: shipped\n"),
                                        files: ["schema.sql": schema])])
    }
}

extension RuleID {
    public static let enumTypeEngine = RuleID("CUT085")
    public static let unknownEnumType = RuleID("CUT086")
    public static let enumLabel = RuleID("CUT087")
}

extension ReferenceRules {
    /// CUT085 on MySQL; true on PostgreSQL.
    mutating func requirePostgresEnums(_ keyword: String, at location: SourceLocation) -> Bool {
        guard schema.mysql else { return true }
        report(.enumTypeEngine, Message.enumTypeOnMySQL(keyword), at: location)
        return false
    }

    /// The labels of enum type `name`: nil when reported (CUT086), `.some(nil)` when unknown (no schema
    /// file, or a `sql` change since).
    mutating func enumLabels(_ name: Name) -> [String]?? {
        switch schema.enums.lookup(name.value, complete: schema.complete) {
        case .found(let labels)?:
            return .some(labels)
        case .missing?:
            let suggestion = Suggestion.closest(to: name.value, among: schema.enums.names)
            report(.unknownEnumType, Message.unknownEnumType(name.value, suggestion: suggestion), name)
            return nil
        case nil:
            return .some(nil)
        }
    }
}

extension Message {
    public static func enumTypeOnMySQL(_ keyword: String) -> String {
        "\(keyword): MySQL has no named enum types (CREATE TYPE … AS ENUM is PostgreSQL's); write the enum inline as the column's type (type: enum('a','b')) in createTable or addColumn, and add a label with alterColumn to the same type with the label appended (in place)"
    }
    public static func unknownEnumType(_ name: String, suggestion: String?) -> String {
        "enum type '\(name)' is neither in the schema file nor created by an earlier createEnum" + (suggestion.map { " (did you mean '\($0)'?)" } ?? "")
    }
    public static func enumLabelRepeated(_ label: String, type: String) -> String {
        "label '\(label)' is repeated in enum type '\(type)'"
    }
    public static func enumLabelTooLong(_ label: String) -> String {
        "enum label '\(label.prefix(70))…' is longer than 63 bytes, which PostgreSQL refuses"
    }
    public static func enumLabelPresent(_ label: String, type: String) -> String {
        "enum type '\(type)' already has label '\(label)'"
    }
    public static func enumLabelMissing(_ label: String, type: String, labels: [String]) -> String {
        "enum type '\(type)' has no label '\(label)' (its labels: \(labels.map { "'\($0)'" }.joined(separator: ", ")))"
    }
    public static func enumBeforeAndAfter() -> String {
        "give either 'before' or 'after', not both"
    }
}
