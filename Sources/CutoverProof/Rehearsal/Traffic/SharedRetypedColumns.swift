import CutoverPlan

/// Columns whose type the migration changes where the new version must keep to values both types
/// hold: with `app.versionSchemas: none` (or no base schema) on either engine, where the new version
/// sees them in their old type until contract; and on MySQL with its databases of views, where the
/// new version reads and writes the hidden copy in the new type (`MySQLVersionSchemas`), but the
/// two-way sync writes `down` of each value into the old column while the old version serves, which
/// strict mode refuses for a value the old type cannot hold. Until
/// contract swaps in the hidden copy, such a column keeps its old type under its name, and the plan
/// README tells the new version to read and write the old type there. The rehearsal's new version
/// keeps to values both types hold, through the whole rehearsal: before contract a wider value
/// fails (out of range), and after it the rollback of contract, which brings the old type back,
/// refuses rows the old type cannot take (by design: `cutover rollback refused: … cannot take`),
/// and the rehearsal always rolls back from the end. The old version is not narrowed: it writes
/// the full range of the base schema's type, as it does in production.
struct SharedRetypedColumns {
    /// table → column names (both as the new version's shape names them).
    var columns: [String: Set<String>]

    var isEmpty: Bool { columns.isEmpty }

    /// The retyped columns of `context`'s spec whose values the new version must keep within both
    /// types. Every type change the language allows that is not the same type, by how it is lowered:
    /// - changed in place (MySQL: VARCHAR widening, enum labels appended, `MySQLAlterColumn.changesInPlace`;
    ///   PostgreSQL: a metadata-only change, `SQLTypeFacts.isPostgresMetadataOnly`): both versions see
    ///   the one column, views or not, and the rollback narrows it back, refusing rows the old type
    ///   cannot take (its fit check), since rehearse rolls back from the end;
    /// - through a hidden copy on MySQL (`MySQLVersionSchemas.hiddenCopies`): the two-way sync writes
    ///   `down` of each value into the old column while the old version serves;
    /// - rewritten on PostgreSQL without version schemas: the new version sees the old type until
    ///   contract. With them, its view shows the copy in the new type, and the two-way sync trigger
    ///   writes `down` (or a cast) of each value into the old column while the old version serves,
    ///   which fails the new version's statement for a value the old type cannot hold, as on MySQL
    ///   (trial 14c: int → varchar(20) wrote 'legacy_ref-…'). Kept within both types where the
    ///   narrowed values are ones the new column takes by assignment (numbers and text, an enum's
    ///   labels into text, `narrowsThroughViews`); other pairs (date → timestamptz, text → jsonb) are left to the
    ///   new type, whose values the old one takes (the plan README and CUT109 say the rule).
    /// (Only enum label appends were counted in place before, so a widened VARCHAR's new version
    /// could write values its rollback refuses.)
    static func of(_ context: LoweringContext) -> SharedRetypedColumns {
        var columns: [String: Set<String>] = [:]
        guard context.spec.strategy == .expandContract else { return SharedRetypedColumns(columns: columns) }
        if context.engine == .mysql {
            for alter in MySQLVersionSchemas.hiddenCopies(context) { columns[alter.table.value, default: []].insert(alter.column.value) }
        }
        let views = PostgreSQLVersionSchemas.enabled(context)
        var walk = context
        for change in context.spec.changes {
            defer { walk.apply(change.operation) }
            guard let alter = change.operation.unit(AlterColumn.self), let type = alter.type?.value else { continue }
            let old = walk.column(alter.table.value, alter.column.value)
            if let old, SQLTypeFacts.isSameType(old.type, type) { continue }
            switch context.engine {
            case .mysql:
                guard let old, !alter.converts, MySQLAlterColumn.changesInPlace(old, of: walk.schema.table(alter.table.value), to: type) else { continue }
            case .postgresql:
                let inPlace = !alter.converts && (old.map { SQLTypeFacts.isPostgresMetadataOnly(from: $0.type, to: type) } ?? false)
                let rewritten = PostgreSQLVersionSchemas.rewrites(alter, walk)
                guard inPlace || (rewritten && (!views || Self.narrowsThroughViews(old: old?.type, new: type, in: walk.schema))) else { continue }
            }
            columns[alter.table.value, default: []].insert(alter.column.value)
        }
        return SharedRetypedColumns(columns: columns)
    }

    /// Whether the new version's values of a PostgreSQL column rewritten from `old` to `new`, seen
    /// through its view in the new type, can be kept within both types: numbers and text both ways,
    /// whose narrowed values (`fitting`) the new column takes by assignment (an integer into varchar
    /// is an assignment cast; a text value into jsonb is not).
    /// An enum retyped to text (`plan_kind` → text, trial 14d) narrows too: the new version writes the
    /// enum's labels, which the text column takes by assignment (an enum's text form) and `down`
    /// (`CAST(plan AS plan_kind)`) converts back; any other text fails the sync until contract.
    static func narrowsThroughViews(old: String?, new: String, in schema: DatabaseSchema? = nil) -> Bool {
        guard let old else { return false }
        let plain: Set<String> = ["integer", "decimal", "text"]
        guard plain.contains(SQLTypeFacts.postgresFamily(new)) else { return false }
        if let schema, SQLTypeFacts.postgresFamily(new) == "text", schema.enumType(old) != nil { return true }
        return plain.contains(SQLTypeFacts.postgresFamily(old))
    }

    /// `new` with each retyped column's type replaced by one whose values both its old type (in
    /// `old`, under its base name: `renames` maps table → new column name → old name) and its new
    /// type hold.
    func narrowing(_ new: AppShape, old: AppShape, renames: [String: [String: String]] = [:], tableRenames: [String: String] = [:],
                   engine: MigrationSpec.Engine) -> AppShape {
        var shape = new
        for tableIndex in shape.tables.indices {
            let table = shape.tables[tableIndex]
            guard let names = columns[table.name],
                  let oldTable = old.table(tableRenames[table.name] ?? table.name) else { continue }
            for columnIndex in table.columns.indices where names.contains(table.columns[columnIndex].name) {
                let column = table.columns[columnIndex]
                guard let before = oldTable.column(renames[table.name]?[column.name] ?? column.name) else { continue }
                shape.tables[tableIndex].columns[columnIndex] = Self.fitting(old: before, oldTable: oldTable, new: column, newTable: table, engine: engine)
            }
        }
        return shape
    }

    /// The engine's integer types, narrowest first, with the characters their widest value takes.
    static func integerTypes(_ engine: MigrationSpec.Engine, unsigned: Bool) -> [(name: String, bits: Int, characters: Int)] {
        let types: [(String, Int)] = engine == .postgresql ? [("smallint", 16), ("integer", 32), ("bigint", 64)]
            : [("tinyint", 8), ("smallint", 16), ("mediumint", 24), ("int", 32), ("bigint", 64)]
        let signed = !unsigned || engine == .postgresql
        return types.map { name, bits in
            let maximum = signed ? (bits >= 64 ? "9223372036854775808" : String((Int64(1) << (bits - 1))))
                : (bits >= 64 ? "18446744073709551615" : String((Int64(1) << bits) - 1))
            return (signed ? name : name + " unsigned", bits, maximum.count + (signed ? 1 : 0))
        }
    }

    /// `new` typed so that its generated values fit both `old` and `new`: the narrower of two
    /// integer types, the fewer integer digits and decimals of two decimals, the shorter of two
    /// text lengths; for other pairs the old type (the README's rule until contract).
    static func fitting(old: ColumnShape, oldTable: TableShape, new: ColumnShape, newTable: TableShape,
                        engine: MigrationSpec.Engine) -> ColumnShape {
        func typed(like source: ColumnShape) -> ColumnShape {
            var column = new
            column.dataType = source.dataType
            column.baseType = source.baseType
            column.enumLabels = source.enumLabels
            return column
        }
        func decimal(digits: Int, scale: Int) -> ColumnShape {
            var column = new
            column.dataType = "\(engine == .postgresql ? "numeric" : "decimal")(\(max(1, digits + scale)),\(scale))"
            column.baseType = nil
            return column
        }
        let before = ColumnKind.of(old, in: oldTable, engine: engine)
        let after = ColumnKind.of(new, in: newTable, engine: engine)
        switch (before, after) {
        case (.integer, .integer):
            return (before.capacity() ?? .max) <= (after.capacity() ?? .max) ? typed(like: old) : typed(like: new)
        case (.decimal(let p1, let s1), .decimal(let p2, let s2)):
            guard p1 != nil || p2 != nil else { return new }  // PostgreSQL's unbounded numeric both ways
            // An unbounded numeric (PostgreSQL) limits neither digits nor decimals.
            let digits = min(p1.map { $0 - s1 } ?? .max, p2.map { $0 - s2 } ?? .max)
            return decimal(digits: digits, scale: min(p1 == nil ? .max : s1, p2 == nil ? .max : s2))
        case (.integer, .decimal(let precision, let scale)), (.decimal(let precision, let scale), .integer):
            let integer = before.isInteger ? old : new
            let integerCapacity = ColumnKind.of(integer, in: before.isInteger ? oldTable : newTable, engine: engine).capacity() ?? .max
            guard let precision else { return typed(like: integer) }
            let decimalCapacity = ColumnKind.decimal(precision: precision - scale, scale: 0).capacity() ?? .max
            return integerCapacity <= decimalCapacity ? typed(like: integer) : decimal(digits: precision - scale, scale: 0)
        case (.text(let a), .text(let b)):
            return (a ?? .max) <= (b ?? .max) ? typed(like: old) : typed(like: new)
        case (.integer(let bits, let unsigned), .text(let length)):
            // An integer retyped to text (INT → VARCHAR(20)): the new version writes digits the old
            // integer type holds and the new length takes: the widest integer type no wider than the
            // old one whose every value fits that length; none: the old type, as before.
            guard let fitting = integerTypes(engine, unsigned: unsigned)
                .last(where: { $0.bits <= bits && $0.characters <= (length ?? .max) }) else { return typed(like: old) }
            if fitting.bits == bits { return typed(like: old) }
            var column = new
            column.dataType = fitting.name
            column.baseType = nil
            return column
        case (.text(let length), .integer(let bits, let unsigned)):
            // Text retyped to an integer (VARCHAR → TINYINT): the new version writes numbers, which the
            // new type must hold and `down` writes back as text of at most the old length. The widest
            // integer type no wider than the new one whose every value (sign included) has that many
            // characters; none (under 4 characters, or 3 unsigned): the old type, as before.
            guard let fitting = integerTypes(engine, unsigned: unsigned)
                .last(where: { $0.bits <= bits && $0.characters <= (length ?? .max) }) else { return typed(like: old) }
            if fitting.bits == bits { return typed(like: new) }
            var column = new
            column.dataType = fitting.name
            column.baseType = nil
            return column
        case (.text(let length), _):
            // Text retyped to a date, a time stamp or a number (VARCHAR(10) → DATE, trial 14d): the
            // new type's values whose text form the old length takes; `down` writes them back as
            // text. Where that form is longer: the old type, as before.
            guard let width = textWidth(after, engine: engine), width <= (length ?? .max) else { return typed(like: old) }
            return new
        default:
            return typed(like: old)
        }
    }

    /// The most characters a value of `kind` takes in its text form, for the kinds whose values a
    /// text column can keep that way (dates, time stamps, numbers); nil for others.
    static func textWidth(_ kind: ColumnKind, engine: MigrationSpec.Engine) -> Int? {
        switch kind {
        case .date: return 10
        case .timestamp(let zone): return zone ? 22 : 19
        case .integer(let bits, let unsigned): return integerTypes(engine, unsigned: unsigned).first { $0.bits >= bits }?.characters ?? 20
        case .decimal(let precision, _): return (precision ?? 30) + 2
        default: return nil
        }
    }
}
