/// Checks every change's references in order against a `SymbolicSchema`: each operation's checks are in
/// its own unit (`OperationUnit.check`, Operations/), which calls the shared checks here: CUT041 unknown
/// table, CUT042 unknown column, CUT044 a name already taken, CUT049 reference mismatch (foreign keys,
/// backfills on tables without a primary key, renames or rewrites of key columns), CUT052 a column changed
/// twice, CUT057 the tables with steps after expand; and CUT041/CUT049 for `verify.checksum.tables`.
package struct ReferenceRules {
    package var schema: SymbolicSchema
    package private(set) var diagnostics: DiagnosticBag
    package let engine: MigrationSpec.Engine
    /// PostgreSQL: `database.schemaName`, whose tables a `sql` change names bare or qualified (`RawSQLSchemaEffects`).
    package let defaultSchema: String
    /// Columns changed so far (by table identity and column key), with the line and operation that changed them.
    package var changedColumns: [String: (line: Int, operation: String)] = [:]
    /// Tables named by a change with steps after expand (complete, contract), with that change's line
    /// and operation: a later renameTable would leave those steps on the compatibility view.
    package private(set) var laterPhases: [String: (line: Int, operation: String)] = [:]
    /// A renamed table's first name, so a column keeps its identity across renameTable.
    package var tableIdentity: [String: String] = [:]
    /// Columns an alterColumn of the spec retypes through a copy column (by identity), with its line (CUT094, CUT095).
    var copiedColumns: [String: Int] = [:]
    /// PostgreSQL: those of them retyped into another family of types (`SQLTypeFacts.postgresFamily`), with
    /// both types: a check on such a column cannot go before the retype either (CUT108), so CUT094 offers
    /// a migration of its own only.
    package var familyChanges: [String: (old: String, new: String)] = [:]
    /// Tables a renameTable of the spec made, with their first name and that change's line (CUT105).
    package var renamedTables: [String: (from: String, line: Int)] = [:]
    /// Names a renameTable left to its compatibility view, with the table it shows and that change's line:
    /// the view holds the name until contract, so nothing the spec creates in expand can take it.
    package var compatibilityViews: [String: (table: String, line: Int)] = [:]
    /// Constraint names a dropConstraint frees only in contract (a unique key, an acting foreign key),
    /// with the line of that change: an add runs in complete, before that drop, so it cannot take the name.
    package var freedInContract: [String: Int] = [:]

    /// The base schema as read (dropEnum: a column dropped by the spec stays, quarantined, until purge).
    package var base: DatabaseSchema?

    /// Columns a change of the spec brings (renameColumn's `to`, addColumn), per table, with the line of
    /// that change: an expression written before it cannot read them yet.
    var introducedColumns: [String: [(name: String, line: Int)]] = [:]

    package init(spec: MigrationSpec, schema: DatabaseSchema?, file: String, rules: RuleTable) {
        for change in spec.changes {
            for (table, column) in change.operation.base.introducedColumns {
                introducedColumns[table.value, default: []].append((column.value, change.location.line))
            }
        }
        self.base = schema
        self.schema = SymbolicSchema(engine: spec.database.engine, schema: schema)
        self.diagnostics = DiagnosticBag(file: file, rules: rules)
        self.engine = spec.database.engine
        self.defaultSchema = spec.database.schemaName
    }

    package mutating func check(_ spec: MigrationSpec) {
        for change in spec.changes {
            check(change)
            recordLaterPhases(change)
        }
        if let checksum = spec.checksum { checkChecksumTables(checksum.tables) }
    }

    // MARK: operations

    private mutating func check(_ change: Change) {
        change.operation.base.check(&self, change: change)
    }

    // MARK: references

    package mutating func checkColumnReference(_ column: ColumnDefinition, _ reference: ColumnReference, table: String) {
        if reference.onDelete == .setNull && !column.nullable {
            report(.referenceMismatch, Message.setNullOnNotNull(column.name.value), reference.table)
        }
        checkForeignKey(columns: [column.name], references: TableReference(table: reference.table, columns: [reference.column], actions: reference.actions))
        // The key under the name the lowering gives it, as addForeignKey registers its own: a later rename
        // or type change of the referenced column must see it (CUT049), or contract would retire the
        // column with the key still on it.
        let name = schema.objectNames.columnForeignKey(table: table, column: column.name.value)
        guard schema.conflict(name: name, table: table, kind: .foreignKey) == nil else { return }
        schema.register(.init(name: name, table: table, kind: .foreignKey, columns: [schema.columnKey(column.name.value)],
                              referencedTable: reference.table.value, referencedColumns: [schema.columnKey(reference.column.value)],
                              actions: "ON DELETE \(reference.onDelete.sql)" + reference.actions.clause))
    }

    package mutating func checkForeignKey(columns: [Name], references: TableReference) {
        references.actions.check(&self)
        if !references.columns.isEmpty && references.columns.count != columns.count {
            report(.referenceMismatch, Message.foreignKeyCount(columns.count, references.columns.map(\.value)),
                   references.columns.first ?? references.table)
            return
        }
        guard requireTable(references.table) else { return }
        var known = true
        for column in references.columns where !requireColumn(column, of: references.table.value) { known = false }
        guard known, !references.columns.isEmpty, let table = schema.tables[references.table.value], schema.isComplete(table) else { return }
        let keys = Set(references.columns.map { schema.columnKey($0.value) })
        if !table.uniqueSets.contains(keys) {
            report(.referenceMismatch, Message.referencedNotUnique(references.columns.map(\.value), table: references.table.value),
                   references.columns.first ?? references.table)
        }
    }

    private mutating func checkChecksumTables(_ names: [Located<String>]) {
        var seen: Set<String> = []
        for name in names {
            guard seen.insert(name.value).inserted else {
                report(.alreadyExists, Message.duplicateListed(name.value, list: "verify.checksum.tables"), name)
                continue
            }
            guard let table = schema.tableForVerify(name.value) else {
                if schema.complete {
                    let suggestion = Suggestion.closest(to: name.value, among: schema.tableNames)
                    report(.unknownTable, Message.unknownTable(name.value, reason: nil, complete: true, suggestion: suggestion), name)
                }
                continue
            }
            if schema.isComplete(table) && table.primaryKey.isEmpty {
                report(.referenceMismatch, Message.checksumWithoutPrimaryKey(name.value), name)
            }
        }
    }

    // MARK: columns changed by the spec

    package func columnIdentity(_ table: String, _ column: String) -> String {
        (tableIdentity[table] ?? table) + "\u{0}" + schema.columnKey(column)
    }

    /// Reports CUT052 when an earlier change already changed this column, and returns that change; records this one otherwise.
    /// Each change is lowered on its own against the schema as planned (MySQL's MODIFY restates the whole column), so
    /// two changes of one column would run against a column that is not what either of them expects.
    @discardableResult
    package mutating func changing(_ table: String, _ column: Name, _ operation: String, line: Int) -> (line: Int, operation: String)? {
        let key = columnIdentity(table, column.value)
        if let earlier = changedColumns[key] {
            report(.columnChangedTwice, Message.columnChangedTwice(column.value, table: table, earlier: earlier.operation, line: earlier.line, operation: operation), column)
            return earlier
        }
        changedColumns[key] = (line, operation)
        return nil
    }

    /// CUT049: a batched backfill walks the table in primary-key order, so it needs a primary key.
    package mutating func requirePrimaryKey(_ table: Name, for work: String) {
        guard let state = schema.tables[table.value], schema.isComplete(state), state.primaryKey.isEmpty else { return }
        report(.referenceMismatch, Message.backfillWithoutPrimaryKey(table.value, work: work), table)
    }

    /// Each change is lowered against the tables as they stand at that change, and its complete and
    /// contract steps run after every expand step: after a later renameTable, under the old name
    /// there is only the compatibility view, where an index, a constraint or a column rename fails.
    private mutating func recordLaterPhases(_ change: Change) {
        guard let table = change.operation.base.tableWithLaterSteps(engine: engine)?.value else { return }
        if laterPhases[table] == nil { laterPhases[table] = (change.location.line, change.operation.keyword) }
    }

    // MARK: helpers

    /// The column keys a foreign key references (the referenced table's primary key when it names none).
    package func referencedKeys(_ references: TableReference) -> [String] {
        if references.columns.isEmpty { return schema.tables[references.table.value]?.primaryKey ?? [] }
        return references.columns.map { schema.columnKey($0.value) }
    }

    /// Reports CUT041 and returns false when the table is known not to exist.
    package mutating func requireTable(_ name: Name) -> Bool {
        switch schema.table(name.value, mentionedAt: name.location.line) {
        case .found:
            return true
        case .missing(let reason):
            let suggestion = Suggestion.closest(to: name.value, among: schema.tableNames)
            report(.unknownTable, Message.unknownTable(name.value, reason: reason, complete: schema.complete, suggestion: suggestion,
                                                       hint: reason == nil ? schemaNameHint() : nil), name)
            return false
        }
    }

    /// PostgreSQL: why a table the schema file lacks may be there after all, under another schema than
    /// `database.schemaName` (user trial 13): the file has tables in a schema whose name differs from it
    /// only in case (cutover quotes schemaName, where the dump's unquoted `billing.invoices` folded to
    /// lower case), or tables in other schemas only. nil when neither holds.
    private func schemaNameHint() -> String? {
        guard engine == .postgresql, let base, !base.tables.isEmpty else { return nil }
        var others: [String] = []
        var bare = false
        for table in base.tables {
            guard let dot = table.name.firstIndex(of: ".") else { bare = true; continue }
            let qualifier = String(table.name[..<dot])
            if !others.contains(qualifier) { others.append(qualifier) }
        }
        others.sort()
        if let folded = others.first(where: { $0.lowercased() == defaultSchema.lowercased() }) {
            return Message.schemaNameCase(defaultSchema, file: folded)
        }
        guard !bare, !others.isEmpty else { return nil }
        return Message.schemaNameElsewhere(defaultSchema, file: others)
    }

    /// Reports CUT042 and returns false when the column is known not to exist.
    package mutating func requireColumn(_ name: Name, of table: String) -> Bool {
        switch schema.column(name.value, of: table) {
        case .found:
            return true
        case .missing(let reason):
            let suggestion = reason == nil ? Suggestion.closest(to: name.value, among: schema.columnNames(of: table)) : nil
            report(.unknownColumn, Message.unknownColumn(name.value, table: table, reason: reason, suggestion: suggestion), name)
            return false
        }
    }

    /// CUT042 for each column an expression (`up`) names that an earlier change renamed or dropped. An
    /// expression sees the table as the changes before it in spec order leave it, as every other field
    /// does: after `renameColumn` the column is read under its new name. The old name still exists on
    /// the server until contract, but its value there is the old version's alone (the new version
    /// writes the new name, and the sync trigger may not have run yet when the expression is
    /// evaluated), so a trigger reading it would fill from a value that is not there yet; and the
    /// generated SQL resolves the expression's names against the spec's columns, which no longer
    /// list the old one (issue #14, user trial: `LEFT(sku, 3)` after renaming sku refused every write).
    package mutating func requireExpressionColumns(_ expression: Located<String>?, of table: String) {
        guard let expression, schema.tables[table] != nil else { return }
        // A column only a later change brings: inside the sync triggers it is no column of the row yet
        // (#14 trial 14d: `down` naming a column renamed later failed every insert of the old version).
        var reported: Set<String> = []
        for (name, line) in introducedColumns[table] ?? [] where line > expression.location.line && !schema.hasColumn(name, in: table)
            && !reported.contains(name) && ColumnExpression.uses(expression.value, column: name, engine: engine) {
            reported.insert(name)
            report(.unknownColumn, Message.unknownColumn(name, table: table, reason: "the change at line \(line) brings it, after this one", suggestion: nil)
                   + "; an expression reads the columns as the changes before it leave them", expression)
        }
        guard let gone = schema.tables[table]?.gone, !gone.isEmpty else { return }
        for (name, reason) in gone.sorted(by: { $0.key < $1.key })
        where ColumnExpression.uses(expression.value, column: name, engine: engine) {
            report(.unknownColumn, Message.unknownColumn(name, table: table, reason: reason, suggestion: nil)
                   + "; an expression reads the columns as the changes before it leave them", expression)
        }
    }

    /// Reports CUT044 and returns false when the name of a new index or constraint is taken.
    /// `inContract`: the claiming step itself runs in contract, after such a drop (renameIndex, renameConstraint).
    package mutating func claim(_ name: Name, table: String, kind: SymbolicSchema.ObjectKind, inContract: Bool = false) -> Bool {
        if !inContract, let line = freedInContract[schema.mysql ? name.value.lowercased() : name.value] {
            report(.alreadyExists, Message.nameFreedInContract(name.value, line: line), name)
            return false
        }
        if let object = schema.conflict(name: name.value, table: table, kind: kind) {
            report(.alreadyExists, Message.objectExists(name.value, existing: object.kind.words, table: object.table), name)
            return false
        }
        if !schema.mysql && (kind == .index || kind == .unique || kind == .primaryKey) && schema.exists(table: name.value) {
            report(.alreadyExists, Message.nameTakenByTable(name.value), name)
            return false
        }
        return true
    }

    /// Reports CUT044 and returns false when a new table's name is taken: by a table, or on PostgreSQL by
    /// an index or a key's index (createTable, renameTable).
    package mutating func claimTable(_ name: Name) -> Bool {
        if schema.exists(table: name.value) {
            report(.alreadyExists, Message.tableExists(name.value), name)
            return false
        }
        if let object = relationClash(name.value) {
            report(.alreadyExists, Message.nameTakenByIndex(name.value, kind: object.kind.words, table: object.table), name)
            return false
        }
        if let view = compatibilityViews[name.value] {
            report(.alreadyExists, Message.nameTakenByCompatibilityView(name.value, table: view.table, line: view.line), name)
            return false
        }
        return true
    }

    /// On PostgreSQL tables and indexes share one namespace.
    private func relationClash(_ name: String) -> SymbolicSchema.Object? {
        guard !schema.mysql else { return nil }
        return schema.conflict(name: name, table: "", kind: .index)
    }

    /// CUT094: an index or constraint named on a column an earlier change retypes through a copy.
    package mutating func checkRetypedKeyColumns(_ columns: [Name], of table: String, what: String) {
        for column in columns {
            guard let line = copiedColumns[columnIdentity(table, column.value)] else { continue }
            report(.retypedColumnKey, Message.retypedColumnKey(column.value, table: table, line: line, what: what), column)
        }
    }

    /// CUT094 for an expression (a check, an index's WHERE) that reads such a column. `notBefore`: for a
    /// column, why the change cannot go before the retype either (the hint then offers only a migration
    /// of its own), or nil.
    package mutating func checkRetypedExpression(_ expression: Located<String>, of table: String, what: String,
                                         notBefore: (_ column: String, _ identity: String) -> String? = { _, _ in nil }) {
        let copied = (schema.tables[table]?.columns.values.map(\.name).sorted() ?? []).compactMap { column in
            copiedColumns[columnIdentity(table, column)].map { (column: column, line: $0) }
        }
        for (column, line) in copied where ColumnExpression.uses(expression.value, column: column, engine: engine) {
            let message = notBefore(column, columnIdentity(table, column)).map {
                Message.retypedColumnKeyAfterOnly(column, table: table, line: line, what: what, notBefore: $0)
            } ?? Message.retypedColumnKey(column, table: table, line: line, what: what)
            report(.retypedColumnKey, message, expression)
        }
    }

    /// CUT078: a partial index's WHERE reads `column`, which is retyped through a copy, and its keys do
    /// not include it (such an index is not rebuilt on the copy). CUT095: `column` shares an index or
    /// key with a column an earlier change retyped through one. Then records `column` as copied.
    package mutating func checkRetypedIndexColumns(_ column: Name, of table: String, line: Int, at location: Located<String>) {
        let key = schema.columnKey(column.value)
        let objects = schema.objects(on: table)
        // An index with the column among its keys is rebuilt on the copy, its WHERE rewritten with it;
        // one that only reads it in its WHERE is not rebuilt at all.
        for object in objects where object.kind == .index && !(object.columns + object.included).contains(key) {
            guard let predicate = object.predicate, ColumnExpression.uses(predicate, column: column.value, engine: engine) else { continue }
            report(.retypedIndexPredicate, Message.retypedIndexPredicate(column.value, table: table, index: object.name), location)
        }
        // INCLUDE columns count: an index that includes the column is rebuilt on its copy too.
        for object in objects where [.index, .unique, .primaryKey].contains(object.kind) && (object.columns + object.included).contains(key) {
            let copied = (object.columns + object.included).compactMap { other in other == key ? nil : copiedColumns[columnIdentity(table, other)].map { (other, $0) } }
            guard let (other, otherLine) = copied.first else { continue }
            report(.retypedIndexColumns, Message.retypedIndexColumns(column.value, table: table, index: "\(object.kind.words) \(object.name)", other: other,
                                                                     line: otherLine), location)
            break
        }
        copiedColumns[columnIdentity(table, column.value)] = line
    }

    package mutating func report(_ rule: RuleID, _ message: String, _ value: Located<String>) {
        diagnostics.report(rule, message, at: value.location)
    }

    package mutating func report(_ rule: RuleID, _ message: String, at location: SourceLocation) {
        diagnostics.report(rule, message, at: location)
    }
}

extension Message {
    /// CUT044 from `claim`: a name dropConstraint frees only in contract (ReferenceRules' `freedInContract`).
    public static func nameFreedInContract(_ name: String, line: Int) -> String {
        "'\(name)' is dropped at line \(line) only in contract, once the old app version no longer serves, but a new constraint or index is created in complete, before that: the add would find the old one and do nothing, and contract would then drop it; give the new one another name"
    }
}
