/// `addEnumValue`, in expand (PostgreSQL): the new app version may write the label from its first pod
/// on, and the old one never sees it unless a new pod wrote it. `ALTER TYPE … ADD VALUE IF NOT EXISTS`
/// (guarded on pg_enum from PostgreSQL 12 on, so a re-run is a no-op) touches only pg_enum: no table is locked or scanned. It runs outside a
/// transaction block (`transactional: false`): before PostgreSQL 12 ADD VALUE is refused inside one, and
/// from 12 on a label added in a transaction cannot be used before it commits, so a later statement of
/// the same Job could not use it.
///
/// PostgreSQL cannot drop an enum label, so the down rebuilds the type without it (`rebuild`): refused
/// while rows hold the label, then a rewrite of each table using the type, under ACCESS EXCLUSIVE
/// (rollback only; said in the title). Without the base schema the former labels are unknown: the
/// step is then irreversible and its down a note (the label stays, harmlessly). MySQL: refused
/// (CUT085); append the label to the column's inline `enum(…)` type with alterColumn.
package struct AddEnumValue: OperationUnit {
    package var enumType: Name
    package var value: Located<String>
    var before: Located<String>?
    var after: Located<String>?

    package static let keyword = "addEnumValue"

    package static let field = Field("addEnumValue", .object(ObjectShape("addEnumValue", "add a label to an enum type (PostgreSQL, expand)", [
        Field("enum", SpecShape.identifier, required: true, "enum type", example: "order_status"),
        Field("value", .text(.plain), required: true, "the new label (at most 63 bytes)", example: "refunded"),
        Field("before", .text(.plain), "put it before this label (default: last)"),
        Field("after", .text(.plain), "put it after this label (default: last)"),
    ])), "add a label to a PostgreSQL enum type in expand (ADD VALUE, outside a transaction); PostgreSQL cannot drop a label, so its down rebuilds the type (refused while rows hold the label; rewrites the tables using it). MySQL: alterColumn to enum(…) with the label appended")

    package static func read(_ node: SyntaxNode, _ reader: SpecBuilder) -> AddEnumValue? {
        guard let type = reader.name(node["enum"]), let value = reader.located(node["value"]) else { return nil }
        return AddEnumValue(enumType: type, value: value, before: reader.located(node["before"]), after: reader.located(node["after"]))
    }

    package static let examples = [
        OperationExample(engine: .postgresql, schema: EnumTypeRules.schema,
                         changes: "    - addEnumValue:\n        enum: order_status\n        value: refunded\n"
                            + "    - addEnumValue:\n        enum: order_status\n        value: draft\n        before: pending\n"
                            + "    - addEnumValue:\n        enum: order_status\n        value: packed\n        after: paid\n"),
        OperationExample(engine: .mysql, schema: EnumTypeRules.mysqlSchema,
                         changes: "    - addEnumValue:\n        enum: order_status\n        value: refunded\n", refusal: .enumTypeEngine),
    ]

    package var tables: [Name] { [] }
    /// The rollback's rebuild drops and recreates the views over any column of the type (`PostgreSQLViewRebuild`).
    package var needsEveryView: Bool { true }
    package func tableWithLaterSteps(engine: MigrationSpec.Engine) -> Name? { nil }

    /// CUT085 on MySQL, CUT086 for an unknown type, CUT087 for a label already there, a before/after label
    /// that is not, both given, or a label over 63 bytes.
    package func check(_ rules: inout ReferenceRules, change: Change) {
        guard rules.requirePostgresEnums(Self.keyword, at: enumType.location) else { return }
        if let before, after != nil {
            rules.report(.enumLabel, Message.enumBeforeAndAfter(), before)
            return
        }
        if value.value.utf8.count > 63 {
            rules.report(.enumLabel, Message.enumLabelTooLong(value.value), value)
            return
        }
        guard let known = rules.enumLabels(enumType) else { return }
        guard var labels = known else { return }
        if labels.contains(value.value) {
            rules.report(.enumLabel, Message.enumLabelPresent(value.value, type: enumType.value), value)
            return
        }
        if let anchor = before ?? after, !labels.contains(anchor.value) {
            rules.report(.enumLabel, Message.enumLabelMissing(anchor.value, type: enumType.value, labels: labels), anchor)
            return
        }
        var type = EnumType(name: enumType.value, labels: labels)
        type.add(value.value, before: before?.value, after: after?.value)
        labels = type.labels
        rules.schema.enums.set(enumType.value, labels)
    }

    func lower(_ r: Recipe) -> [StepDraft] {
        guard r.engine == .postgresql else { return [] }
        let b = r.postgres
        let position = before.map { " BEFORE \(b.lit($0.value))" } ?? after.map { " AFTER \(b.lit($0.value))" } ?? ""
        let type = b.t(enumType.value)
        let label = b.lit(value.value)
        let present = "EXISTS (SELECT 1 FROM pg_catalog.pg_enum\n             WHERE enumtypid = to_regtype(\(b.lit(type))) AND enumlabel = \(label))"
        let add = "ALTER TYPE \(type) ADD VALUE IF NOT EXISTS \(label)\(position);"
        // From PostgreSQL 12 ADD VALUE may run in a DO block: guarded on pg_enum, a re-run is a no-op even
        // after a later renameEnumValue renamed the BEFORE/AFTER label. Before 12 it must be a statement
        // of its own (IF NOT EXISTS).
        let statement = r.context.postgresMajorVersion >= 12 ? b.guarded("NOT " + present, [add]) : add
        let slug = "add_enum_value \(enumType.value) \(value.value)", title = "add label \(value.value) to enum type \(enumType.value)"
        let up = [SQLStatement(statement, comment: "Only pg_enum changes: no table is locked or scanned. No transaction around it, so the label is usable\nas soon as the statement ends; guarded so a re-run is a no-op.")]
        // The labels before this change: without them (no schema file) the type cannot be rebuilt.
        guard let labels = r.context.schema.enumType(enumType.value)?.labels, !labels.contains(value.value) else {
            return [StepDraft(.expand, slug: slug, title: title, change: r.change, up: up,
                              down: r.note("IRREVERSIBLE: PostgreSQL cannot drop an enum label, and the type's labels are unknown without\n'database.schema', so it cannot be rebuilt without it. The label stays, harmlessly: the old version never writes it."),
                              reversible: false, transactional: false)]
        }
        return [StepDraft(.expand, slug: slug, title: title + " (its rollback rewrites the tables using the type)", change: r.change, up: up,
                          down: rebuild(labels, present: present, removed: columnsGoneBeforeDown(r), quarantine: r.context.derived.quarantine,
                                        views: PostgreSQLViewRebuild(r.context, enumType: enumType.value), b),
                          transactional: false)]
    }

    /// The columns of the type that the later changes add (addColumn, createTable, alterColumn to the
    /// type), by the names they have after the whole migration. A rollback runs the downs in reverse, so
    /// their downs have dropped or retyped them when this down runs; but the refusal check may run before
    /// them, hoisted into the rollback Job's checks file (`JobRefusalChecks`), where it still sees them
    /// holding the label (a default `'refunded'` fills every row: #13 audit c5b). The check skips them.
    /// A later rename of a table or column of the type shows here under its new name (it is no base
    /// column by that name): skipped too, and then only this down's own file looks at it, in place.
    func columnsGoneBeforeDown(_ r: Recipe) -> [(table: String, column: String)] {
        func columns(_ schema: DatabaseSchema) -> [(table: String, column: String)] {
            schema.tables.flatMap { table in
                table.columns.filter { Self.sameType($0.type, enumType.value) }.map { (table.name, $0.name) }
            }
        }
        var after = r.context.schema
        for change in r.context.spec.changes where change.index > r.change { after.apply(change.operation, engine: r.engine) }
        let now = columns(r.context.schema)
        return columns(after).filter { column in !now.contains { $0 == column } }
    }

    /// Whether a column type as the schema model holds it (maybe quoted, maybe schema-qualified, any
    /// case) names the enum type.
    static func sameType(_ type: String, _ name: String) -> Bool {
        bareName(type) == bareName(name)
    }

    /// A type's name without its schema and quotes (folded to lower case where unquoted).
    static func bareName(_ text: String) -> String {
        let last = text.split(separator: ".").last.map(String.init) ?? text
        return last.hasPrefix("\"") && last.hasSuffix("\"") && last.count > 1 ? String(last.dropFirst().dropLast()) : last.lowercased()
    }

    /// PostgreSQL cannot drop an enum label, so the down rebuilds the type without it: refused first while
    /// any row holds the label (the new version wrote it; change or delete those rows), then the type is
    /// renamed away, created again with its former labels, and every column of it retyped (defaults
    /// re-set), and the old type dropped. Rollback only, and not online: each ALTER COLUMN … TYPE rewrites
    /// its table under ACCESS EXCLUSIVE (lock_timeout bounds the wait for it, not the rewrite). The server
    /// refuses it under a view of such a column, and the DROP TYPE while a view's cast names the renamed
    /// type: those views (`views`, from the schema file) are dropped first and created again last, in the
    /// same block, with what they have on the server (`PostgreSQLViewRebuild.capture`). A default's cast names the renamed type as the session's
    /// search_path prints it (`'x'::t_cutover_old` where the schema is on it, `'x'::app.t_cutover_old`
    /// where not): it is swapped for the new type printed the same way (regtype's text), so the default
    /// names the rebuilt type under any search_path.
    /// `removed`: columns of the type the rollback drops or retypes before this down (`columnsGoneBeforeDown`),
    /// which the refusal check skips. The rollback Job keeps an added column's rows under its quarantine
    /// name (`quarantine`) instead of dropping it: that column holds what the new version wrote, the label
    /// among it, so the check skips it too, and where a row of it holds the label the rebuild keeps its
    /// values as text (no type without the label could hold them; the purge drops the column later), else
    /// it is retyped like any other column. As text it is without its default (which named
    /// the type) and so without NOT NULL, as the Job keeps a column whose NOT NULL has no default: the
    /// old version's inserts leave it out.
    func rebuild(_ labels: [String], present: String, removed: [(table: String, column: String)] = [], quarantine: (String) -> String = { $0 },
                 views: PostgreSQLViewRebuild? = nil, _ b: PostgreSQLBuilder) -> [SQLStatement] {
        let type = b.t(enumType.value), label = b.lit(value.value)
        let oldName = String(enumType.value.prefix(50)) + "_cutover_old"
        // RENAME TO takes the bare name; the renamed type is then found in the spec's schema (`t`).
        let old = b.q(oldName), renamed = b.t(oldName)
        func columns(of typeName: String, defaults: Bool) -> String {
            "SELECT a.attrelid::regclass AS rel, a.attname\(defaults ? ", pg_catalog.pg_get_expr(d.adbin, d.adrelid) AS def" : "")\n"
                + "             FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid\n"
                + (defaults ? "             LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum\n" : "")
                + "             WHERE a.atttypid = to_regtype(\(b.lit(typeName))) AND a.attnum > 0 AND NOT a.attisdropped\n"
                + "               AND c.relkind IN ('r', 'p') AND a.attinhcount = 0"
        }
        let message = b.lit("cutover rollback refused: %.% holds rows with enum label %, which the rollback of \(enumType.value) drops; change or delete those rows, then run the rollback again")
        // NOT EXISTS, not NOT IN: where a skipped table is gone already (the check in place, after the later
        // downs) to_regclass is NULL, and the comparison must then keep the column, not drop every row.
        let kept = removed.map { (table: $0.table, column: quarantine($0.column)) }
        func values(_ columns: [(table: String, column: String)]) -> String {
            "(VALUES " + columns.map { "(\(b.lit(b.t($0.table))), \(b.lit($0.column)))" }.joined(separator: ", ") + ")"
        }
        let skip = removed.isEmpty ? "" : "\n               AND NOT EXISTS (SELECT 1 FROM \(values(removed + kept)) AS gone(rel, col)\n"
            + "                               WHERE to_regclass(gone.rel) = a.attrelid AND gone.col = a.attname)"
        // A default's cast, as the session's search_path prints the renamed type, for the rebuilt one printed the same way.
        let swap = "'::' || to_regtype(\(b.lit(renamed)))::text, '::' || to_regtype(\(b.lit(type)))::text"
        // Where no later change adds a column of the type, the rebuild is the one it always was.
        let retype = removed.isEmpty
            ? "      EXECUTE format('ALTER TABLE %s ALTER COLUMN %I TYPE \(type) USING %I::text::\(type)', r.rel, r.attname, r.attname);\n"
                + "      IF r.def IS NOT NULL THEN\n"
                + "        EXECUTE format('ALTER TABLE %s ALTER COLUMN %I SET DEFAULT %s', r.rel, r.attname,\n"
                + "                       replace(r.def, \(swap)));\n"
                + "      END IF;"
            : "      used := false;\n"
                + "      IF EXISTS (SELECT 1 FROM \(values(kept)) AS kept(rel, col) WHERE to_regclass(kept.rel) = r.rel AND kept.col = r.attname) THEN\n"
                + "        EXECUTE format('SELECT EXISTS (SELECT 1 FROM %s WHERE %I::text = %L)', r.rel, r.attname, \(label)) INTO used;\n"
                + "      END IF;\n"
                + "      IF used THEN\n"
                + "        EXECUTE format('ALTER TABLE %s ALTER COLUMN %I DROP NOT NULL, ALTER COLUMN %I TYPE text USING %I::text', r.rel, r.attname, r.attname, r.attname);\n"
                + "      ELSE\n"
                + "        EXECUTE format('ALTER TABLE %s ALTER COLUMN %I TYPE \(type) USING %I::text::\(type)', r.rel, r.attname, r.attname);\n"
                + "        IF r.def IS NOT NULL THEN\n"
                + "          EXECUTE format('ALTER TABLE %s ALTER COLUMN %I SET DEFAULT %s', r.rel, r.attname,\n"
                + "                         replace(r.def, \(swap)));\n"
                + "        END IF;\n"
                + "      END IF;"
        let refusal = """
            DO $cutover$
            DECLARE
              r record;
              used boolean;
            BEGIN
              IF \(present) THEN
                FOR r IN \(columns(of: type, defaults: false))\(skip) LOOP
                  EXECUTE format('SELECT EXISTS (SELECT 1 FROM %s WHERE %I::text = %L)', r.rel, r.attname, \(label)) INTO used;
                  IF used THEN
                    RAISE EXCEPTION \(message), r.rel, r.attname, \(label);
                  END IF;
                END LOOP;
              END IF;
            END
            $cutover$;
            """
        // The views over columns of the type, or naming it: dropped first (the server refuses to retype a
        // column under a view, and to drop the renamed type a view's cast names) and created again last from
        // the schema file, inside the same block, so no reader sees them missing.
        // What they have on the server (owner, grants, comments, ...) is read before the drops and applied again after the creates.
        let views = views ?? PostgreSQLViewRebuild(views: [])
        let dropViews = views.before(b, indent: "    ").map { "\n    " + $0 }.joined()
        let createViews = views.after(b, indent: "    ").map { "\n    " + $0 }.joined()
        let declareViews = views.isEmpty ? "" : PostgreSQLViewRebuild.declarations.map { "\n  " + $0 }.joined()
        let rebuild = """
            DO $cutover$
            DECLARE
              r record;\(removed.isEmpty ? "" : "\n  used boolean;")\(declareViews)
            BEGIN
              IF \(present) THEN\(dropViews)
                ALTER TYPE \(type) RENAME TO \(old);
                CREATE TYPE \(type) AS ENUM (\(labels.map(b.lit).joined(separator: ", ")));
                FOR r IN \(columns(of: renamed, defaults: true)) LOOP
                  IF r.def IS NOT NULL THEN
                    EXECUTE format('ALTER TABLE %s ALTER COLUMN %I DROP DEFAULT', r.rel, r.attname);
                  END IF;
            \(retype)
                END LOOP;
                DROP TYPE \(renamed);\(createViews)
              END IF;
            END
            $cutover$;
            """
        return [SQLStatement(refusal, comment: "PostgreSQL cannot drop an enum label: the type is rebuilt without it. Checked before anything changes:\nno row may hold the label (one read-only scan per column of the type)"
                                + (removed.isEmpty ? "." : ", but for the columns a later change adds, which their\ndowns drop or retype before this one (this check may run ahead of them, in the rollback Job's checks file)."),
                             kind: .refusalCheck),
                SQLStatement(rebuild, comment: "Rollback only, NOT ONLINE: the type is renamed away and created again with its former labels, and each column\nof it retyped, which rewrites its table under ACCESS EXCLUSIVE (writes and reads wait for the rewrite)."
                                + (views.isEmpty ? "" : "\nViews over columns of the type or naming it (\(views.names)), in the same block:\n" + PostgreSQLViewRebuild.stepComment))]
    }

    func apply(to schema: inout DatabaseSchema, engine: MigrationSpec.Engine) {
        schema.updateEnumType(enumType.value) { $0.add(value.value, before: before?.value, after: after?.value) }
    }
}
