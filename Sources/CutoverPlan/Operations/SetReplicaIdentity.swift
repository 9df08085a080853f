/// `setReplicaIdentity`, PostgreSQL only, in expand: which old-row columns an UPDATE or DELETE writes to
/// the WAL for logical replication (blue-green, CDC consumers): `default` (the primary key), `full` (the
/// whole row), `nothing`, or `index` (a unique, non-partial, immediate index on NOT NULL columns). Neither
/// app version reads it, so it goes in expand. `ALTER TABLE … REPLICA IDENTITY` is a catalog change under a
/// brief ACCESS EXCLUSIVE lock (no scan, under the runner's lock_timeout), and setting the same identity
/// again changes nothing, so a re-run is a no-op. The down restores the identity the base schema gives the
/// table (pg_dump writes `ALTER TABLE ONLY … REPLICA IDENTITY …` for one that is not the default).
/// MySQL has no replica identity (a row-based binlog logs the row image `binlog_row_image` sets): CUT080.
struct SetReplicaIdentity: OperationUnit {
    var table: Name
    var identity: Located<String>
    var index: Name?

    static let keyword = "setReplicaIdentity"
    static let engines: Set<MigrationSpec.Engine> = [.postgresql]

    static let field = Field("setReplicaIdentity", .object(ObjectShape("setReplicaIdentity", "set a table's replica identity (PostgreSQL)", [
        Field("table", SpecShape.identifier, required: true, "table"),
        Field("identity", .keyword(["default", "full", "nothing", "index"]), required: true,
              "what UPDATE and DELETE log of the old row: default (the primary key), full (every column), nothing, or index (the unique index named by 'index')"),
        Field("index", SpecShape.identifier, "the unique, non-partial index on NOT NULL columns, with identity: index", example: "orders_reference_key"),
    ])), "set a table's replica identity in expand (PostgreSQL; MySQL has none); its down restores the identity of the base schema")

    static func read(_ node: SyntaxNode, _ reader: SpecBuilder) -> SetReplicaIdentity? {
        guard let table = reader.name(node["table"]), let identity = reader.located(node["identity"]) else { return nil }
        return SetReplicaIdentity(table: table, identity: Located(Shape.keywordValue(identity.value), at: identity.location), index: reader.name(node["index"]))
    }

    /// The identity as the schema model holds it.
    var value: ReplicaIdentity {
        switch identity.value {
        case "full": return .full
        case "nothing": return .nothing
        case "index": return .index(index?.value ?? "")
        default: return .primaryKey
        }
    }

    static let examples = [
        OperationExample(engine: .postgresql, schema: OperationExample.pricing,
                         changes: "    - setReplicaIdentity:\n        table: pricing\n        identity: full\n"),
        // The base schema's identity (as pg_dump writes it) comes back on the way down.
        OperationExample(engine: .postgresql, schema: OperationExample.pricing
                            + "CREATE UNIQUE INDEX pricing_amount_key ON pricing (amount);\nALTER TABLE ONLY public.pricing REPLICA IDENTITY FULL;\n",
                         changes: "    - setReplicaIdentity:\n        table: pricing\n        identity: index\n        index: pricing_amount_key\n"),
    ]

    var tables: [Name] { [table] }
    func tableWithLaterSteps(engine: MigrationSpec.Engine) -> Name? { nil }

    // MARK: checks

    static let rules = [EngineLacksOperationRule.rule, ReplicaIdentityIndexRule.rule]

    enum ReplicaIdentityIndexRule: RuleUnit {
        static let rule = Rule(
            id: .replicaIdentityIndex, name: "replica-identity-index", severity: .error, checkedBy: [.references],
            summary: "setReplicaIdentity names no index PostgreSQL can use as a replica identity",
            rationale: "PostgreSQL takes a table's replica identity from an index only when it is unique, not partial, not deferrable and on NOT NULL columns only (ALTER TABLE … REPLICA IDENTITY USING INDEX fails otherwise, in the expand Job). `identity: index` needs `index`, and `index` is meaningless with another identity. A DEFERRABLE unique constraint's index is not immediate, so it is refused too.",
            triggering: [RuleExample(Snippets.spec(database: Snippets.pgDatabase + "    schema: schema.sql\n", changes: "    - setReplicaIdentity:\n        table: pricing\n        identity: index\n        index: pricing_amount_idx\n"),
                                     files: ["schema.sql": Snippets.pricingSchema + "CREATE INDEX pricing_amount_idx ON pricing (amount);\n"]).expecting((21, 16))],
            nonTriggering: [RuleExample(Snippets.spec(database: Snippets.pgDatabase + "    schema: schema.sql\n", changes: "    - setReplicaIdentity:\n        table: pricing\n        identity: index\n        index: pricing_amount_key\n"),
                                        files: ["schema.sql": Snippets.pricingSchema + "CREATE UNIQUE INDEX pricing_amount_key ON pricing (amount);\n"])])
    }

    func check(_ rules: inout ReferenceRules, change: Change) {
        if rules.engine == .mysql {
            rules.report(.engineLacksOperation, Message.noReplicaIdentityOnMySQL, at: change.location)
            return
        }
        guard rules.requireTable(table) else { return }
        if identity.value == "index" {
            guard let index else {
                rules.report(.replicaIdentityIndex, Message.replicaIdentityNeedsIndex, identity)
                return
            }
            checkIndex(index, &rules)
        } else if let index {
            rules.report(.replicaIdentityIndex, Message.replicaIdentityIndexUnused(identity.value), index)
            return
        }
        if let state = rules.schema.tables[table.value], !rules.schema.isComplete(state) {
            rules.report(.unsafeRollback, Message.replicaIdentityUnknown(table.value), table)
        }
    }

    /// CUT043 for an index the table does not have; CUT081 for one PostgreSQL refuses as an identity.
    func checkIndex(_ index: Name, _ rules: inout ReferenceRules) {
        switch rules.schema.index(named: index.value, table: table.value) {
        case .found(let object):
            if object.table != table.value {
                rules.report(.unknownIndexOrConstraint, Message.indexOnOtherTable(index.value, table: object.table, not: table.value), table)
                return
            }
            switch object.kind {
            case .unique, .primaryKey:
                if object.deferrable { rules.report(.replicaIdentityIndex, Message.replicaIdentityIndex(index.value, problem: "belongs to a DEFERRABLE constraint"), index); return }
            case .index:
                if object.uniqueIndex == false { rules.report(.replicaIdentityIndex, Message.replicaIdentityIndex(index.value, problem: "is not unique"), index); return }
                if object.partial == true { rules.report(.replicaIdentityIndex, Message.replicaIdentityIndex(index.value, problem: "is partial (WHERE)"), index); return }
            case .foreignKey, .check:
                rules.report(.replicaIdentityIndex, Message.replicaIdentityIndex(index.value, problem: "is a \(object.kind.words), not an index"), index)
                return
            }
            let nullable = object.columns.compactMap { key in rules.schema.tables[table.value]?.columns[key] }.filter { $0.nullable == true }.map(\.name)
            if !nullable.isEmpty {
                rules.report(.replicaIdentityIndex, Message.replicaIdentityIndex(index.value, problem: "covers nullable column\(nullable.count == 1 ? "" : "s") \(nullable.joined(separator: ", ")) (make \(nullable.count == 1 ? "it" : "them") NOT NULL first)"), index)
            }
        case .missing(let reason):
            let suggestion = Suggestion.closest(to: index.value, among: rules.schema.indexNames(on: table.value))
            rules.report(.unknownIndexOrConstraint, Message.unknownIndex(index.value, table: table.value, reason: reason, suggestion: suggestion), index)
        case .unknown:
            break
        }
    }

    // MARK: recipe

    func lower(_ r: Recipe) -> [StepDraft] {
        guard r.engine == .postgresql else { return [] }
        let b = r.postgres
        let table = self.table.value
        let set = "ALTER TABLE \(b.t(table)) REPLICA IDENTITY \(value.sql(b.q));"
        let robust = [SQLStatement.Suppression].rules(["prefer-robust-stmts"], "one statement, which setting the same identity again repeats harmlessly")
        let up = SQLStatement(set, comment: "A catalog change: brief ACCESS EXCLUSIVE under lock_timeout, no scan. Setting the same identity again\nchanges nothing, so a re-run is a no-op.",
                              suppressions: robust)
        let title = "set replica identity of \(table) to \(value.words)"
        guard let base = r.context.schema.table(table) else {
            return [StepDraft(.expand, slug: "replica_identity \(table)", title: title, change: r.change, up: [up],
                              down: r.note("Irreversible: the table's replica identity before this step is not known (no schema file)."), reversible: false)]
        }
        // Already so in the base schema: nothing to change (verify proves every up changes something).
        if base.replicaIdentity == value { return [] }
        return [StepDraft(.expand, slug: "replica_identity \(table)", title: title, change: r.change, up: [up],
                          down: [SQLStatement("ALTER TABLE \(b.t(table)) REPLICA IDENTITY \(base.replicaIdentity.sql(b.q));",
                                              comment: "The identity of the base schema (\(base.replicaIdentity.words)).", suppressions: robust)])]
    }

    func apply(to schema: inout DatabaseSchema, engine: MigrationSpec.Engine) {
        let value = self.value
        schema.mutateTable(table.value) { $0.replicaIdentity = value }
    }
}

extension RuleID {
    public static let engineLacksOperation = RuleID("CUT080")
    public static let replicaIdentityIndex = RuleID("CUT081")
}

/// CUT080 `engine-lacks-operation`: an operation (or a field of one) the spec's engine has no counterpart for.
enum EngineLacksOperationRule: RuleUnit {
    static let rule = Rule(
        id: .engineLacksOperation, name: "engine-lacks-operation", severity: .error, checkedBy: [.references],
        summary: "the operation has no counterpart on the spec's engine",
        rationale: "Some operations exist on one engine only. MySQL has no replica identity: a row-based binlog logs the row image that binlog_row_image sets (full by default) for every table, so setReplicaIdentity has nothing to change there. cutover refuses such a change rather than dropping it silently.",
        triggering: [RuleExample(Snippets.spec(database: Snippets.mysqlDatabase, changes: "    - setReplicaIdentity:\n        table: pricing\n        identity: full\n")).expecting((17, 7))],
        nonTriggering: [RuleExample(Snippets.spec(database: Snippets.pgDatabase, changes: "    - setReplicaIdentity:\n        table: pricing\n        identity: full\n"))])
}

extension Message {
    public static let noReplicaIdentityOnMySQL = "setReplicaIdentity is PostgreSQL only: MySQL has no replica identity (a row-based binlog logs the row image binlog_row_image sets, for every table); remove the change"
    public static let replicaIdentityNeedsIndex = "identity 'index' needs 'index': the unique index whose columns UPDATE and DELETE log"
    public static func replicaIdentityIndexUnused(_ identity: String) -> String {
        "'index' is given, but identity is '\(identity)': use identity 'index', or remove 'index'"
    }
    public static func replicaIdentityIndex(_ name: String, problem: String) -> String {
        "index '\(name)' \(problem): PostgreSQL takes a replica identity only from a unique, non-partial, immediate index on NOT NULL columns"
    }
    public static func replicaIdentityUnknown(_ table: String) -> String {
        "the replica identity of '\(table)' before this change is not known (the table is not in the schema file): the down cannot restore it, so the step is irreversible; give 'database.schema'"
    }
}
