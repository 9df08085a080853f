/// What the preflight expects of the database, engine-neutral: every table and column the migration
/// touches, with each shape it may have at a boundary of this migration (the base schema, after
/// expand, after complete, after contract), and the privileges the migration's Jobs need.
///
/// Under Argo CD the PreSync hooks (preflight among them) run on every sync, and under Helm the
/// pre-upgrade hooks on every upgrade: the preflight meets the schema after any phase, not only the
/// base. So a column is checked against the union of its shapes (its base type and every type the
/// spec gives it; its base nullability, the spec's, and nullable where a phase relaxes it), and its
/// presence tells how far the migration got: a column expand adds (present from expand on), one
/// contract removes (absent from contract on), and NOT NULL that complete sets (`PreflightBoundary`
/// decides what each count means). Anything that matches no shape at all is a problem.
struct PreflightExpectations {
    /// A column the migration touches.
    struct Column {
        var table: String
        /// Names to look the table up by, first found wins: a later `renameTable` gives it a new name
        /// in expand (the old one becomes a view).
        var lookup: [String]
        var name: String
        /// Exists before the migration (dropped, renamed from or altered), or expand adds it.
        var inBase: Bool
        /// Contract removes it (dropColumn, renameColumn's old name).
        var removed: Bool
        /// Types it may have (as the base schema or the spec writes them); empty: not checked (unknown).
        var types: [String] = []
        /// Nullability it may have; empty: not checked.
        var nullable: Set<Bool> = []
        /// Whether it may have a default (or identity / AUTO_INCREMENT); empty: not checked. Checked only
        /// where a step depends on it: a NOT NULL column dropColumn removes is relaxed in expand only
        /// without a default.
        var hasDefault: Set<Bool> = []
        /// The complete phase sets NOT NULL on it.
        var notNullInComplete = false

        var key: String { "\(table).\(name)" }
        /// Present before expand and after contract alike: its presence says nothing about the phase.
        var isAdded: Bool { !inBase && !removed }
        /// Added by one change and removed by a later one (a rename of a renamed column): no presence rule.
        var isInterim: Bool { !inBase && removed }
    }

    /// A table the migration touches that exists before it.
    struct Table {
        var name: String
        /// Contract removes it (dropTable, renameTable's old name, which is a view from expand on).
        var removed: Bool
        /// renameTable: its new name, present from expand on.
        var renamedTo: String?
    }

    /// A retyped column contract swaps with its copy (`alterColumn` with a type the engine cannot
    /// change in place). Contract removes nothing the preflight reads as a column (the name stays,
    /// only its type changes), but it leaves what no other boundary has: the copy (`rewriteCopy`,
    /// present from expand on) is gone and the old column is kept under its quarantine name, or, when
    /// contract purges it, the column has the spec's type rather than the base's. Re-running expand
    /// there would add the copy and its sync trigger again on the swapped table: it counts as one
    /// of contract's removals.
    struct Swap {
        var table: String
        /// As `Column.lookup`.
        var lookup: [String]
        var column: String
        /// The spec's type (the column's after contract).
        var type: String
        /// The type before the change, when known: a column that (also) has it is not swapped.
        var baseType: String?
        /// `DerivedNames.rewriteCopy(column)`.
        var copy: String
        /// `DerivedNames.quarantine(column)`: where contract keeps the old column (also purged later when `purge`).
        var quarantine: String

        var key: String { "\(table).\(column)" }
    }

    var tables: [Table] = []
    var columns: [Column] = []
    var swaps: [Swap] = []
    /// Tables the Jobs ALTER (PostgreSQL: their owner; MySQL: ALTER, and TRIGGER/INDEX when used).
    var altered: [String] = []
    /// Tables foreign keys reference (REFERENCES).
    var referenced: [String] = []
    /// Statements the Jobs run (rendered: a recipe's DDL value or MySQL trigger has no text until the
    /// last pass of planning), upper-cased: which kinds of objects they create.
    var statements: String = ""

    /// Additions (columns and renamed tables) whose presence marks expand.
    var additions: Int { columns.filter(\.isAdded).count + tables.filter { $0.renamedTo != nil }.count }
    /// Removals whose absence marks contract, and swaps whose traces mark it.
    var removals: Int { columns.filter { $0.inBase && $0.removed }.count + tables.filter(\.removed).count + swaps.count }
    var completions: Int { columns.filter(\.notNullInComplete).count }

    /// Whether the Jobs run a statement containing one of `words`.
    /// A search of the UTF-8 bytes: Foundation's `contains` bridged the whole text (every statement of
    /// the plan) to NSString on each call, 3% of `generate` with a thousand changes. The words are ASCII.
    func uses(_ words: String...) -> Bool {
        var text = statements
        text.makeContiguousUTF8()  // a native string already is: no copy
        return text.utf8.withContiguousStorageIfAvailable { haystack in words.contains { Self.find(Array($0.utf8), in: haystack) } } ?? false
    }

    private static func find(_ needle: [UInt8], in haystack: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = needle.first, needle.count <= haystack.count else { return needle.isEmpty }
        var index = 0
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == first {
                var offset = 1
                while offset < needle.count && haystack[index + offset] == needle[offset] { offset += 1 }
                if offset == needle.count { return true }
            }
            index += 1
        }
        return false
    }

    init() {}

    init(context base: LoweringContext, drafts: [StepDraft]) {
        let spec = base.spec
        let same = base.sameName
        var created: Set<String> = []
        // The name each table ends up with (renameTable chains followed), for lookups after expand.
        var renames: [String: String] = [:]
        for change in spec.changes { if let rename = change.operation.unit(RenameTable.self) { renames[rename.from.value] = rename.to.value } }
        func finalName(_ table: String) -> String {
            var name = table, seen: Set<String> = []
            while let next = renames[name], !seen.contains(next) { seen.insert(name); name = next }
            return name
        }
        func table(_ name: String, removed: Bool = false, renamedTo: String? = nil) {
            guard !created.contains(name) else { return }
            if let index = tables.firstIndex(where: { $0.name == name }) {
                tables[index].removed = tables[index].removed || removed
                if let renamedTo { tables[index].renamedTo = renamedTo }
            } else {
                tables.append(Table(name: name, removed: removed, renamedTo: renamedTo))
            }
        }
        func alter(_ name: String) {
            guard !created.contains(name), !altered.contains(name) else { return }
            altered.append(name)
        }
        func reference(_ name: String) {
            guard !created.contains(name), !referenced.contains(name) else { return }
            referenced.append(name)
        }
        func index(_ t: String, _ c: String) -> Int? { columns.firstIndex { $0.table == t && same($0.name, c) } }
        /// The column as it is before this change: the base schema's shape, when known.
        func existing(_ t: String, _ c: String, context: LoweringContext) {
            table(t); alter(t)
            guard !created.contains(t), index(t, c) == nil else { return }
            var column = Column(table: t, lookup: finalName(t) == t ? [t] : [finalName(t), t], name: c, inBase: true, removed: false)
            if let info = base.column(t, c) {
                column.types = [info.type]
                column.nullable = [info.nullable]
            }
            columns.append(column)
        }
        func added(_ t: String, _ c: String, type: String?) {
            guard !created.contains(t) else { return }
            table(t); alter(t)
            if let i = index(t, c) {
                // Added again after a removal: whatever the last change says.
                if let type { columns[i].types.append(type) }
                return
            }
            var column = Column(table: t, lookup: finalName(t) == t ? [t] : [finalName(t), t], name: c, inBase: false, removed: false)
            // Its type only: expand may add it nullable and complete set NOT NULL, contract move a default.
            if let type { column.types = [type] }
            columns.append(column)
        }
        /// A later change that removes or swaps the column again: its last change is what contract leaves.
        func unswap(_ t: String, _ c: String) { swaps.removeAll { $0.table == t && same($0.column, c) } }
        func incoming(_ t: String, _ c: String, _ context: LoweringContext) {
            // Foreign keys of other tables that reference the column are carried over (ALTER on those).
            for key in context.incomingForeignKeys(to: t, column: c) where key.table != t { alter(key.table) }
        }

        var context = base
        for change in spec.changes {
            let operation = change.operation
            if let add = operation.unit(AddColumn.self) {
                let t = add.table, column = add.column
                table(t.value); alter(t.value)
                added(t.value, column.name.value, type: column.type.value)
                if let ref = column.references { reference(ref.table.value) }
            } else if let drop = operation.unit(DropColumn.self) {
                let t = drop.table, c = drop.column
                unswap(t.value, c.value)
                existing(t.value, c.value, context: context)
                if let i = index(t.value, c.value) {
                    columns[i].removed = true
                    // Expand relaxes NOT NULL when the column has no default (the new version leaves it
                    // out of its inserts): whether it has one is what the steps were written for.
                    if let info = base.column(t.value, c.value), columns[i].inBase, !info.nullable { columns[i].hasDefault = [Self.hasDefault(info)] }
                    columns[i].nullable.insert(true)
                }
                incoming(t.value, c.value, context)
            } else if let rename = operation.unit(RenameColumn.self) {
                let t = rename.table, from = rename.from, to = rename.to
                unswap(t.value, from.value)
                existing(t.value, from.value, context: context)
                if let i = index(t.value, from.value) {
                    columns[i].removed = true
                    columns[i].nullable.insert(true) // contract lets the old column accept NULL first
                }
                added(t.value, to.value, type: context.column(t.value, from.value)?.type)
                incoming(t.value, from.value, context)
            } else if let alter = operation.unit(AlterColumn.self) {
                let t = alter.table.value, c = alter.column.value
                existing(t, c, context: context)
                // Contract swaps the column with its copy when the lowering wrote a swap step for it.
                if let type = alter.type?.value,
                   drafts.contains(where: { $0.phase == .contract && $0.changeIndex == change.index && $0.slug == "alter_type \(t) \(c) swap" }) {
                    unswap(t, c)
                    swaps.append(Swap(table: t, lookup: finalName(t) == t ? [t] : [finalName(t), t], column: c, type: type,
                                      baseType: context.column(t, c)?.type, copy: base.derived.rewriteCopy(c), quarantine: base.derived.quarantine(c)))
                }
                if let i = index(t, c) {
                    if let type = alter.type?.value {
                        if !columns[i].types.isEmpty || !columns[i].inBase { columns[i].types.append(type) }
                        // A rewrite through a copy column may relax the old column until contract swaps them (MySQL).
                        if !columns[i].nullable.isEmpty { columns[i].nullable.insert(true) }
                    }
                    if let nullable = alter.nullable?.value, !columns[i].nullable.isEmpty { columns[i].nullable.insert(nullable) }
                }
                incoming(t, c, context)
            } else if let create = operation.unit(CreateTable.self) {
                created.insert(create.name.value)
                for column in create.columns { if let ref = column.references { reference(ref.table.value) } }
                for constraint in create.constraints {
                    if case .foreignKey(_, let references, _) = constraint.kind { reference(references.table.value) }
                }
            } else if let drop = operation.unit(DropTable.self) {
                table(drop.name.value, removed: true); alter(drop.name.value)
            } else if let rename = operation.unit(RenameTable.self) {
                table(rename.from.value, removed: true, renamedTo: rename.to.value); alter(rename.from.value)
                created.insert(rename.to.value)
            } else if operation.unit(RawSQL.self) == nil {
                let names = operation.base.tables.map(\.value)
                if let first = names.first { table(first); alter(first) }
                if let key = operation.base as? AddForeignKey { table(key.references.table.value); reference(key.references.table.value) }
                else { names.dropFirst().forEach { table($0); alter($0) } }
            }
            context.apply(change.operation)
        }
        // Columns the complete phase makes NOT NULL (its steps' titles name them: "set NOT NULL on T.C").
        for draft in drafts where draft.phase == .complete && draft.title.hasPrefix("set NOT NULL on ") {
            let target = draft.title.dropFirst("set NOT NULL on ".count).prefix { $0 != " " }
            for i in columns.indices where Substring(columns[i].key) == target { columns[i].notNullInComplete = true }
        }
        // Rendered as StatementRendering (the last pass of planning) will render them.
        let plain = LoweringContext(spec: spec, schema: nil)
        let postgres = PostgreSQLRenderer(b: PostgreSQLBuilder(context: plain)), mysql = MySQLRenderer(b: MySQLBuilder(context: plain))
        let renderer: (DDL) -> [SQLStatement] = { spec.database.engine == .postgresql ? postgres.render($0) : mysql.render($0) }
        statements = drafts.filter { $0.phase != .preflight }
            .flatMap { $0.up + $0.down }.flatMap { StatementRendering.render($0, plain.names, renderer) }
            .map { $0.text.uppercased() }.joined(separator: "\n")
    }

    /// A default in the sense the checks compare: a value other than NULL, or a server-filled column.
    static func hasDefault(_ column: DatabaseSchema.Column) -> Bool {
        if column.isIdentity || SQLTypeFacts.isIdentityType(column.type) { return true }
        guard let value = column.defaultValue?.trimmingWhitespace() else { return false }
        return value.uppercased() != "NULL" && !value.uppercased().hasPrefix("NULL::")
    }
}
