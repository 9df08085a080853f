/// `setComment`, in expand: sets, changes or clears (`comment: ""`) the comment of a table, or of one of
/// its columns with `column`. Neither app version reads comments, so expand is safe. The comment is text
/// from the spec, written as one string literal (`SQLNames.literal`: quotes doubled, and backslashes on
/// MySQL, which reads escapes), never spliced otherwise. The down writes back the comment of the base
/// schema (PostgreSQL `COMMENT ON … IS '…'` lines of pg_dump, MySQL `COMMENT '…'` of mysqldump), or none.
/// - PostgreSQL: `COMMENT ON TABLE|COLUMN … IS '…'` (SHARE UPDATE EXCLUSIVE: writes go on, no scan);
///   setting the same text again is a no-op.
/// - MySQL: a table's by `ALTER TABLE … COMMENT = '…'`; a column's by MODIFY COLUMN restating the column's
///   whole definition from the schema (type, character set, collation, NULL, default, ON UPDATE,
///   AUTO_INCREMENT) with the new comment: a metadata-only change, ALGORITHM=INPLACE, LOCK=NONE (MariaDB
///   10.11 takes INSTANT too; MySQL 8 INPLACE). Without the column's definition MODIFY would reset what it
///   does not repeat, so that is refused (CUT082), as are comments longer than MySQL keeps (table 2048,
///   column 1024 characters: strict mode refuses them in the Job).
/// A column another change of the spec adds, alters or renames is CUT052 (that change may rebuild the
/// column from a copy, or restate it by MODIFY, and lose the comment): set it in a later migration.
struct SetComment: OperationUnit {
    var table: Name
    var column: Name?
    var comment: Located<String>

    static let keyword = "setComment"

    static let field = Field("setComment", .object(ObjectShape("setComment", "set, change or clear the comment of a table or column", [
        Field("table", SpecShape.identifier, required: true, "table"),
        Field("column", SpecShape.identifier, "column (the table's own comment when left out)"),
        Field("comment", .text(.plain), required: true, "the comment; \"\" clears it", example: "Net price in cents"),
    ])), "set, change or clear (\"\") the comment of a table or column in expand; its down restores the base schema's comment")

    static func read(_ node: SyntaxNode, _ reader: SpecBuilder) -> SetComment? {
        guard let table = reader.name(node["table"]), let comment = reader.located(node["comment"]) else { return nil }
        return SetComment(table: table, column: reader.name(node["column"]), comment: comment)
    }

    /// A comment that tries every way out of a literal: quotes, a backslash before the closing quote, a
    /// dollar quote, a statement end and a line comment.
    static let hostile = "it's \\' a \\\\\"; DROP TABLE pricing; -- $$ $cutover$ `x` \\"

    static let examples = [MigrationSpec.Engine.postgresql, .mysql].flatMap { engine in
        let schema = engine == .postgresql
            ? OperationExample.pricing + "COMMENT ON TABLE public.pricing IS 'Price list, it''s old';\nCOMMENT ON COLUMN public.pricing.amount IS 'cents';\n"
            : "CREATE TABLE pricing (\n    id     bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,\n    amount integer NOT NULL DEFAULT 0 COMMENT 'cents',\n"
                + "    code   varchar(16) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,\n    changed_at timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3)\n"
                + ") ENGINE=InnoDB COMMENT='Price list, it''s old';\n"
        let hostile = "'" + Self.hostile.doublingScalars("'") + "'"
        return [
            OperationExample(engine: engine, schema: schema,
                             changes: "    - setComment:\n        table: pricing\n        comment: \(hostile)\n"
                                + "    - setComment:\n        table: pricing\n        column: amount\n        comment: \(hostile)\n"),
            OperationExample(engine: engine, schema: schema,
                             changes: "    - setComment:\n        table: pricing\n        comment: \"\"\n"
                                + "    - setComment:\n        table: pricing\n        column: amount\n        comment: \"\"\n"
                                + (engine == .mysql ? "    - setComment:\n        table: pricing\n        column: code\n        comment: Ünïcode\n"
                                    + "    - setComment:\n        table: pricing\n        column: changed_at\n        comment: set on every write\n"
                                    + "    - setComment:\n        table: pricing\n        column: id\n        comment: the key\n" : "")),
        ]
    }

    var tables: [Name] { [table] }
    func tableWithLaterSteps(engine: MigrationSpec.Engine) -> Name? { nil }

    // MARK: checks

    static let rules = [CommentRule.rule]

    enum CommentRule: RuleUnit {
        static let rule = Rule(
            id: .commentUnsupported, name: "comment-unsupported", severity: .error, checkedBy: [.references],
            summary: "a MySQL comment cutover cannot set safely: too long, or on a column whose definition is not known",
            rationale: "MySQL keeps at most 2048 characters of a table comment and 1024 of a column comment, and in strict mode refuses a longer one, so the expand Job would fail. A column's comment is part of its definition on MySQL: MODIFY COLUMN must restate the type, character set, collation, nullability, default, ON UPDATE and AUTO_INCREMENT, or it silently resets them; cutover takes them from the schema file (or the change that created the column) and refuses when it has none. A column that another change of the spec alters is CUT052.",
            triggering: [RuleExample(Snippets.spec(database: Snippets.mysqlDatabase, changes: "    - setComment:\n        table: pricing\n        column: amount\n        comment: cents\n")).expecting((19, 17))],
            nonTriggering: [RuleExample(Snippets.spec(database: Snippets.mysqlDatabase + "    schema: schema.sql\n", changes: "    - setComment:\n        table: pricing\n        column: amount\n        comment: cents\n"),
                                        files: ["schema.sql": OperationExample.pricingMySQL])])
    }

    func check(_ rules: inout ReferenceRules, change: Change) {
        guard rules.requireTable(table) else { return }
        if let column, !rules.requireColumn(column, of: table.value) { return }
        if rules.engine == .mysql {
            let limit = column == nil ? 2048 : 1024
            if comment.value.count > limit {
                rules.report(.commentUnsupported, Message.commentTooLong(comment.value.count, limit: limit, column: column != nil), comment)
                return
            }
            if let column {
                if rules.schema.tables[table.value]?.columns[rules.schema.columnKey(column.value)]?.type == nil {
                    rules.report(.commentUnsupported, Message.commentNeedsDefinition(column.value, table: table.value), column)
                    return
                }
            }
        }
        // Another change of the column (addColumn, alterColumn, renameColumn) may rebuild it from a copy or
        // restate it by MODIFY, which would lose the comment: CUT052, as for any column changed twice.
        if let column { rules.changing(table.value, column, Self.keyword, line: change.location.line) }
        if let state = rules.schema.tables[table.value], !rules.schema.isComplete(state) {
            rules.report(.unsafeRollback, Message.commentUnknown(column.map { "column '\($0.value)' of '\(table.value)'" } ?? "'\(table.value)'"), table)
        }
    }

    // MARK: recipe

    func lower(_ r: Recipe) -> [StepDraft] {
        let table = self.table.value
        let what = column.map { "column \(table).\($0.value)" } ?? "table \(table)"
        let title = comment.value.isEmpty ? "clear the comment of \(what)" : "set the comment of \(what)"
        let slug = "comment \(table)" + (column.map { " \($0.value)" } ?? "")
        let base = r.context.schema.table(table)
        let info = column.flatMap { name in base?.columns.first { r.engine == .mysql ? $0.name.lowercased() == name.value.lowercased() : $0.name == name.value } }
        let previous: String?? = base.map { base in column == nil ? base.comment : info?.comment }
        // Already so in the base schema: nothing to change (verify proves every up changes something).
        if let previous, previous == (comment.value.isEmpty ? nil : Self.literal(comment.value, r.context.names)) { return [] }
        if r.engine == .postgresql {
            let b = r.postgres
            let target = column.map { "COLUMN \(b.t(table)).\(b.q($0.value))" } ?? "TABLE \(b.t(table))"
            let up = SQLStatement("COMMENT ON \(target) IS \(comment.value.isEmpty ? "NULL" : Self.literal(comment.value, b.n));",
                                  comment: "SHARE UPDATE EXCLUSIVE (writes go on), no scan; the same text again changes nothing.")
            guard let previous else { return [irreversible(title, slug, up, r)] }
            return [StepDraft(.expand, slug: slug, title: title, change: r.change, up: [up],
                              down: [SQLStatement("COMMENT ON \(target) IS \(previous.map { Self.rewritten($0, b.n) } ?? "NULL");", comment: "The comment of the base schema.")])]
        }
        let b = r.mysql
        guard let column else {
            func set(_ literal: String) -> String { "ALTER TABLE \(b.q(table)) COMMENT = \(literal), ALGORITHM=INPLACE, LOCK=NONE;" }
            let up = SQLStatement(set(b.lit(comment.value)), comment: "Metadata only (in place, writes go on); the same text again changes nothing.")
            guard let previous else { return [irreversible(title, slug, up, r)] }
            return [StepDraft(.expand, slug: slug, title: title + " in place", change: r.change, up: [up],
                              down: [SQLStatement(set(previous ?? "''"), comment: "The comment of the base schema.")])]
        }
        // The check refused a column without a known definition; the planner lowers only valid specs.
        guard let info else { return [] }
        func modify(_ literal: String) -> String {
            b.guarded("ALTER TABLE \(b.q(table)) MODIFY COLUMN \(b.q(info.name)) \(Self.definition(info, b)) COMMENT \(literal), ALGORITHM=INPLACE, LOCK=NONE",
                      whenFound: true, in: .columns, table: table, [b.column(info.name)])
        }
        return [StepDraft(.expand, slug: slug, title: title + " in place", change: r.change,
                          up: [SQLStatement(modify(b.lit(comment.value)),
                                            comment: "MODIFY restates the column's whole definition from the schema with the new comment: metadata only\n(in place, writes go on); the same text again changes nothing.")],
                          down: [SQLStatement(modify(info.comment ?? "''"), comment: "The comment of the base schema.")])]
    }

    /// A down that cannot restore what it does not know.
    func irreversible(_ title: String, _ slug: String, _ up: SQLStatement, _ r: Recipe) -> StepDraft {
        StepDraft(.expand, slug: slug, title: title, change: r.change, up: [up],
                  down: r.note("Irreversible: the comment before this step is not known (no schema file)."), reversible: false)
    }

    /// The comment as a string literal. PostgreSQL: with a backslash, an `E'…'` literal with the backslash
    /// doubled, which reads the same whatever `standard_conforming_strings` says (psql would take a lone
    /// backslash in `'…'` for a meta-command when it is off); MySQL: `SQLNames.literal`.
    static func literal(_ text: String, _ names: SQLNames) -> String {
        guard names.engine == .postgresql, text.containsScalar("\\") else { return names.literal(text) }
        return "E'" + text.doublingScalars("\\", "'") + "'"
    }

    /// A PostgreSQL literal from the schema file: a plain `'…'` one with a backslash (pg_dump writes it so
    /// under standard_conforming_strings) is rewritten as `literal` does; any other as written.
    static func rewritten(_ literal: String, _ names: SQLNames) -> String {
        guard literal.hasPrefix("'"), literal.hasSuffix("'"), literal.count >= 2, literal.contains("\\") else { return literal }
        return Self.literal(String(literal.dropFirst().dropLast()).replacingOccurrences(of: "''", with: "'"), names)
    }

    /// A MySQL column's definition without its comment, as MODIFY COLUMN must restate it.
    static func definition(_ column: DatabaseSchema.Column, _ b: MySQLBuilder) -> String {
        var text = column.type + (column.charset.map { " CHARACTER SET \($0)" } ?? "") + (column.collation.map { " COLLATE \($0)" } ?? "")
        if let generated = column.generated { return text + " AS (\(generated))" }
        text += column.nullable ? " NULL" : " NOT NULL"
        if let value = column.defaultValue { text += " DEFAULT \(value)" }
        if column.updatedOnWrite {
            let lower = column.type.lowercased()
            let precision = lower.firstIndex(of: "(").map { String(lower[$0...]) } ?? ""
            text += " ON UPDATE CURRENT_TIMESTAMP" + precision
        }
        if column.isIdentity { text += " AUTO_INCREMENT" }
        return text
    }

    func apply(to schema: inout DatabaseSchema, engine: MigrationSpec.Engine) {
        let literal = comment.value.isEmpty ? nil : Self.literal(comment.value, SQLNames(engine: engine))
        schema.mutateTable(table.value) { table in
            if let column = self.column {
                let same: (String) -> Bool = engine == .mysql ? { $0.lowercased() == column.value.lowercased() } : { $0 == column.value }
                if let index = table.columns.firstIndex(where: { same($0.name) }) { table.columns[index].comment = literal }
            } else {
                table.comment = literal
            }
        }
    }
}

extension RuleID {
    public static let commentUnsupported = RuleID("CUT082")
}

extension Message {
    public static func commentTooLong(_ count: Int, limit: Int, column: Bool) -> String {
        "the comment has \(count) characters: MySQL keeps at most \(limit) for a \(column ? "column" : "table") and refuses a longer one in strict mode; shorten it"
    }
    public static func commentNeedsDefinition(_ column: String, table: String) -> String {
        "MySQL sets a column comment by MODIFY COLUMN, which must restate the whole definition of '\(column)', and the definition is not known (the table '\(table)' is not in the schema file); give 'database.schema'"
    }
    public static func commentUnknown(_ what: String) -> String {
        "the comment of \(what) before this change is not known (not in the schema file): the down cannot restore it, so the step is irreversible; give 'database.schema'"
    }
}
