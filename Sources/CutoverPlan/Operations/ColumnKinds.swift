/// A column's `identity`, `generated` and `comment` (createTable and addColumn columns): how each engine
/// spells them, their checks, and what they leave in both schema models.
/// - identity: PostgreSQL `GENERATED ALWAYS|BY DEFAULT AS IDENTITY`; MySQL `AUTO_INCREMENT`, which takes
///   explicit values as BY DEFAULT does, so only `byDefault` (CUT097), on one column per table that leads
///   a key (CUT098). An identity column is NOT NULL on both engines.
/// - generated: PostgreSQL 15 `GENERATED ALWAYS AS (…) STORED` (no virtual ones: CUT097); MySQL `AS (…)
///   STORED|VIRTUAL`. On an existing table addColumn takes only a MySQL VIRTUAL one (INSTANT); the others
///   rewrite or copy the table (CUT088).
/// - comment: PostgreSQL `COMMENT ON COLUMN` in the same step; MySQL the column's `COMMENT '…'` clause.
enum ColumnKinds {
    static let rules = [ConflictRule.rule, EngineRule.rule, AutoIncrementRule.rule]

    static let table = "    - createTable:\n        name: ledger\n        columns:\n"

    /// CUT096: kinds that exclude each other, or an identity on a type that cannot count.
    enum ConflictRule: RuleUnit {
        static let rule = Rule(
            id: .columnKindConflict, name: "column-kind-conflict", severity: .error, checkedBy: [.references],
            summary: "a column that is an identity and generated, has a default besides, is an identity of a non-integer type, or a generated column added NOT NULL or with `up`",
            rationale: "The server fills an identity column from its sequence (AUTO_INCREMENT) and computes a generated column from the row: either replaces a default, and a column cannot be both (PostgreSQL: both default and identity specified; MySQL ERROR 1221/3109). An identity counts in integers (PostgreSQL: identity column type must be smallint, integer, or bigint). addColumn fills rows with `up` and makes a NOT NULL column NOT NULL after a backfill, and both write the column, which the server refuses for a generated one. Fix: keep one of identity, generated and default; add a generated column nullable, without `up`.",
            triggering: [RuleExample(Snippets.spec(changes: table + "          - {name: id, type: bigint, identity: always, default: \"0\"}\n")).expecting((20, 48))],
            nonTriggering: [RuleExample(Snippets.spec(changes: table + "          - {name: id, type: bigint, identity: always}\n"))])
    }

    /// CUT097: a kind the engine does not have.
    enum EngineRule: RuleUnit {
        static let rule = Rule(
            id: .columnKindEngine, name: "column-kind-engine", severity: .error, checkedBy: [.references],
            summary: "a virtual generated column on PostgreSQL 15, or an `identity: always` column on MySQL",
            rationale: "PostgreSQL before 18 has only STORED generated columns. MySQL's AUTO_INCREMENT always takes an explicit value, as BY DEFAULT does; there is no ALWAYS, so write `identity: byDefault`.",
            triggering: [RuleExample(Snippets.spec(changes: table + "          - {name: id, type: bigint, identity: always}\n"
                                                        + "          - {name: cents, type: bigint, generated: {expression: id * 100, stored: false}}\n")).expecting((21, 52))],
            nonTriggering: [RuleExample(Snippets.spec(changes: table + "          - {name: id, type: bigint, identity: always}\n"
                                                           + "          - {name: cents, type: bigint, generated: {expression: id * 100, stored: true}}\n"))])
    }

    /// CUT098: MySQL's AUTO_INCREMENT column must be the only one and lead a key.
    enum AutoIncrementRule: RuleUnit {
        static let rule = Rule(
            id: .autoIncrementKey, name: "auto-increment-key", severity: .error, checkedBy: [.references],
            summary: "an identity column on MySQL that is its table's second, leads no key, or is added by addColumn",
            rationale: "MySQL allows one AUTO_INCREMENT column per table and it must be the first column of a key (ERROR 1075: there can be only one auto column and it must be defined as a key), so CREATE TABLE would fail in the expand Job. addColumn adds the column before its unique key, which MySQL refuses for an AUTO_INCREMENT column, and on an existing table copies it (CUT088). Fix: put the identity column first in the primary key (or make it `unique`), keep one per table, and declare it in createTable.",
            triggering: [RuleExample(Snippets.spec(database: Snippets.mysqlDatabase,
                                                   changes: table + "          - {name: id, type: bigint, nullable: false}\n          - {name: seq, type: bigint, identity: byDefault}\n        primaryKey: [id]\n")).expecting((21, 49))],
            nonTriggering: [RuleExample(Snippets.spec(database: Snippets.mysqlDatabase,
                                                      changes: table + "          - {name: id, type: bigint, nullable: false}\n          - {name: seq, type: bigint, identity: byDefault, unique: true}\n        primaryKey: [id]\n"))])
    }

    /// createTable's examples of the kinds: an identity key, generated columns, comments (with a quote).
    static let createTableExamples = [
        OperationExample(engine: .postgresql, schema: OperationExample.pricing, changes: table
            + "          - {name: id, type: bigint, identity: always, comment: \"the key, it's numbered\"}\n"
            + "          - {name: seq, type: integer, identity: byDefault}\n"
            + "          - {name: cents, type: bigint, nullable: false}\n"
            + "          - {name: euros, type: \"numeric(14,2)\", generated: {expression: cents / 100.0, stored: true}, comment: computed}\n"
            + "        primaryKey: [id]\n"),
        OperationExample(engine: .mysql, schema: OperationExample.pricingMySQL, changes: table
            + "          - {name: id, type: bigint unsigned, identity: byDefault, comment: \"the key, it's numbered\"}\n"
            + "          - {name: cents, type: bigint, nullable: false}\n"
            + "          - {name: euros, type: \"decimal(14,2)\", generated: {expression: cents / 100, stored: true}, comment: computed}\n"
            + "          - {name: big, type: tinyint, generated: {expression: cents > 100000, stored: false}}\n"
            + "        primaryKey: [id]\n"),
    ]

    /// addColumn's: a commented column on both engines, a virtual generated one on MySQL (INSTANT).
    static let addColumnExamples = [
        OperationExample(engine: .postgresql, schema: OperationExample.pricing,
                         changes: "    - addColumn:\n        table: pricing\n        column:\n          name: note\n          type: text\n          comment: \"it's free text\"\n"),
        OperationExample(engine: .mysql, schema: OperationExample.pricingMySQL,
                         changes: "    - addColumn:\n        table: pricing\n        column:\n          name: note\n          type: varchar(100)\n          comment: \"it's free text\"\n"
                            + "    - addColumn:\n        table: pricing\n        column:\n          name: cents\n          type: bigint\n          generated: {expression: amount * 100, stored: false}\n          comment: computed\n"),
    ]

    /// The integer types an identity (AUTO_INCREMENT) column may have.
    static func isIntegerType(_ type: String) -> Bool {
        type.range(of: "^\\s*((tiny|small|medium|big)?int(eger)?|int[248])\\s*(\\(\\s*\\d+\\s*\\))?(\\s+unsigned)?\\s*$",
                   options: [.regularExpression, .caseInsensitive]) != nil
    }
}

extension ColumnDefinition {
    /// The column's type as the engine spells it with its identity or generated clause.
    func sqlType(_ engine: MigrationSpec.Engine) -> String {
        var text = type.value
        if let identity {
            text += engine == .mysql ? " AUTO_INCREMENT" : identity.value == "always" ? " GENERATED ALWAYS AS IDENTITY" : " GENERATED BY DEFAULT AS IDENTITY"
        }
        if let generated {
            text += engine == .mysql ? " AS (\(generated.expression.value)) \(generated.stored ? "STORED" : "VIRTUAL")"
                                     : " GENERATED ALWAYS AS (\(generated.expression.value)) STORED"
        }
        return text
    }

    /// The server fills the column: an identity field or one spelled in the type.
    var serverNumbered: Bool { identity != nil || SQLTypeFacts.isIdentityType(type.value) }

    /// The column as `DatabaseSchema` keeps it (as the schema reader would read it back from a dump):
    /// the plain type, identity and generated expression apart, the comment as its literal.
    func databaseColumn(_ engine: MigrationSpec.Engine, nullable: Bool) -> DatabaseSchema.Column {
        var column = DatabaseSchema.Column(name: name.value, type: type.value,
                                           nullable: nullable && identity == nil, defaultValue: defaultValue?.value,
                                           isIdentity: serverNumbered)
        column.generated = generated?.expression.value
        column.identityAlways = identity?.value == "always" || SQLWords(type.value.uppercased()).contains("GENERATED", "ALWAYS", "AS", "IDENTITY")
        column.comment = comment.map { SetComment.literal($0.value, SQLNames(engine: engine)) }
        return column
    }
}

extension ReferenceRules {
    /// CUT096, CUT097 and CUT098 (and CUT082 for a MySQL comment too long) for a column of a new table
    /// (`keyed`: it leads the primary key or a unique key) or one addColumn adds (`keyed` nil); true when fine.
    mutating func checkColumnKinds(_ column: ColumnDefinition, keyed: Bool?, up: Located<String>? = nil) -> Bool {
        var fine = true
        if let identity = column.identity {
            if column.generated != nil || column.defaultValue != nil || SQLTypeFacts.isIdentityType(column.type.value) {
                report(.columnKindConflict, Message.columnKindConflict(column.name.value, column.generated != nil ? "generated" : column.defaultValue != nil ? "a default" : "an identity in its type"), identity)
                fine = false
            } else if !ColumnKinds.isIntegerType(column.type.value) {
                report(.columnKindConflict, Message.identityType(column.name.value, type: column.type.value), column.type)
                fine = false
            }
            if engine == .mysql && identity.value == "always" {
                report(.columnKindEngine, Message.identityAlwaysOnMySQL(column.name.value), identity)
                fine = false
            }
            if engine == .mysql && keyed != true {
                report(.autoIncrementKey, keyed == nil ? Message.autoIncrementAdded(column.name.value) : Message.autoIncrementUnkeyed(column.name.value), identity)
                fine = false
            }
        }
        if let generated = column.generated {
            if column.defaultValue != nil {
                report(.columnKindConflict, Message.columnKindConflict(column.name.value, "a default"), generated.expression)
                fine = false
            }
            if keyed == nil && (!column.nullable || up != nil) {
                report(.columnKindConflict, Message.generatedAddedFilled(column.name.value), up ?? generated.expression)
                fine = false
            }
            if engine == .postgresql && !generated.stored {
                report(.columnKindEngine, Message.virtualOnPostgres(column.name.value, added: keyed == nil), at: generated.location)
                fine = false
            }
        }
        if let comment = column.comment, engine == .mysql, comment.value.count > 1024 {
            report(.commentUnsupported, Message.commentTooLong(comment.value.count, limit: 1024, column: true), comment)
            fine = false
        }
        return fine
    }
}

extension RuleID {
    public static let columnKindConflict = RuleID("CUT096")
    public static let columnKindEngine = RuleID("CUT097")
    public static let autoIncrementKey = RuleID("CUT098")
}

extension Message {
    public static func columnKindConflict(_ column: String, _ other: String) -> String {
        "column '\(column)' is filled by the server and has \(other) besides: keep one of identity, generated and default"
    }
    public static func identityType(_ column: String, type: String) -> String {
        "identity column '\(column)' has type '\(type)': an identity counts in smallint, integer or bigint"
    }
    public static func identityAlwaysOnMySQL(_ column: String) -> String {
        "MySQL has no GENERATED ALWAYS identity: its AUTO_INCREMENT takes explicit values; write `identity: byDefault` for '\(column)'"
    }
    public static func autoIncrementUnkeyed(_ column: String) -> String {
        "MySQL needs an AUTO_INCREMENT column to be the only one of its table and to lead a key: put '\(column)' first in primaryKey or make it unique"
    }
    public static func autoIncrementAdded(_ column: String) -> String {
        "MySQL cannot add AUTO_INCREMENT column '\(column)' before its key exists: declare it in createTable"
    }
    public static func generatedAddedFilled(_ column: String) -> String {
        "generated column '\(column)' is computed by the server: addColumn adds it nullable and without `up` (a backfill or NOT NULL step would write it)"
    }
    public static func virtualOnPostgres(_ column: String, added: Bool) -> String {
        // addColumn cannot add a stored one either (CUT088): don't send the user from one refusal to the next.
        added ? "PostgreSQL 15 has only stored generated columns, and adding one computes every row under ACCESS EXCLUSIVE: declare '\(column)' with `stored: true` in createTable, or add a plain nullable column filled by `up`"
              : "PostgreSQL 15 has only stored generated columns: write `stored: true` for '\(column)'"
    }
}
