/// `renameConstraint`, in contract: the old app version may know the constraint by its name (apps map
/// the constraint named in a violation to an error message), so the new name exists only once no pod
/// of the old version serves. PostgreSQL: ALTER TABLE … RENAME CONSTRAINT (a catalog change, brief
/// ACCESS EXCLUSIVE under lock_timeout, no scan; a unique constraint's index is renamed with it),
/// guarded on pg_constraint. MySQL renames a unique key in place (RENAME INDEX); it has no way to rename
/// a check or a foreign key (no RENAME CONSTRAINT), so those are refused where the change names them
/// (CUT035): drop the constraint and add it under the new name. The down renames it back.
struct RenameConstraint: OperationUnit {
    var table: Name
    var from: Name
    var to: Name

    static let keyword = "renameConstraint"

    static let field = Field("renameConstraint", .object(ObjectShape("renameConstraint", "rename a check, unique or foreign key constraint (contract)", [
        Field("table", SpecShape.identifier, required: true, "table of the constraint"),
        Field("from", SpecShape.identifier, required: true, "current name", example: "orders_qty_check"),
        Field("to", SpecShape.identifier, required: true, "new name", example: "orders_qty_positive"),
    ])), "rename a constraint in the contract phase (the old version may know it by name); MySQL renames only unique keys")

    static func read(_ node: SyntaxNode, _ reader: SpecBuilder) -> RenameConstraint? {
        guard let table = reader.name(node["table"]), let from = reader.name(node["from"]), let to = reader.name(node["to"]) else { return nil }
        return RenameConstraint(table: table, from: from, to: to)
    }

    static let examples = [
        OperationExample(engine: .postgresql, schema: """
            CREATE TABLE pricing (
                id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                code   text NOT NULL CONSTRAINT pricing_code_uq UNIQUE,
                amount integer NOT NULL CONSTRAINT pricing_amount_chk CHECK (amount >= 0)
            );

            """, changes: "    - renameConstraint:\n        table: pricing\n        from: pricing_amount_chk\n        to: pricing_amount_check\n"
                + "    - renameConstraint:\n        table: pricing\n        from: pricing_code_uq\n        to: pricing_code_key\n"),
        OperationExample(engine: .mysql, schema: """
            CREATE TABLE pricing (
                id   bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,
                code varchar(32) NOT NULL,
                UNIQUE KEY pricing_code_uq (code)
            ) ENGINE=InnoDB;

            """, changes: "    - renameConstraint:\n        table: pricing\n        from: pricing_code_uq\n        to: pricing_code_key\n"),
    ]

    var tables: [Name] { [table] }
    func tableWithLaterSteps(engine: MigrationSpec.Engine) -> Name? { table }

    /// CUT071 for a constraint the table does not have (or its primary key), CUT044 for a new name
    /// that is taken or the same, CUT035 for a check or foreign key on MySQL (or one cutover cannot
    /// see without the base schema).
    func check(_ rules: inout ReferenceRules, change: Change) {
        if from.value == to.value {
            rules.report(.alreadyExists, Message.renameToItself("constraint", from.value), to)
            return
        }
        guard rules.requireTable(table) else { return }
        let line = change.location.line
        switch rules.constraintOfTable(from, table: table) {
        case .found(let object):
            if rules.schema.mysql && object.kind != .unique {
                rules.report(.engineConsistency, Message.mysqlRenameConstraint(from.value, kind: object.kind.words), from)
                return
            }
            guard rules.claim(to, table: table.value, kind: object.kind, inContract: true) else { return }
            rules.schema.remove(object, reason: "it was renamed to '\(to.value)' at line \(line)")
            var renamed = object
            renamed.name = to.value
            rules.schema.register(renamed)
        case .reported:
            return
        case .unknown:
            if rules.schema.mysql {
                rules.report(.engineConsistency, Message.mysqlRenameUnknownConstraint(from.value), from)
            }
        }
    }

    func lower(_ r: Recipe) -> [StepDraft] {
        let table = self.table.value, from = self.from.value, to = self.to.value
        let title = "rename constraint \(from) on \(table) to \(to)"
        guard r.engine == .mysql else {
            let b = r.postgres
            func rename(_ old: String, _ new: String) -> String {
                b.guarded("\(b.constraintExists(table, old)) AND NOT \(b.constraintExists(table, new))",
                          ["ALTER TABLE \(b.t(table)) RENAME CONSTRAINT \(b.q(old)) TO \(b.q(new));"])
            }
            return [StepDraft(.contract, slug: "rename_constraint \(from)", title: title, change: r.change,
                              up: [SQLStatement(rename(from, to), comment: "A catalog change (brief ACCESS EXCLUSIVE under lock_timeout, no scan); a unique constraint's index\ntakes the new name with it. RENAME CONSTRAINT has no IF EXISTS: guard on pg_constraint.")],
                              down: [SQLStatement(rename(to, from))])]
        }
        let b = r.mysql
        func rename(_ old: String, _ new: String) -> String {
            b.guarded("ALTER TABLE \(b.q(table)) RENAME INDEX \(b.q(old)) TO \(b.q(new)), ALGORITHM=INPLACE, LOCK=NONE",
                      whenFound: true, in: .statistics, table: table, ["index_name = \(b.lit(old))"])
        }
        return [StepDraft(.contract, slug: "rename_constraint \(from)", title: title + " in place", change: r.change,
                          up: [SQLStatement(rename(from, to), comment: "A unique constraint is its unique index on MySQL: RENAME INDEX, metadata only (in place, writes go on).")],
                          down: [SQLStatement(rename(to, from))])]
    }

    /// The constraint takes its new name.
    func apply(to schema: inout DatabaseSchema, engine: MigrationSpec.Engine) {
        let same: (String, String) -> Bool = engine == .mysql ? { $0.lowercased() == $1.lowercased() } : { $0 == $1 }
        for i in schema.constraints.indices where schema.constraints[i].table == table.value && schema.constraints[i].kind != .primaryKey
            && same(schema.constraints[i].name, from.value) {
            schema.constraints[i].name = to.value
        }
    }
}

extension Message {
    public static func mysqlRenameConstraint(_ name: String, kind: String) -> String {
        "MySQL cannot rename the \(kind) '\(name)' (it has no RENAME CONSTRAINT): drop it with dropConstraint and add it under the new name"
    }
    public static func mysqlRenameUnknownConstraint(_ name: String) -> String {
        "constraint '\(name)' is neither in the schema file nor created earlier in the spec: MySQL renames only a unique key, and cutover cannot tell what it is; give 'database.schema'"
    }
}
