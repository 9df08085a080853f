/// `dropPrimaryKey`, in contract: the old app version may rely on the key (`INSERT … ON CONFLICT (id)`,
/// `REPLACE`, `ON DUPLICATE KEY UPDATE`), so it goes only once no pod of it serves. The key columns stay
/// NOT NULL (both servers leave them so). The down re-creates the key from the base schema after a
/// refusal check that names the keys repeated while it was gone.
/// - PostgreSQL: `DROP CONSTRAINT IF EXISTS` (a brief ACCESS EXCLUSIVE, no scan); the down builds the
///   unique index CONCURRENTLY and attaches it with `ADD CONSTRAINT … PRIMARY KEY USING INDEX`.
/// - MySQL: dropping a primary key without adding another is ALGORITHM=COPY only (ERROR 1846 otherwise):
///   the up copies the table with writes blocked (CUT073 warns); the down adds it back in place
///   (ALGORITHM=INPLACE, LOCK=NONE).
/// Refused (CUT084) when the table is not in the schema file or has no primary key, when a foreign key
/// references the key (the server refuses to drop it), and on MySQL when a key column is AUTO_INCREMENT
/// (an auto column must be a key) or the key is the index a foreign key of the table uses.
struct DropPrimaryKey: OperationUnit {
    var table: Name

    static let keyword = "dropPrimaryKey"

    static let field = Field("dropPrimaryKey", .object(ObjectShape("dropPrimaryKey", "drop a table's primary key (contract)", [
        Field("table", SpecShape.identifier, required: true, "table (in the schema file, with a primary key)"),
    ])), "drop a primary key in contract (the old version may rely on it); its down re-creates it from the base schema (MySQL: the up is a table copy)")

    static func read(_ node: SyntaxNode, _ reader: SpecBuilder) -> DropPrimaryKey? {
        reader.name(node["table"]).map { DropPrimaryKey(table: $0) }
    }

    static let examples = [
        OperationExample(engine: .postgresql, schema: "CREATE TABLE tags (\n    code  text NOT NULL PRIMARY KEY,\n    label text\n);\n",
                         changes: "    - dropPrimaryKey:\n        table: tags\n"),
        OperationExample(engine: .mysql, schema: "CREATE TABLE tags (\n    code  varchar(32) NOT NULL PRIMARY KEY,\n    label text\n) ENGINE=InnoDB;\n",
                         changes: "    - dropPrimaryKey:\n        table: tags\n"),
    ]

    var tables: [Name] { [table] }
    func tableWithLaterSteps(engine: MigrationSpec.Engine) -> Name? { table }

    // MARK: checks

    static let rules = [DropPrimaryKeyRule.rule]

    enum DropPrimaryKeyRule: RuleUnit {
        static let rule = Rule(
            id: .dropPrimaryKey, name: "drop-primary-key", severity: .error, checkedBy: [.references],
            summary: "dropPrimaryKey on a table without a primary key, not in the schema file, or whose key the server cannot drop",
            rationale: "The down re-creates the key from its definition, so the table must be in the schema file with a primary key. The server refuses to drop a key that a foreign key references (drop that first), and MySQL one whose column is AUTO_INCREMENT (an auto column must be a key) or that is the only index a foreign key of the table can use (ERROR 1553); the contract Job would fail half way.",
            triggering: [RuleExample(Snippets.spec(database: Snippets.pgDatabase + "    schema: schema.sql\n", changes: "    - dropPrimaryKey:\n        table: pricing\n"),
                                     files: ["schema.sql": "CREATE TABLE pricing (\n    amount integer NOT NULL\n);\n"]).expecting((19, 16))],
            nonTriggering: [RuleExample(Snippets.spec(database: Snippets.pgDatabase + "    schema: schema.sql\n", changes: "    - dropPrimaryKey:\n        table: pricing\n"),
                                        files: ["schema.sql": "CREATE TABLE pricing (\n    code text PRIMARY KEY\n);\n"])])
    }

    func check(_ rules: inout ReferenceRules, change: Change) {
        guard rules.requireTable(table) else { return }
        guard let state = rules.schema.tables[table.value], rules.schema.isComplete(state) else {
            rules.report(.dropPrimaryKey, Message.dropPrimaryKeyNeedsSchema(table.value), table)
            return
        }
        guard !state.primaryKey.isEmpty else {
            rules.report(.dropPrimaryKey, Message.noPrimaryKey(table.value), table)
            return
        }
        if let key = state.primaryKey.flatMap({ rules.schema.incomingForeignKeys(table: table.value, columnKey: $0) }).first {
            rules.report(.dropPrimaryKey, Message.primaryKeyReferenced(table.value, foreignKey: key.name, from: key.table), table)
            return
        }
        rules.checkPostgresPartitionedDrop(table: table.value, kind: "primary key", at: table.location)
        if rules.schema.mysql {
            if let auto = state.primaryKey.compactMap({ state.columns[$0] }).first(where: \.isIdentity) {
                rules.report(.dropPrimaryKey, Message.primaryKeyAutoIncrement(table.value, column: auto.name), table)
                return
            }
            if let key = Self.foreignKeysServedOnlyByKey(state, rules.schema).first {
                rules.report(.dropPrimaryKey, Message.primaryKeyIndexOfForeignKey(table.value, foreignKey: key), table)
                return
            }
        }
        let keyName = rules.schema.constraintNames(on: table.value).first { name in
            if case .found(let object) = rules.schema.constraint(named: name, table: table.value) { return object.kind == .primaryKey }
            return false
        }
        if let keyName, case .found(let object) = rules.schema.constraint(named: keyName, table: table.value) {
            rules.schema.remove(object, reason: "the primary key was dropped at line \(change.location.line)")
        }
        rules.schema.update(table.value) { table in
            table.uniqueSets.removeAll { $0 == Set(table.primaryKey) }
            table.primaryKey = []
        }
    }

    /// MySQL: the foreign keys of the table whose columns only the primary key leads with (InnoDB needs
    /// an index that starts with a key's columns, and refuses to drop the last one: ERROR 1553).
    static func foreignKeysServedOnlyByKey(_ state: SymbolicSchema.Table, _ schema: SymbolicSchema) -> [String] {
        let indexes = schema.indexNames(on: state.name).compactMap { name -> [String]? in
            if case .found(let object) = schema.index(named: name, table: state.name), object.kind != .primaryKey { return object.columns }
            return nil
        }
        return schema.constraintNames(on: state.name).compactMap { name -> String? in
            guard case .found(let key) = schema.constraint(named: name, table: state.name), key.kind == .foreignKey, key.table == state.name,
                  !key.columns.isEmpty, state.primaryKey.starts(with: key.columns),
                  !indexes.contains(where: { $0.starts(with: key.columns) }) else { return nil }
            return key.name
        }
    }

    // MARK: recipe

    func lower(_ r: Recipe) -> [StepDraft] {
        let table = self.table.value
        guard let base = r.context.schema.table(table), !base.primaryKey.isEmpty else { return [] }
        let name = r.context.schema.constraints.first { $0.table == table && $0.kind == .primaryKey }?.name
            ?? ObjectNames(names: r.context.names).primaryKey(table: table)
        let columns = base.primaryKey
        let slug = "drop_primary_key \(table)"
        let refused = "cutover rollback refused: \(table) holds rows the new app version wrote that repeat (\(columns.joined(separator: ", "))), its primary key; delete or change those rows (GROUP BY \(columns.joined(separator: ", ")) HAVING count(*) > 1), then run the rollback again"
        if r.engine == .postgresql {
            let b = r.postgres
            let quoted = columns.map(b.q)
            let repeats = "SELECT 1 FROM \(b.t(table)) GROUP BY \(quoted.joined(separator: ", ")) HAVING count(*) > 1"
            let check = SQLStatement(b.guarded("NOT \(b.constraintExists(table, name)) AND EXISTS (\(repeats))", ["RAISE EXCEPTION '%', \(b.lit(refused));"]),
                                     comment: "Checked before anything changes: rows written while the key was gone must not repeat it (one read-only scan;\na unique index cannot be NOT VALID, so the build would fail half way).", kind: .refusalCheck)
            var build = b.createIndexConcurrently(name: name, table: table, unique: true, method: "btree", columns: quoted.joined(separator: ", "), whereClause: nil)
            build[0].comment = "Re-create from the base schema: the unique index concurrently, then attach it.\n" + (build[0].comment ?? "")
            let attach = b.guarded("NOT \(b.constraintExists(table, name))", ["ALTER TABLE \(b.t(table)) ADD CONSTRAINT \(b.q(name)) PRIMARY KEY USING INDEX \(b.q(name));"])
            var drop = b.dropConstraint(table, name, reason: "the spec drops the primary key; the down re-creates it from the base schema")
            drop.comment = "A catalog change: brief ACCESS EXCLUSIVE under lock_timeout, no scan; the key's index goes with it, the columns stay NOT NULL."
            return [StepDraft(.contract, slug: slug, title: "drop primary key \(name) on \(table)", change: r.change, up: [drop],
                              down: [check] + build + [SQLStatement(attach, comment: "Attach the rebuilt index as the primary key (brief ACCESS EXCLUSIVE, no scan).")],
                              transactional: false)]
        }
        let b = r.mysql
        let quoted = columns.map(b.q)
        let condition = ["constraint_type = 'PRIMARY KEY'"]
        let procedure = b.q(b.context.derived.procedure("refuse", table: table, column: "pkey"))
        let repeats = "SELECT 1 FROM \(b.q(table)) GROUP BY \(quoted.joined(separator: ", ")) HAVING COUNT(*) > 1"
        return [StepDraft(.contract, slug: slug, title: "drop primary key on \(table)" + MySQLDialect.tableCopyTitle, change: r.change,
                          up: [SQLStatement(b.guarded("ALTER TABLE \(b.q(table)) DROP PRIMARY KEY, ALGORITHM=COPY, LOCK=SHARED", whenFound: true, in: .tableConstraints, table: table, condition),
                                            comment: "NOT ONLINE: MySQL drops a primary key without adding another only by a table copy (ALGORITHM=COPY, writes\nblocked for its duration). The key columns stay NOT NULL.", kind: .tableCopy(table: table))],
                          down: [SQLStatement(b.refusal(procedure: procedure, when: repeats, message: String("cutover rollback refused: \(table) holds rows that repeat its primary key".prefix(128))),
                                              comment: "Checked before anything changes: rows written while the key was gone must not repeat it (read-only).\nRefused: delete or change those rows (GROUP BY \(columns.joined(separator: ", ")) HAVING COUNT(*) > 1), and run the rollback again.",
                                              kind: .refusalCheck),
                                 SQLStatement(b.guarded("ALTER TABLE \(b.q(table)) ADD PRIMARY KEY (\(quoted.joined(separator: ", "))), ALGORITHM=INPLACE, LOCK=NONE",
                                                        whenFound: false, in: .tableConstraints, table: table, condition),
                                              comment: "Re-create from the base schema: in place, writes go on.")])]
    }

    func apply(to schema: inout DatabaseSchema, engine: MigrationSpec.Engine) {
        let table = self.table.value
        schema.constraints.removeAll { $0.table == table && $0.kind == .primaryKey }
        schema.mutateTable(table) { $0.primaryKey = [] }
    }
}

extension RuleID {
    public static let dropPrimaryKey = RuleID("CUT084")
}

extension Message {
    public static func dropPrimaryKeyNeedsSchema(_ table: String) -> String {
        "dropPrimaryKey needs table '\(table)' in the schema file: the down re-creates the key from its definition there; give 'database.schema'"
    }
    public static func noPrimaryKey(_ table: String) -> String {
        "table '\(table)' has no primary key at this point"
    }
    public static func primaryKeyReferenced(_ table: String, foreignKey: String, from other: String) -> String {
        "foreign key '\(foreignKey)' on '\(other)' references the primary key of '\(table)': the server refuses to drop it; drop the foreign key first"
    }
    public static func primaryKeyAutoIncrement(_ table: String, column: String) -> String {
        "'\(column)' of '\(table)' is AUTO_INCREMENT: MySQL keeps an auto column only in a key, so it refuses to drop the primary key; alter the column first"
    }
    public static func primaryKeyIndexOfForeignKey(_ table: String, foreignKey: String) -> String {
        "the primary key of '\(table)' is the index foreign key '\(foreignKey)' uses: MySQL refuses to drop it (ERROR 1553); add an index on the key's columns first"
    }
}
