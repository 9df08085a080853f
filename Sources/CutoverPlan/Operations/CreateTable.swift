/// `createTable`, in expand: one CREATE TABLE IF NOT EXISTS with every key and constraint named (the
/// table is new, so nothing waits on it); the down drops it. The definition is a value
/// (`TableDefinition`) that each engine's renderer spells.
package struct CreateTable: OperationUnit {
    var name: Name
    var columns: [ColumnDefinition]
    var primaryKey: [Name]
    var constraints: [TableConstraint]
    /// `partitionBy` and `partitions` (`TablePartitioning`), or nil.
    var partitioning: TablePartitioning? = nil

    package static let keyword = "createTable"

    package static let field = Field("createTable", .object(ObjectShape("createTable", "create a table (expand)", [
        Field("name", SpecShape.identifier, required: true, "table name"),
        Field("columns", .list(.object(SpecShape.column), minItems: 1), required: true, "columns in order"),
        Field("primaryKey", SpecShape.identifiers, "primary key columns"),
        Field("constraints", .list(.object(constraintShape), minItems: 1), "table constraints"),
        TablePartitioning.partitionByField,
        TablePartitioning.partitionsField,
    ])), "create a table; its down drops it")

    /// One entry of `constraints`, read into a `TableConstraint`.
    package static let constraintShape = ObjectShape("constraint", "a table constraint: exactly one of check, unique, foreignKey", [
        Field("name", SpecShape.identifier, required: true, "constraint name"),
        Field("check", SpecShape.expression, "CHECK expression"),
        Field("unique", SpecShape.identifiers, "columns of a UNIQUE constraint"),
        Field("foreignKey", .object(ObjectShape("foreignKey", "a FOREIGN KEY constraint", [
            Field("columns", SpecShape.identifiers, required: true, "referencing columns"),
            Field("references", .object(SpecShape.references), required: true, "referenced table and columns"),
            Settings.Operation.onDelete.field,
        ])), "FOREIGN KEY constraint"),
    ])

    package static func read(_ node: SyntaxNode, _ reader: SpecBuilder) -> CreateTable? {
        guard let table = reader.name(node["name"]) else { return nil }
        let constraints: [TableConstraint] = (node["constraints"]?.items ?? []).compactMap { item in
            guard let constraintName = reader.name(item["name"]) else { return nil }
            let kinds: [TableConstraint.Kind] = [
                reader.located(item["check"]).map { .check($0) },
                item["unique"].map { .unique(reader.names($0)) },
                item["foreignKey"].flatMap { fk in
                    reader.tableReference(fk["references"]).map { references in
                        var references = references
                        let onDelete = reader.onDelete(fk, &references)
                        return .foreignKey(columns: reader.names(fk["columns"]), references: references, onDelete: onDelete)
                    }
                },
            ].compactMap { $0 }
            return TableConstraint(name: constraintName, kind: kinds.count == 1 ? kinds[0] : nil, location: item.location)
        }
        return CreateTable(name: table, columns: (node["columns"]?.items ?? []).compactMap(reader.columnDefinition),
                           primaryKey: reader.names(node["primaryKey"]), constraints: constraints,
                           partitioning: TablePartitioning.read(node, reader))
    }

    package static let rules = TablePartitioning.rules

    package static let examples = [example(.postgresql), example(.mysql), textKeyAcrossCollations, partitioned(.postgresql), partitioned(.mysql),
                           partitionedByList, partitionedByHash(.postgresql), partitionedByHash(.mysql)] + ColumnKinds.createTableExamples

    /// PostgreSQL: list partitions and a DEFAULT one (MySQL 8 has no DEFAULT partition: CUT101).
    static let partitionedByList = OperationExample(engine: .postgresql, schema: OperationExample.subscriptions(.postgresql), changes: """
            - createTable:
                name: tickets
                columns:
                  - {name: id, type: bigint}
                  - {name: region, type: text, nullable: false}
                primaryKey: [id, region]
                partitionBy: {method: list, columns: [region]}
                partitions:
                  - {name: tickets_eu, values: [de, fr]}
                  - {name: tickets_rest, default: true}

        """)

    /// Hash partitions: PostgreSQL's modulus and remainder, MySQL's KEY partitions in remainder order.
    static func partitionedByHash(_ engine: MigrationSpec.Engine) -> OperationExample {
        OperationExample(engine: engine, schema: OperationExample.subscriptions(engine), changes: """
                - createTable:
                    name: sessions
                    columns:
                      - {name: id, type: bigint}
                      - {name: token, type: varchar(64), nullable: false}
                    primaryKey: [id]
                    partitionBy: {method: hash, columns: [id]}
                    partitions:
                      - {name: sessions_1, modulus: 2, remainder: 1}
                      - {name: sessions_0, modulus: 2, remainder: 0}

            """)
    }

    /// A table partitioned by range (the last partition unbounded), its key including the partition column.
    static func partitioned(_ engine: MigrationSpec.Engine) -> OperationExample {
        OperationExample(engine: engine, schema: OperationExample.subscriptions(engine), changes: """
                - createTable:
                    name: events
                    columns:
                      - {name: id, type: bigint}
                      - {name: at, type: date, nullable: false}
                      - {name: kind, type: varchar(20), nullable: false}
                    primaryKey: [id, at]
                    partitionBy: {method: range, columns: [at]}
                    partitions:
                      - {name: events_2025, to: ['2026-01-01']}
                      - {name: events_2026, to: ['2027-01-01']}
                      - {name: events_later, to: [MAXVALUE]}

            """)
    }

    /// A text key to a table of another collation: InnoDB needs the same one on both sides (errno 150).
    static let textKeyAcrossCollations = OperationExample(engine: .mysql, schema: """
        CREATE TABLE `users` (
          `id` bigint NOT NULL AUTO_INCREMENT,
          `email` varchar(191) NOT NULL,
          PRIMARY KEY (`id`),
          UNIQUE KEY `users_email` (`email`)
        ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

        """, changes: """
                - createTable:
                    name: subscriptions
                    columns:
                      - {name: id, type: bigint, nullable: false}
                      - {name: user_email, type: varchar(191), nullable: false, references: {table: users, columns: [email]}}
                    primaryKey: [id]

            """)

    /// A table with a key, a column foreign key, a check and a two-column unique constraint.
    static func example(_ engine: MigrationSpec.Engine) -> OperationExample {
        OperationExample(engine: engine, schema: OperationExample.subscriptions(engine), changes: """
                - createTable:
                    name: invoices
                    columns:
                      - name: id
                        type: bigint
                      - name: customer_id
                        type: bigint
                        nullable: false
                        references:
                          table: customers
                      - name: amount
                        type: integer
                        check: amount >= 0
                    primaryKey: [id]
                    constraints:
                      - name: invoices_customer_amount_key
                        unique: [customer_id, amount]

            """)
    }

    package var tables: [Name] { [name] }
    package var createdTables: [Name] { [name] }
    /// The tables its foreign keys reference, which the checks look up.
    package var readTables: [Name] {
        [name] + columns.compactMap { $0.references?.table } + constraints.compactMap {
            if case .foreignKey(_, let references, _)? = $0.kind { return references.table } else { return nil }
        }
    }
    package var columnTypes: [Located<String>] { columns.map(\.type) }
    /// Everything is in expand.
    package func tableWithLaterSteps(engine: MigrationSpec.Engine) -> Name? { nil }

    /// CUT044 for a name taken (table, column, constraint), CUT042 for a primary key, unique or foreign
    /// key column the table does not have, CUT014 for a constraint of no or several kinds, and the
    /// foreign keys' checks (`ReferenceRules.checkForeignKey`).
    package func check(_ rules: inout ReferenceRules, change: Change) {
        let line = change.location.line
        guard rules.claimTable(name) else { return }
        var table = SymbolicSchema.Table(name: name.value, complete: true, createdInSpec: true, origin: "line \(line)")
        table.generation = rules.schema.generation
        // identity, generated and comment (`ColumnKinds`); MySQL keeps one AUTO_INCREMENT column per table, leading a key.
        var numbered = false
        for column in columns where column.identity != nil || column.generated != nil || column.comment != nil {
            let leads = primaryKey.first?.value == column.name.value || column.unique || constraints.contains {
                if case .unique(let keys)? = $0.kind { return keys.first?.value == column.name.value } else { return false }
            }
            _ = rules.checkColumnKinds(column, keyed: leads && !(rules.engine == .mysql && numbered && column.identity != nil))
            if column.identity != nil { numbered = true }
        }
        for column in columns {
            let key = rules.schema.columnKey(column.name.value)
            if table.columns[key] != nil {
                rules.report(.alreadyExists, Message.duplicateColumn(column.name.value, table: name.value), column.name)
                continue
            }
            table.columns[key] = .init(name: column.name.value, nullable: column.nullable && column.identity == nil, type: column.type.value,
                                       hasDefault: column.defaultValue != nil, isIdentity: column.serverNumbered, generated: column.generated != nil)
            rules.changedColumns[rules.columnIdentity(name.value, column.name.value)] = (line, "createTable")
            if column.unique { table.uniqueSets.append([key]) }
        }
        var seenKey: Set<String> = []
        for column in primaryKey {
            let key = rules.schema.columnKey(column.value)
            if table.columns[key] == nil {
                let suggestion = Suggestion.closest(to: column.value, among: columns.map(\.name.value))
                rules.report(.unknownColumn, Message.unknownColumn(column.value, table: name.value, reason: nil, suggestion: suggestion), column)
            } else if !seenKey.insert(key).inserted {
                rules.report(.alreadyExists, Message.duplicateListed(column.value, list: "primaryKey"), column)
            } else {
                table.primaryKey.append(key)
                table.columns[key]?.nullable = false
            }
        }
        if !table.primaryKey.isEmpty { table.uniqueSets.append(Set(table.primaryKey)) }
        if let partitioning { table.partitionKey = partitioning.check(&rules, table: self) ?? [] }
        rules.schema.store(table)
        if partitioning != nil {
            if !primaryKey.isEmpty { rules.checkPartitionKey(table.primaryKey, table: name.value, kind: "primary key", at: primaryKey[0].location) }
            for column in columns where column.unique {
                rules.checkPartitionKey([rules.schema.columnKey(column.name.value)], table: name.value, kind: "unique column", at: column.name.location)
            }
        }
        if !table.primaryKey.isEmpty {
            let pkName = rules.schema.objectNames.primaryKey(table: name.value)
            if rules.schema.conflict(name: pkName, table: name.value, kind: .primaryKey) == nil {
                rules.schema.register(.init(name: pkName, table: name.value, kind: .primaryKey, columns: table.primaryKey))
            }
        }
        for column in columns {
            if let reference = column.references {
                rules.checkColumnReference(column, reference, table: name.value)
                rules.checkPartitionedForeignKey(table: name.value, references: reference.table.value, declaredWithTable: true, at: reference.table.location)
            }
        }
        for constraint in constraints {
            guard let kind = constraint.kind else {
                rules.report(.operationShape, Message.constraintKinds(constraint.name.value), at: constraint.location)
                continue
            }
            switch kind {
            case .check:
                guard rules.claim(constraint.name, table: name.value, kind: .check) else { continue }
                rules.schema.register(.init(name: constraint.name.value, table: name.value, kind: .check, columns: []))
            case .unique(let uniqueColumns):
                var known = true
                for column in uniqueColumns where !rules.requireColumn(column, of: name.value) { known = false }
                guard rules.claim(constraint.name, table: name.value, kind: .unique) else { continue }
                let keys = uniqueColumns.map { rules.schema.columnKey($0.value) }
                rules.checkPartitionKey(keys, table: name.value, kind: "unique constraint", at: constraint.name.location)
                rules.schema.register(.init(name: constraint.name.value, table: name.value, kind: .unique, columns: keys))
                if known { rules.schema.update(name.value) { $0.uniqueSets.append(Set(keys)) } }
            case .foreignKey(let fkColumns, let references, _):
                for column in fkColumns { _ = rules.requireColumn(column, of: name.value) }
                guard rules.claim(constraint.name, table: name.value, kind: .foreignKey) else { continue }
                rules.checkForeignKey(columns: fkColumns, references: references)
                rules.checkPartitionedForeignKey(table: name.value, references: references.table.value, declaredWithTable: true, at: constraint.name.location)
                rules.schema.register(.init(name: constraint.name.value, table: name.value, kind: .foreignKey,
                                            columns: fkColumns.map { rules.schema.columnKey($0.value) },
                                            referencedTable: references.table.value, referencedColumns: rules.referencedKeys(references)))
            }
        }
    }

    func definition(_ names: SQLNames) -> TableDefinition {
        let engine = names.engine
        let name = self.name.value, primaryKey = self.primaryKey.map(\.value)
        let objects = ObjectNames(names: names)
        let columns = self.columns.map { column -> TableDefinition.Column in
            let c = column.name.value
            return TableDefinition.Column(
                name: c, type: column.sqlType(engine), nullable: column.nullable && column.identity == nil && !primaryKey.contains(c),
                defaultValue: column.defaultValue?.value, comment: column.comment.map { SetComment.literal($0.value, names) },
                unique: column.unique ? objects.columnUnique(table: name, column: c) : nil,
                check: column.check.map { (objects.columnCheck(table: name, column: c), $0.value) },
                references: column.references.map {
                    .init(name: objects.columnForeignKey(table: name, column: c),
                          kind: .foreignKey(columns: [c], table: $0.table.value, referencedColumns: [$0.column.value], onDelete: $0.onDelete),
                          actions: $0.actions.clause)
                })
        }
        let constraints = self.constraints.compactMap { constraint -> TableDefinition.Constraint? in
            guard let kind = constraint.kind else { return nil }
            switch kind {
            case .check(let expression): return .init(name: constraint.name.value, kind: .check(expression.value))
            case .unique(let cols): return .init(name: constraint.name.value, kind: .unique(cols.map(\.value)))
            case .foreignKey(let cols, let ref, let onDelete):
                return .init(name: constraint.name.value, kind: .foreignKey(columns: cols.map(\.value), table: ref.table.value,
                                                                            referencedColumns: ref.columns.map(\.value), onDelete: onDelete),
                             actions: ref.actions.clause)
            }
        }
        return TableDefinition(name: name, columns: columns, primaryKeyName: objects.declaredPrimaryKey(table: name), primaryKey: primaryKey,
                               constraints: constraints, partitioning: partitioning?.definition(names))
    }

    func lower(_ r: Recipe) -> [StepDraft] {
        let name = self.name.value
        var table = definition(r.context.names)
        if r.engine == .mysql { table.matchReferencedEncodings() }
        return [StepDraft(.expand, slug: "create_table \(name)", title: "create table \(name)", change: r.change,
                          up: [SQLStatement(.createTable(table))],
                          down: [SQLStatement(.dropTable(name: name, reason: "drops only the table that this pair's up created"))])]
    }

    /// The table with its types and keys; its primary key, unique, check and foreign keys under the
    /// names the CREATE TABLE gives them; on MySQL the indexes the server makes for the foreign keys.
    func apply(to schema: inout DatabaseSchema, engine: MigrationSpec.Engine) {
        let name = self.name.value, primaryKey = self.primaryKey.map(\.value)
        let objects = ObjectNames(engine: engine)
        let keyNames = Set(primaryKey)
        let cols = columns.map { $0.databaseColumn(engine, nullable: $0.nullable && !keyNames.contains($0.name.value)) }
        var table = DatabaseSchema.Table(name: name, columns: cols, primaryKey: primaryKey)
        if let partitioning {
            table.partitioned = true
            table.partitionKey = partitioning.columns.map(\.value)
        }
        schema.tables.append(table)
        // PostgreSQL partitions are tables (a later createIndex builds each one's index); MySQL's are not.
        if engine == .postgresql, let partitioning {
            for partition in partitioning.partitions {
                var child = DatabaseSchema.Table(name: partition.name.value, columns: cols, primaryKey: primaryKey)
                child.partitionOf = name
                schema.tables.append(child)
            }
        }
        if !primaryKey.isEmpty {
            schema.constraints.append(.init(name: objects.primaryKey(table: name), table: name, kind: .primaryKey, columns: primaryKey))
        }
        var foreignKeys: [DatabaseSchema.Constraint] = []
        for column in columns {
            let c = column.name.value
            if column.unique { schema.constraints.append(.init(name: objects.columnUnique(table: name, column: c), table: name, kind: .unique, columns: [c])) }
            if let check = column.check {
                schema.constraints.append(.init(name: objects.columnCheck(table: name, column: c), table: name, kind: .check, columns: [], expression: check.value))
            }
            if let ref = column.references {
                foreignKeys.append(.init(name: objects.columnForeignKey(table: name, column: c), table: name, kind: .foreignKey, columns: [c],
                                         referencedTable: ref.table.value, referencedColumns: [ref.column.value],
                                         actions: "ON DELETE \(ref.onDelete.sql)" + ref.actions.clause))
            }
        }
        for constraint in constraints {
            guard let kind = constraint.kind else { continue }
            switch kind {
            case .check(let expression):
                schema.constraints.append(.init(name: constraint.name.value, table: name, kind: .check, columns: [], expression: expression.value))
            case .unique(let cols):
                schema.constraints.append(.init(name: constraint.name.value, table: name, kind: .unique, columns: cols.map(\.value)))
            case .foreignKey(let cols, let ref, let onDelete):
                foreignKeys.append(.init(name: constraint.name.value, table: name, kind: .foreignKey, columns: cols.map(\.value),
                                         referencedTable: ref.table.value, referencedColumns: ref.columns.map(\.value),
                                         actions: "ON DELETE \(onDelete.sql)" + ref.actions.clause))
            }
        }
        // Keys first, then the foreign keys (which may need implicit indexes), as the server does.
        for key in foreignKeys {
            schema.constraints.append(key)
            schema.addImplicitIndexIfNeeded(for: key, engine: engine)
        }
    }
}

/// A `createTable` constraint as the spec gives it.
public struct TableConstraint: Sendable {
    public enum Kind: Sendable {
        case check(Located<String>)
        case unique([Name])
        case foreignKey(columns: [Name], references: TableReference, onDelete: ReferentialAction)
    }
    public var name: Name
    /// Nil when the constraint names none or several kinds; the validator reports it.
    public var kind: Kind?
    public var location: SourceLocation
}
