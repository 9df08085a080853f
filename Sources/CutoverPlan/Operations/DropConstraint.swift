/// `dropConstraint`: drops a check, unique or foreign key constraint by name, on both engines. The
/// down re-creates it from its definition in the base schema (or the change that created it), the
/// lock-safe way: PostgreSQL adds a check or foreign key NOT VALID and validates it in a statement of
/// its own, and rebuilds a unique constraint's index CONCURRENTLY before attaching it; MySQL re-adds a
/// foreign key in place (foreign_key_checks=0) and a unique index in place, and a check by a table copy
/// (MySQL has no online form for it, said in the title).
///
/// Phase (spec-language.md, Phases: every statement of the version that serves must succeed and see
/// its data):
/// - a check, and a foreign key whose actions only refuse (no action, restrict), go in **expand**:
///   without them no statement of the old version fails or sees other data (only refusals go), and the
///   new version, which may write what they refused, finds them gone from its first pod on;
/// - a unique constraint, and a foreign key that acts on its own (ON DELETE/UPDATE CASCADE, SET NULL,
///   SET DEFAULT), go in **contract**, once the old version no longer serves: its `INSERT … ON CONFLICT`
///   (PostgreSQL) or `ON DUPLICATE KEY UPDATE` (MySQL) needs the unique index, its deletes rely on the
///   cascade; so does a constraint whose definition is unknown (no base schema).
/// The drop itself is a catalog change under the runner's lock_timeout (PostgreSQL: a brief ACCESS
/// EXCLUSIVE, no scan; MySQL: ALGORITHM=INPLACE, LOCK=NONE).
struct DropConstraint: OperationUnit {
    var name: Name
    var table: Name

    static let keyword = "dropConstraint"

    static let field = Field("dropConstraint", .object(ObjectShape("dropConstraint", "drop a check, unique or foreign key constraint", [
        Field("name", SpecShape.identifier, required: true, "constraint name", example: "orders_amount_check"),
        Field("table", SpecShape.identifier, required: true, "table of the constraint"),
    ])), "drop a constraint: a check or a refusing foreign key in expand, a unique or acting foreign key in contract; its down re-creates it from the base schema (NOT VALID, then VALIDATE on PostgreSQL)")

    static func read(_ node: SyntaxNode, _ reader: SpecBuilder) -> DropConstraint? {
        guard let name = reader.name(node["name"]), let table = reader.name(node["table"]) else { return nil }
        return DropConstraint(name: name, table: table)
    }

    static let examples = [
        OperationExample(engine: .postgresql, schema: """
            CREATE TABLE pricing (
                id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                code   text NOT NULL CONSTRAINT pricing_code_key UNIQUE,
                amount integer NOT NULL CONSTRAINT pricing_amount_small CHECK (amount < 1000)
            );

            """, changes: "    - dropConstraint:\n        name: pricing_amount_small\n        table: pricing\n    - dropConstraint:\n        name: pricing_code_key\n        table: pricing\n"),
        OperationExample(engine: .mysql, schema: """
            CREATE TABLE pricing (
                id     bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,
                code   varchar(32) NOT NULL,
                amount integer NOT NULL,
                UNIQUE KEY pricing_code_key (code),
                CONSTRAINT pricing_amount_small CHECK (amount < 1000)
            ) ENGINE=InnoDB;

            """, changes: "    - dropConstraint:\n        name: pricing_amount_small\n        table: pricing\n    - dropConstraint:\n        name: pricing_code_key\n        table: pricing\n"),
    ] + [MigrationSpec.Engine.postgresql, .mysql].map {
        OperationExample(engine: $0, schema: OperationExample.subscriptions($0)
                            + "ALTER TABLE subscriptions ADD CONSTRAINT subscriptions_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE CASCADE;\n",
                         changes: "    - dropConstraint:\n        name: subscriptions_customer_fk\n        table: subscriptions\n")
    }

    var tables: [Name] { [table] }
    func tableWithLaterSteps(engine: MigrationSpec.Engine) -> Name? { table }

    // MARK: checks

    static let rules = [UnknownConstraintRule.rule]

    enum UnknownConstraintRule: RuleUnit {
        static let rule = Rule(
            id: .unknownConstraint, name: "unknown-constraint", severity: .error, checkedBy: [.references],
            summary: "dropConstraint or renameConstraint names no check, unique or foreign key constraint of the table at that point",
            rationale: "The down of a dropConstraint re-creates the constraint from its definition, and a renameConstraint renames one that is there, so the constraint must be known: in the schema file, or created earlier in the spec, on the table the change names. A primary key is not dropped or renamed this way (every backfill and rehearsal keys on it), nor is an index (use dropIndex, renameIndex).",
            triggering: [RuleExample(Snippets.spec(database: Snippets.pgDatabase + "    schema: schema.sql\n", changes: "    - dropConstraint:\n        name: pricing_amount_positive\n        table: pricing\n"),
                                     files: ["schema.sql": schema]).expecting((19, 15))],
            nonTriggering: [RuleExample(Snippets.spec(database: Snippets.pgDatabase + "    schema: schema.sql\n", changes: "    - dropConstraint:\n        name: pricing_amount_check\n        table: pricing\n"),
                                        files: ["schema.sql": schema])])

        static let schema = "CREATE TABLE pricing (\n    id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n    amount integer NOT NULL CONSTRAINT pricing_amount_check CHECK (amount >= 0)\n);\n"
    }

    func check(_ rules: inout ReferenceRules, change: Change) {
        guard rules.requireTable(table) else { return }
        switch rules.constraintOfTable(name, table: table) {
        case .found(let object):
            if object.kind == .unique {
                let keys = Set(object.columns)
                let referencing = object.columns.flatMap { rules.schema.incomingForeignKeys(table: table.value, columnKey: $0) }
                if let key = referencing.first(where: { Set($0.referencedColumns) == keys }) {
                    rules.report(.referenceMismatch, Message.uniqueNeededByForeignKey(name.value, foreignKey: key.name, table: key.table), name)
                    return
                }
            }
            if [.foreignKey, .unique, .primaryKey].contains(object.kind) {
                rules.checkPostgresPartitionedDrop(table: table.value, kind: object.kind.words, at: name.location)
            }
            rules.schema.remove(object, reason: "it was dropped at line \(change.location.line)")
            if object.kind == .unique || (object.kind == .foreignKey && Self.acts(object.actions)) {
                rules.freedInContract[rules.schema.mysql ? name.value.lowercased() : name.value] = change.location.line
            }
            if object.kind == .unique {
                rules.schema.update(table.value) { $0.uniqueSets.removeAll { $0 == Set(object.columns) } }
            }
        case .reported:
            return
        case .unknown:
            rules.report(.unsafeRollback, Message.unknownConstraintDefinition(name.value), name)
            rules.freedInContract[rules.schema.mysql ? name.value.lowercased() : name.value] = change.location.line
        }
    }

    // MARK: recipe

    /// The constraint as the schema stands before the change (base schema and earlier changes).
    func definition(in schema: DatabaseSchema, engine: MigrationSpec.Engine) -> DatabaseSchema.Constraint? {
        let same: (String, String) -> Bool = engine == .mysql ? { $0.lowercased() == $1.lowercased() } : { $0 == $1 }
        return schema.constraints.first { same($0.name, name.value) && $0.table == table.value && $0.kind != .primaryKey }
    }

    /// Expand for what only refuses rows (a check, a foreign key without actions of its own), contract for
    /// what the old version's statements rely on (see the type's comment).
    /// Whether a foreign key's actions (`ON DELETE …`) act on rows of their own rather than only refuse.
    static func acts(_ actions: String) -> Bool {
        ["CASCADE", "SET NULL", "SET DEFAULT"].contains(where: actions.uppercased().contains)
    }

    static func phase(of constraint: DatabaseSchema.Constraint?) -> Phase {
        guard let constraint else { return .contract }
        switch constraint.kind {
        case .check: return .expand
        case .foreignKey: return acts(constraint.actions) ? .contract : .expand
        case .unique, .primaryKey: return .contract
        }
    }

    func lower(_ r: Recipe) -> [StepDraft] {
        var base = definition(in: r.context.schema, engine: r.engine)
        let phase = Self.phase(of: base)
        // The down of a contract step re-adds a foreign key while expand's renames are in place.
        if let referenced = base?.referencedTable { base?.referencedTable = r.tableName(referenced, in: phase) }
        let name = self.name.value, table = self.table.value
        let what = base.map { Self.words($0.kind) } ?? "constraint"
        let slug = "drop_constraint \(name)"
        guard let base else {
            let up = r.engine == .postgresql
                ? r.postgres.dropConstraint(table, name, reason: "the spec drops this constraint; no definition is known to re-create it")
                : SQLStatement(r.mysql.guarded("ALTER TABLE \(r.mysql.q(table)) DROP CONSTRAINT \(r.mysql.q(name))", whenFound: true, in: .tableConstraints,
                                               table: table, ["constraint_name = \(r.mysql.lit(name))"]))
            return [StepDraft(phase, slug: slug, title: "drop constraint \(name) on \(table)", change: r.change,
                              up: [up], down: r.note("The base schema does not define \(name): the down cannot re-create it."), reversible: false)]
        }
        return r.engine == .postgresql ? [postgres(base, phase: phase, what: what, slug: slug, r)] : [mysql(base, phase: phase, what: what, slug: slug, r)]
    }

    static func words(_ kind: DatabaseSchema.Constraint.Kind) -> String {
        switch kind {
        case .check: return "check"
        case .unique: return "unique constraint"
        case .foreignKey: return "foreign key"
        case .primaryKey: return "primary key"
        }
    }

    /// PostgreSQL: DROP CONSTRAINT IF EXISTS (brief ACCESS EXCLUSIVE, no scan). The down, one statement per
    /// transaction (the planner sees NOT VALID and VALIDATE, or CONCURRENTLY, so no lock is held across a
    /// scan): a check or foreign key NOT VALID, then VALIDATE (SHARE UPDATE EXCLUSIVE). A check is refused
    /// up front where rows written meanwhile break it (NOT VALID still refuses their UPDATEs); a foreign key
    /// stays NOT VALID with a warning there, as does a check over rows written after that refusal; a unique constraint's index
    /// CONCURRENTLY (it fails on duplicates written meanwhile: a unique index cannot be NOT VALID), then
    /// attached USING INDEX.
    func postgres(_ base: DatabaseSchema.Constraint, phase: Phase, what: String, slug: String, _ r: Recipe) -> StepDraft {
        let b = r.postgres
        let name = self.name.value, table = self.table.value
        var drop = b.dropConstraint(table, name, reason: "the spec drops this constraint; the down re-creates it from the base schema")
        drop.comment = "A catalog change: brief ACCESS EXCLUSIVE under lock_timeout, no scan."
            + (base.kind == .unique ? " The constraint's index goes with it." : "")
        var down: [SQLStatement]
        switch base.kind {
        case .unique:
            let columns = base.columns.map(b.q)
            let refusal = b.lit("cutover rollback refused: \(table) holds rows the new app version wrote that repeat (\(base.columns.joined(separator: ", "))), which unique constraint \(name) forbids; delete or change those rows (SELECT \(base.columns.joined(separator: ", ")) FROM \(table) GROUP BY \(base.columns.joined(separator: ", ")) HAVING count(*) > 1), then run the rollback again")
            let duplicates = "SELECT 1 FROM \(b.t(table)) WHERE \(columns.map { "\($0) IS NOT NULL" }.joined(separator: " AND ")) GROUP BY \(columns.joined(separator: ", ")) HAVING count(*) > 1"
            let check = SQLStatement(b.guarded("NOT \(b.constraintExists(table, name)) AND EXISTS (\(duplicates))", ["RAISE EXCEPTION '%', \(refusal);"]),
                                     comment: "Checked before anything changes: rows written while the constraint was gone must not repeat its key\n(one read-only scan; a unique index cannot be NOT VALID, so the build would fail half way).",
                                     kind: .refusalCheck)
            var build = b.createIndexConcurrently(name: name, table: table, unique: true, method: "btree", columns: b.n.quoteList(base.columns), whereClause: nil)
            build[0].comment = "Re-create from the definition in the base schema: the unique index concurrently, then attach it.\n" + (build[0].comment ?? "")
            let attach = b.guarded("NOT \(b.constraintExists(table, name))",
                                   ["ALTER TABLE \(b.t(table)) ADD CONSTRAINT \(b.q(name)) UNIQUE USING INDEX \(b.q(name));"])
            down = [check] + build + [SQLStatement(attach, comment: "Attach the rebuilt unique index as the constraint (brief ACCESS EXCLUSIVE, no scan).")]
        case .check, .foreignKey, .primaryKey:
            let definition = base.kind == .check
                ? "CHECK (\(base.expression ?? "true"))"
                : "FOREIGN KEY (\(b.n.quoteList(base.columns))) REFERENCES \(b.t(base.referencedTable ?? "")) (\(b.n.quoteList(base.referencedColumns)))"
                    + (base.actions.isEmpty ? "" : " \(base.actions)")
            let add = b.guarded("NOT \(b.constraintExists(table, name))", ["ALTER TABLE \(b.t(table)) ADD CONSTRAINT \(b.q(name)) \(definition) NOT VALID;"])
            let message = b.lit("rows written while constraint \(name) on \(table) was dropped break it: it is back NOT VALID (enforced on new writes); fix those rows, then VALIDATE CONSTRAINT")
            let validate = b.doBlock("  ALTER TABLE \(b.t(table)) VALIDATE CONSTRAINT \(b.q(name));\nEXCEPTION WHEN check_violation OR foreign_key_violation THEN\n  RAISE WARNING \(message);")
            down = [SQLStatement(add, comment: "Re-create from the definition in the base schema: NOT VALID (brief lock, no scan), then VALIDATE on its own.", kind: .addNotValid),
                    SQLStatement(validate, comment: "VALIDATE takes SHARE UPDATE EXCLUSIVE (no write block). A rollback must neither fail nor lose rows: where rows written\nwhile the constraint was gone break it, it stays NOT VALID (still enforced on every new write) with a warning.",
                                 kind: .validateConstraint)]
            if base.kind == .check {
                // A check back NOT VALID is still enforced on every UPDATE of a row that breaks it: the old
                // version could no longer update the rows the new one wrote (#14 trial 14d). Refused up
                // front instead, as MySQL does, naming the rows; the warning stays for rows written after it.
                let expression = base.expression ?? "true"
                let refused = b.lit("cutover rollback refused: \(table) holds rows the new app version wrote that check \(name) forbids; change or delete the rows WHERE NOT (\(expression)), then run the rollback again")
                let check = SQLStatement(b.guarded("NOT \(b.constraintExists(table, name)) AND EXISTS (SELECT 1 FROM \(b.t(table)) WHERE NOT (\(expression)))",
                                                   ["RAISE EXCEPTION '%', \(refused);"]),
                                         comment: "Checked before anything changes: rows written while the check was gone must pass it (one read-only scan).\n"
                                             + "A check back NOT VALID would still refuse every UPDATE of such a row, so the old version could not update them.",
                                         kind: .refusalCheck)
                down.insert(check, at: 0)
            }
        }
        return StepDraft(phase, slug: slug, title: "drop \(what) \(name) on \(table)", change: r.change, up: [drop], down: down)
    }

    /// MySQL: a check by DROP CONSTRAINT (MySQL 8.0.19+ and MariaDB; DROP CHECK is MySQL only), a foreign key by DROP FOREIGN KEY (its index stays, as the server
    /// leaves it), a unique constraint by DROP INDEX; all in place without a lock, guarded on the catalog.
    func mysql(_ base: DatabaseSchema.Constraint, phase: Phase, what: String, slug: String, _ r: Recipe) -> StepDraft {
        let b = r.mysql
        // The base schema's spelling: MySQL matches the spec's name case-insensitively, and the down must
        // give the constraint back its own name.
        let name = base.name, table = self.table.value
        switch base.kind {
        case .unique:
            let columns = base.columns.map(b.q)
            let duplicates = "SELECT 1 FROM \(b.q(table)) WHERE \(columns.map { "\($0) IS NOT NULL" }.joined(separator: " AND ")) GROUP BY \(columns.joined(separator: ", ")) HAVING COUNT(*) > 1"
            // The rows to fix, as the hint the refusal prints and the step's comment both name them.
            let repeated = "(GROUP BY \(base.columns.joined(separator: ", ")) HAVING COUNT(*) > 1)"
            return StepDraft(phase, slug: slug, title: "drop \(what) \(name) on \(table) in place", change: r.change,
                             up: [SQLStatement(b.dropIndex(table, name), comment: "A unique constraint is its unique index on MySQL.")],
                             down: [refusal(b, when: duplicates, message: "cutover rollback refused: \(table) holds rows the new app version wrote that repeat the key of \(name)",
                                            hint: "delete or change the rows that repeat the key \(repeated), then run the rollback again",
                                            comment: "Checked before anything changes: rows written while the unique key was gone must not repeat it (one read-only scan).\n"
                                                + "Refused: delete or change those rows \(repeated), and run the rollback again."),
                                    SQLStatement(b.addIndex(table, name, unique: true, columns: b.n.quoteList(base.columns)),
                                                 comment: "Re-create from the definition in the base schema (in place, writes go on).")])
        case .foreignKey, .primaryKey:
            let condition = ["constraint_name = \(b.lit(name))", "constraint_type = 'FOREIGN KEY'"]
            let actions = base.actions.isEmpty ? "" : " \(base.actions)"
            let add = "ALTER TABLE \(b.q(table)) ADD CONSTRAINT \(b.q(name)) FOREIGN KEY (\(b.n.quoteList(base.columns))) REFERENCES \(b.q(base.referencedTable ?? "")) (\(b.n.quoteList(base.referencedColumns)))\(actions), ALGORITHM=INPLACE, LOCK=NONE"
            return StepDraft(phase, slug: slug, title: "drop \(what) \(name) on \(table) in place", change: r.change,
                             up: [SQLStatement(b.guarded("ALTER TABLE \(b.q(table)) DROP FOREIGN KEY \(b.q(name)), ALGORITHM=INPLACE, LOCK=NONE",
                                                         whenFound: true, in: .tableConstraints, table: table, condition),
                                               comment: "The index of the key stays (MySQL keeps it), so the down finds it again.")],
                             down: [SQLStatement("SET SESSION foreign_key_checks = 0;",
                                                 comment: "Re-create from the definition in the base schema. In place (LOCK=NONE) only with foreign_key_checks=0,\nwhich does not check the rows written while the key was gone."),
                                    SQLStatement(b.guarded(add, whenFound: false, in: .tableConstraints, table: table, condition)),
                                    SQLStatement("SET SESSION foreign_key_checks = 1;")])
        case .check:
            let condition = ["constraint_name = \(b.lit(name))", "constraint_type = 'CHECK'"]
            let expression = base.expression ?? "true"
            // What to do about a refusal, as the hint the refusal prints and the step's comment both say it.
            let fix = "change or delete the rows WHERE NOT (\(expression))"
            return StepDraft(phase, slug: slug, title: "drop \(what) \(name) on \(table) in place" + MySQLDialect.rollbackCopyTitle, change: r.change,
                             up: [SQLStatement(b.guarded("ALTER TABLE \(b.q(table)) DROP CONSTRAINT \(b.q(name)), ALGORITHM=INPLACE, LOCK=NONE",
                                                         whenFound: true, in: .tableConstraints, table: table, condition),
                                               comment: "Dropping a check only changes metadata (in place, writes go on).")],
                             down: [refusal(b, when: "SELECT 1 FROM \(b.q(table)) WHERE NOT (\(expression))",
                                            message: "cutover rollback refused: \(table) holds rows the new app version wrote that check \(name) forbids",
                                            hint: "\(fix), then run the rollback again",
                                            comment: "Checked before anything changes: rows written while the check was gone must pass it (one read-only scan; MySQL has no NOT VALID).\n"
                                                + "Refused: \(fix), and run the rollback again."),
                                    SQLStatement(b.guarded("ALTER TABLE \(b.q(table)) ADD CONSTRAINT \(b.q(name)) CHECK (\(expression)), ALGORITHM=COPY, LOCK=SHARED",
                                                           whenFound: false, in: .tableConstraints, table: table, condition),
                                                 comment: "Re-create from the definition in the base schema. NOT ONLINE: adding a CHECK constraint is ALGORITHM=COPY on MySQL 8\n(the table is copied and writes are blocked for the duration). MySQL has no NOT VALID.", kind: .tableCopy(table: table))])
        }
    }

    /// The refusal as a statement: the procedure is dropped again after the CALL; when it refuses, the
    /// next attempt's first DROP removes it.
    func refusal(_ b: MySQLBuilder, when query: String, message: String, hint: String, comment: String) -> SQLStatement {
        let procedure = b.q(b.context.derived.procedure("refuse", table: table.value, column: name.value))
        return SQLStatement(b.refusal(procedure: procedure, when: query, message: String(message.prefix(128)), hint: hint), comment: comment, kind: .refusalCheck)
    }

    /// The constraint is gone for later changes; on MySQL the index of a dropped foreign key stays.
    func apply(to schema: inout DatabaseSchema, engine: MigrationSpec.Engine) {
        guard let base = definition(in: schema, engine: engine) else { return }
        schema.constraints.removeAll { $0.name == base.name && $0.table == base.table && $0.kind == base.kind }
    }
}

extension RuleID {
    public static let unknownConstraint = RuleID("CUT071")
}

/// What dropConstraint and renameConstraint find under a constraint's name.
enum ConstraintOfTable {
    case found(SymbolicSchema.Object)
    /// Not usable, and reported (CUT071): missing, on another table, or the primary key.
    case reported
    /// Neither known nor known to be missing (no schema file for the table).
    case unknown
}

extension ReferenceRules {
    /// The check, unique or foreign key constraint `name` of `table`; reports CUT071 when there is
    /// none (with a suggestion), when it is another table's, or when it is the primary key.
    mutating func constraintOfTable(_ name: Name, table: Name) -> ConstraintOfTable {
        switch schema.constraint(named: name.value, table: table.value) {
        case .found(let object):
            if object.table != table.value {
                report(.unknownConstraint, Message.constraintOnOtherTable(name.value, table: object.table, not: table.value), table)
                return .reported
            }
            if object.kind == .primaryKey {
                report(.unknownConstraint, Message.dropConstraintPrimaryKey(name.value, table: table.value), name)
                return .reported
            }
            return .found(object)
        case .missing(let reason):
            let suggestion = reason == nil ? Suggestion.closest(to: name.value, among: schema.constraintNames(on: table.value)) : nil
            report(.unknownConstraint, Message.unknownConstraint(name.value, table: table.value, reason: reason, suggestion: suggestion), name)
            return .reported
        case .unknown:
            return .unknown
        }
    }
}

extension Message {
    public static func unknownConstraint(_ name: String, table: String, reason: String?, suggestion: String?) -> String {
        var text = "table '\(table)' has no check, unique or foreign key constraint '\(name)'"
        if let reason { text += ": \(reason)" }
        if let suggestion { text += " (did you mean '\(suggestion)'?)" }
        return text
    }
    public static func constraintOnOtherTable(_ name: String, table: String, not other: String) -> String {
        "constraint '\(name)' is on table '\(table)', not '\(other)'"
    }
    public static func dropConstraintPrimaryKey(_ name: String, table: String) -> String {
        "'\(name)' is the primary key of '\(table)': dropConstraint and renameConstraint work on check, unique and foreign key constraints (backfills, checksums and rehearsals key on the primary key)"
    }
    public static func uniqueNeededByForeignKey(_ name: String, foreignKey: String, table: String) -> String {
        "foreign key '\(foreignKey)' on '\(table)' references the columns of unique constraint '\(name)': the server refuses to drop it; drop the foreign key first"
    }
    public static func unknownConstraintDefinition(_ name: String) -> String {
        "constraint '\(name)' is neither in the schema file nor created earlier in the spec: the down cannot re-create it, so the step is irreversible and runs in contract; give 'database.schema'"
    }
}
