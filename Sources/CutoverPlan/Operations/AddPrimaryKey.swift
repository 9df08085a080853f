/// `addPrimaryKey`, in complete: gives a table without one a primary key. Like addUnique it goes in
/// complete: from its first statement the key refuses NULLs and repeated keys, which the old app version
/// may still write while it serves. Both engines first refuse, naming the counts, when the rows hold
/// NULLs or repeats in the key columns (the build would fail half way otherwise).
/// - PostgreSQL, lock-safe: the nullable key columns are made NOT NULL without a long ACCESS EXCLUSIVE
///   scan (CHECK (c IS NOT NULL) NOT VALID, VALIDATE under SHARE UPDATE EXCLUSIVE, then SET NOT NULL,
///   which PostgreSQL 12+ proves from the check), the unique index is built CONCURRENTLY, then attached
///   with `ADD CONSTRAINT … PRIMARY KEY USING INDEX` (a brief lock, no scan). The downs drop the key (its
///   index goes with it, the attach's down rebuilds the bare index) and give the columns NULL back.
/// - MySQL: `ADD PRIMARY KEY (…), ALGORITHM=INPLACE, LOCK=NONE` rebuilds the table online (writes go
///   on); nullable key columns become NOT NULL with it. The down drops the key and gives them NULL back
///   in one ALTER: dropping a primary key without adding another is ALGORITHM=COPY only (CUT073 warns).
/// The table must be in the schema file (its current key and the columns' nullability decide the
/// recipe and its down) and have no primary key (CUT083).
struct AddPrimaryKey: OperationUnit {
    var table: Name
    var columns: [Name]
    var name: Name?

    static let keyword = "addPrimaryKey"

    static let field = Field("addPrimaryKey", .object(ObjectShape("addPrimaryKey", "give a table without one a primary key, without a long lock", [
        Field("table", SpecShape.identifier, required: true, "table (in the schema file, without a primary key)"),
        Field("columns", SpecShape.identifiers, required: true, "key columns; nullable ones are made NOT NULL"),
        Field("name", SpecShape.identifier, default: "<table>_pkey", "constraint name (PostgreSQL; MySQL calls every primary key PRIMARY)"),
    ])), "add a primary key in complete: PostgreSQL NOT NULL through a validated check, the unique index concurrently, then attached; MySQL in place")

    static func read(_ node: SyntaxNode, _ reader: SpecBuilder) -> AddPrimaryKey? {
        guard let table = reader.name(node["table"]) else { return nil }
        return AddPrimaryKey(table: table, columns: reader.names(node["columns"]), name: reader.name(node["name"]))
    }

    static let examples = [MigrationSpec.Engine.postgresql, .mysql].map { engine in
        OperationExample(engine: engine, schema: engine == .postgresql
                            ? "CREATE TABLE events (\n    code text NOT NULL,\n    seq  integer,\n    body text\n);\n"
                            : "CREATE TABLE events (\n    code varchar(32) NOT NULL,\n    seq  integer NULL DEFAULT NULL COMMENT 'per code',\n    body text\n) ENGINE=InnoDB;\n",
                         changes: "    - addPrimaryKey:\n        table: events\n        columns: [code, seq]\n")
    }

    var tables: [Name] { [table] }
    func tableWithLaterSteps(engine: MigrationSpec.Engine) -> Name? { table }

    /// The constraint's name (MySQL: always PRIMARY).
    func keyName(_ names: ObjectNames) -> String {
        names.names.engine == .mysql ? "PRIMARY" : (name?.value ?? names.declaredPrimaryKey(table: table.value))
    }

    // MARK: checks

    static let rules = [AddPrimaryKeyRule.rule]

    enum AddPrimaryKeyRule: RuleUnit {
        static let rule = Rule(
            id: .addPrimaryKey, name: "add-primary-key", severity: .error, checkedBy: [.references],
            summary: "addPrimaryKey on a table that has a primary key, or that the schema file does not define",
            rationale: "A table has at most one primary key: the server refuses a second one, so the complete Job would fail (drop the old one by hand, or use addUnique). cutover needs the table in the schema file: whether it already has a key, and which key columns are nullable (the recipe makes them NOT NULL, the down gives them NULL back), come from there.",
            triggering: [RuleExample(Snippets.spec(database: Snippets.pgDatabase + "    schema: schema.sql\n", changes: "    - addPrimaryKey:\n        table: pricing\n        columns: [amount]\n"),
                                     files: ["schema.sql": Snippets.pricingSchema]).expecting((19, 16))],
            nonTriggering: [RuleExample(Snippets.spec(database: Snippets.pgDatabase + "    schema: schema.sql\n", changes: "    - addPrimaryKey:\n        table: pricing\n        columns: [amount]\n"),
                                        files: ["schema.sql": "CREATE TABLE pricing (\n    amount integer NOT NULL\n);\n"])])
    }

    func check(_ rules: inout ReferenceRules, change: Change) {
        guard rules.requireTable(table) else { return }
        var known = true
        for column in columns where !rules.requireColumn(column, of: table.value) { known = false }
        guard let state = rules.schema.tables[table.value], rules.schema.isComplete(state) else {
            rules.report(.addPrimaryKey, Message.primaryKeyNeedsSchema(table.value), table)
            return
        }
        if !state.primaryKey.isEmpty {
            let names = state.primaryKey.compactMap { state.columns[$0]?.name }
            rules.report(.addPrimaryKey, Message.primaryKeyExists(table.value, columns: names), table)
            return
        }
        let keyName = keyName(rules.schema.objectNames)
        if !rules.schema.mysql, !rules.claim(name ?? Located(keyName, at: table.location), table: table.value, kind: .primaryKey) { return }
        guard known else { return }
        let keys = columns.map { rules.schema.columnKey($0.value) }
        rules.checkPartitionKey(keys, table: table.value, kind: "primary key", at: table.location)
        rules.checkPostgresPartitionedConstraint(table: table.value, kind: "PRIMARY KEY", at: table.location)
        rules.schema.update(table.value) { table in
            table.primaryKey = keys
            table.uniqueSets.append(Set(keys))
            for key in keys { table.columns[key]?.nullable = false }
        }
        rules.schema.register(.init(name: keyName, table: table.value, kind: .primaryKey, columns: keys))
    }

    // MARK: recipe

    func lower(_ r: Recipe) -> [StepDraft] {
        let table = self.table.value
        guard let base = r.context.schema.table(table) else { return [] }
        let mysql = r.engine == .mysql
        let columns = self.columns.map { column in
            base.columns.first { mysql ? $0.name.lowercased() == column.value.lowercased() : $0.name == column.value }
                ?? DatabaseSchema.Column(name: column.value, type: "", nullable: true, defaultValue: nil, isIdentity: false)
        }
        let name = keyName(r.context.names.engine == .mysql ? ObjectNames(engine: .mysql) : ObjectNames(names: r.context.names))
        return mysql ? [self.mysql(base, columns, r)] : postgres(name, columns, r)
    }

    var columnList: String { columns.map(\.value).joined(separator: ", ") }

    func refusalText(_ table: String) -> String {
        "cutover refused: \(table) has rows that break primary key (\(columnList)): "
    }

    func postgres(_ name: String, _ columns: [DatabaseSchema.Column], _ r: Recipe) -> [StepDraft] {
        let b = r.postgres
        let table = self.table.value
        let quoted = columns.map { b.q($0.name) }
        let nullable = columns.filter(\.nullable)
        let refusal = """
        DO $cutover$
        DECLARE
          nulls bigint;
          repeats bigint;
        BEGIN
          IF NOT \(b.constraintExists(table, name, extra: " AND contype = 'p'")) THEN
            SELECT count(*) INTO nulls FROM \(b.t(table)) WHERE \(quoted.map { "\($0) IS NULL" }.joined(separator: " OR "));
            SELECT count(*) INTO repeats FROM (SELECT 1 FROM \(b.t(table)) GROUP BY \(quoted.joined(separator: ", ")) HAVING count(*) > 1) AS r;
            IF nulls > 0 OR repeats > 0 THEN
              RAISE EXCEPTION '%', \(b.lit(refusalText(table))) || nulls || \(b.lit(" row(s) with a NULL key column, ")) || repeats || \(b.lit(" key(s) repeated; fix those rows and run the Job again"));
            END IF;
          END IF;
        END
        $cutover$;
        """
        let check = SQLStatement(refusal, comment: "Checked before anything changes: no NULL and no repeated key (one read-only scan, no write block);\nrefused with the counts, as the index build would fail half way.", kind: .refusalCheck)
        var steps: [StepDraft] = []
        let slug = "add_primary_key \(table)"
        if !nullable.isEmpty {
            steps.append(StepDraft(.complete, slug: slug + " not_null", title: "set NOT NULL on the key columns of \(table) (\(nullable.map(\.name).joined(separator: ", ")))", change: r.change,
                                   up: [check] + nullable.flatMap { b.enforceNotNull(table, $0.name, checkName: b.context.derived.notNullCheck(table: table, column: $0.name)) },
                                   down: nullable.map { b.dropNotNull(table, $0.name, reason: "reverts this pair's SET NOT NULL: the column was nullable in the base schema") }))
        }
        let build = b.createIndexConcurrently(name: name, table: table, unique: true, method: "btree", columns: quoted.joined(separator: ", "), whereClause: nil)
        steps.append(StepDraft(.complete, slug: slug + " index", title: "build unique index \(name) on \(table) concurrently", change: r.change,
                               up: (nullable.isEmpty ? [check] : []) + build, down: [b.dropIndexConcurrently(name)], transactional: false))
        let attach = b.guarded("NOT \(b.constraintExists(table, name))",
                               ["ALTER TABLE \(b.t(table)) ADD CONSTRAINT \(b.q(name)) PRIMARY KEY USING INDEX \(b.q(name));"])
        var drop = b.dropConstraint(table, name)
        drop.comment = "Dropping the key drops its index too, so the down rebuilds the bare index (the state before the up)."
        steps.append(StepDraft(.complete, slug: slug, title: "attach primary key \(name) on \(table) using its index", change: r.change,
                               up: [SQLStatement(attach, comment: "The key columns are NOT NULL already, so attaching the index is a brief ACCESS EXCLUSIVE, no scan.")],
                               down: [drop] + build, transactional: false))
        return steps
    }

    func mysql(_ base: DatabaseSchema.Table, _ columns: [DatabaseSchema.Column], _ r: Recipe) -> StepDraft {
        let b = r.mysql
        let table = base.name
        let quoted = columns.map { b.q($0.name) }
        let procedure = b.q(b.context.derived.procedure("refuse", table: table, column: "pkey"))
        let message = "CONCAT(\(b.lit(refusalText(table))), nulls, \(b.lit(" row(s) with a NULL key column, ")), repeats, \(b.lit(" key(s) repeated")))"
        let refusal = """
        DROP PROCEDURE IF EXISTS \(procedure);
        DELIMITER ;;
        CREATE PROCEDURE \(procedure)()
        BEGIN
          DECLARE nulls BIGINT DEFAULT 0;
          DECLARE repeats BIGINT DEFAULT 0;
          DECLARE message VARCHAR(255);
          IF NOT EXISTS (SELECT 1 FROM information_schema.table_constraints
                         WHERE constraint_schema = DATABASE() AND table_name = \(b.lit(table)) AND constraint_type = 'PRIMARY KEY') THEN
            SELECT COUNT(*) INTO nulls FROM \(b.q(table)) WHERE \(quoted.map { "\($0) IS NULL" }.joined(separator: " OR "));
            SELECT COUNT(*) INTO repeats FROM (SELECT 1 FROM \(b.q(table)) GROUP BY \(quoted.joined(separator: ", ")) HAVING COUNT(*) > 1) AS r;
            IF nulls > 0 OR repeats > 0 THEN
              SET message = LEFT(\(message), 255);
              SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = message;
            END IF;
          END IF;
        END;;
        DELIMITER ;
        CALL \(procedure)();
        DROP PROCEDURE IF EXISTS \(procedure);
        """
        let condition = ["constraint_type = 'PRIMARY KEY'"]
        let add = b.guarded("ALTER TABLE \(b.q(table)) ADD PRIMARY KEY (\(quoted.joined(separator: ", "))), ALGORITHM=INPLACE, LOCK=NONE",
                            whenFound: false, in: .tableConstraints, table: table, condition)
        let relax = columns.filter(\.nullable).map { column in
            var info = column
            info.nullable = true
            return ", MODIFY COLUMN \(b.q(column.name)) \(SetComment.definition(info, b))" + (column.comment.map { " COMMENT \($0)" } ?? "")
        }.joined()
        let drop = b.guarded("ALTER TABLE \(b.q(table)) DROP PRIMARY KEY\(relax), ALGORITHM=COPY, LOCK=SHARED",
                             whenFound: true, in: .tableConstraints, table: table, condition)
        return StepDraft(.complete, slug: "add_primary_key \(table)", title: "add primary key (\(columnList)) on \(table) in place" + MySQLDialect.rollbackCopyTitle, change: r.change,
                         up: [SQLStatement(refusal, comment: "Checked before anything changes: no NULL and no repeated key (read-only); refused with the counts.", kind: .refusalCheck),
                              SQLStatement(add, comment: "Rebuilds the table in place, writes go on (LOCK=NONE); nullable key columns become NOT NULL with it.")],
                         down: [SQLStatement(drop, comment: "NOT ONLINE: MySQL drops a primary key without adding another only by a table copy (ALGORITHM=COPY,\nwrites blocked for its duration); the key columns that were nullable get NULL back in the same copy.",
                                             kind: .tableCopy(table: table))])
    }

    func apply(to schema: inout DatabaseSchema, engine: MigrationSpec.Engine) {
        let mysql = engine == .mysql
        let names = columns.map(\.value)
        let keyName = keyName(ObjectNames(engine: engine))
        var canonical: [String] = names
        schema.mutateTable(table.value) { table in
            canonical = names.map { name in table.columns.first { mysql ? $0.name.lowercased() == name.lowercased() : $0.name == name }?.name ?? name }
            table.primaryKey = canonical
            for index in table.columns.indices where canonical.contains(table.columns[index].name) { table.columns[index].nullable = false }
        }
        schema.constraints.append(.init(name: keyName, table: table.value, kind: .primaryKey, columns: canonical))
    }
}

extension RuleID {
    public static let addPrimaryKey = RuleID("CUT083")
}

extension Message {
    public static func primaryKeyExists(_ table: String, columns: [String]) -> String {
        "table '\(table)' has a primary key (\(columns.joined(separator: ", "))) already: a table has at most one; use addUnique for another unique key"
    }
    public static func primaryKeyNeedsSchema(_ table: String) -> String {
        "addPrimaryKey needs table '\(table)' in the schema file: whether it has a key already, and which key columns are nullable (the down gives them NULL back), come from there; give 'database.schema'"
    }
}
