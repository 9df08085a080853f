import Foundation

/// `createTable`'s `partitionBy` and `partitions`: one spec form that both engines can declare.
/// PostgreSQL 15: `PARTITION BY RANGE|LIST|HASH (columns)`, then one `CREATE TABLE … PARTITION OF`
/// per partition (`FOR VALUES FROM … TO …`, `IN (…)`, `WITH (MODULUS m, REMAINDER r)`, `DEFAULT`).
/// MySQL 8 / MariaDB 10.11: `PARTITION BY RANGE COLUMNS(…)`, `LIST COLUMNS(…)` or `KEY (…)` in the
/// CREATE TABLE itself (the COLUMNS forms take dates and text, which plain RANGE/LIST do not; KEY hashes
/// any type). So: a range partition's `from` defaults to the previous partition's `to` (MINVALUE for the
/// first), which is the only form MySQL has (`VALUES LESS THAN`); a hash partition names its modulus and
/// remainder (PostgreSQL's form), which MySQL has only as a full set (modulus = the number of
/// partitions, remainders 0…n-1, each partition taking the rows whose hash leaves its remainder).
/// Bound values are YAML scalars written as SQL literals: an integer as is, MINVALUE/MAXVALUE as the
/// keywords, anything else as a quoted string literal (never spliced as SQL).
package struct TablePartitioning: Sendable {
    enum Method: String, Sendable, CaseIterable { case range, list, hash }

    struct Partition: Sendable {
        var name: Name
        var from: [Located<String>]
        var to: [Located<String>]
        var values: [Located<String>]
        var modulus: Located<String>?
        var remainder: Located<String>?
        var isDefault: Bool
        var location: SourceLocation
    }

    var method: Method
    var columns: [Name]
    var partitions: [Partition]
    /// Where `partitionBy` (or `partitions`, when only that is given) is.
    var location: SourceLocation
    /// `partitionBy` given: without it, `partitions` is an error (CUT101).
    var declared: Bool

    static let partitionByField = Field("partitionBy", .object(byShape), "partition the new table; needs partitions")

    package static let byShape = ObjectShape("partitionBy", "how a new table is partitioned", [
        Field("method", .choice(Method.allCases.map(\.rawValue)), required: true,
              "range (PostgreSQL RANGE, MySQL RANGE COLUMNS), list (LIST / LIST COLUMNS; one column) or hash (HASH / KEY)"),
        Field("columns", SpecShape.identifiers, required: true, "the partition key's columns; every primary key and unique constraint must include them (CUT100)"),
    ])

    static let partitionsField = Field("partitions", .list(.object(partitionShape), minItems: 1), "the partitions of a partitioned new table, in order (range: ascending)")

    package static let partitionShape = ObjectShape("partition", "one partition of a new partitioned table: range bounds, list values, or a hash modulus and remainder", [
        Field("name", SpecShape.identifier, required: true, "partition name (a table on PostgreSQL)"),
        Field("from", .list(.text(.plain), minItems: 1),
              "range: inclusive lower bound, one value per key column (default: the previous partition's 'to', MINVALUE for the first; MySQL takes only that)"),
        Field("to", .list(.text(.plain), minItems: 1), "range: exclusive upper bound, one value per key column (MAXVALUE for no bound)"),
        Field("values", .list(.text(.plain), minItems: 1), "list: the key values the partition takes"),
        Field("modulus", SpecShape.positive, "hash: the modulus (MySQL: the number of partitions)"),
        Field("remainder", .integer(min: 0, max: nil, rule: .count), "hash: the remainder of the rows it takes"),
        Field("default", .boolean, "PostgreSQL: the DEFAULT partition, which takes the rows no other one does (MySQL 8 has none: CUT101)"),
    ])

    static func read(_ node: SyntaxNode, _ reader: SpecBuilder) -> TablePartitioning? {
        let by = node["partitionBy"], list = node["partitions"]
        guard by != nil || list != nil else { return nil }
        let method = reader.text(by?["method"]).flatMap(Method.init(rawValue:)) ?? .range
        let partitions: [Partition] = (list?.items ?? []).compactMap { item in
            guard let name = reader.name(item["name"]) else { return nil }
            func values(_ key: String) -> [Located<String>] { (item[key]?.items ?? []).compactMap { reader.located($0) } }
            return Partition(name: name, from: values("from"), to: values("to"), values: values("values"),
                             modulus: reader.located(item["modulus"]), remainder: reader.located(item["remainder"]),
                             isDefault: reader.bool(item["default"]) ?? false, location: item.location)
        }
        return TablePartitioning(method: method, columns: reader.names(by?["columns"]), partitions: partitions,
                                 location: (by ?? list)?.location ?? node.location, declared: by != nil)
    }

    /// A bound value as SQL: an integer as is, MINVALUE/MAXVALUE as keywords, else a string literal.
    static func literal(_ text: String, _ n: SQLNames) -> String {
        if isBoundKeyword(text) { return text.uppercased() }
        if text.range(of: "^-?[0-9]{1,18}$", options: .regularExpression) != nil { return text }
        return n.literal(text)
    }

    static func isBoundKeyword(_ text: String) -> Bool { ["MINVALUE", "MAXVALUE"].contains(text.uppercased()) }

    /// Each range partition's lower bound: its own `from`, else the previous partition's `to`, MINVALUE first.
    func lowerBounds() -> [[String]] {
        var previous = Array(repeating: "MINVALUE", count: max(columns.count, 1))
        return partitions.map { partition in
            let from = partition.from.isEmpty ? previous : partition.from.map(\.value)
            if !partition.to.isEmpty { previous = partition.to.map(\.value) }
            return from
        }
    }

    /// The value the renderers spell.
    func definition(_ n: SQLNames) -> TableDefinition.Partitioning {
        let lows = lowerBounds()
        var parts = partitions.enumerated().map { i, p in
            TableDefinition.Partitioning.Partition(
                name: p.name.value, from: method == .range && !p.isDefault ? lows[i].map { Self.literal($0, n) } : [],
                to: p.to.map { Self.literal($0.value, n) }, values: p.values.map { Self.literal($0.value, n) },
                modulus: p.modulus.flatMap { Int($0.value) }, remainder: p.remainder.flatMap { Int($0.value) }, isDefault: p.isDefault)
        }
        // MySQL's KEY partitions take the rows by position: partition i holds the hash remainder i.
        if method == .hash && n.engine == .mysql { parts.sort { ($0.remainder ?? 0) < ($1.remainder ?? 0) } }
        return .init(method: .init(rawValue: method.rawValue) ?? .range, columns: columns.map(\.value), partitions: parts)
    }

    // MARK: checks

    /// CUT101 for a partitioning either engine would refuse (bounds that do not fit the method, a
    /// default partition MySQL lacks, a hash set MySQL cannot spell), CUT042 for a key column the table
    /// lacks, CUT044 for a partition name taken; CUT100 for a primary key or unique constraint without
    /// the partition key; CUT102 for a MySQL foreign key on the table. Returns the key's column keys.
    func check(_ rules: inout ReferenceRules, table: CreateTable) -> [String]? {
        let mysql = rules.schema.mysql
        guard declared else {
            rules.report(.partitionBounds, Message.partitionsWithoutMethod, at: location)
            return nil
        }
        if partitions.isEmpty { rules.report(.partitionBounds, Message.partitionsMissing(table.name.value), at: location) }
        var keyKnown = true
        for column in columns where !table.columns.contains(where: { rules.schema.columnKey($0.name.value) == rules.schema.columnKey(column.value) }) {
            let suggestion = Suggestion.closest(to: column.value, among: table.columns.map(\.name.value))
            rules.report(.unknownColumn, Message.unknownColumn(column.value, table: table.name.value, reason: nil, suggestion: suggestion), column)
            keyKnown = false
        }
        if method == .list && columns.count > 1 { rules.report(.partitionBounds, Message.listPartitionColumns, columns[1]) }
        var names: Set<String> = []
        var defaults = 0
        var previousTo: [String]? = nil
        for (offset, p) in partitions.enumerated() {
            if !names.insert(rules.schema.columnKey(p.name.value)).inserted || p.name.value == table.name.value {
                rules.report(.alreadyExists, Message.duplicateListed(p.name.value, list: "partitions"), p.name)
            } else if !mysql {
                _ = rules.claimTable(p.name)
            }
            if p.isDefault {
                defaults += 1
                if mysql { rules.report(.partitionBounds, Message.mysqlDefaultPartition(method.rawValue), at: p.location) }
                else if method == .hash { rules.report(.partitionBounds, Message.hashDefaultPartition, at: p.location) }
                else if defaults > 1 { rules.report(.partitionBounds, Message.secondDefaultPartition, at: p.location) }
                if let extra = (p.from + p.to + p.values).first ?? p.modulus ?? p.remainder {
                    rules.report(.partitionBounds, Message.defaultPartitionBounds, extra)
                }
                continue
            }
            let foreign: [Located<String>]
            switch method {
            case .range:
                foreign = p.values + [p.modulus, p.remainder].compactMap { $0 }
                if p.to.isEmpty { rules.report(.partitionBounds, Message.partitionNeeds(p.name.value, "to", method.rawValue), at: p.location) }
                for bound in [p.from, p.to] where !bound.isEmpty && bound.count != columns.count {
                    rules.report(.partitionBounds, Message.partitionBoundCount(bound.count, columns.count), bound[0])
                }
                if mysql, let first = p.from.first {
                    let expected = previousTo ?? Array(repeating: "MINVALUE", count: columns.count)
                    if p.from.map({ Self.literal($0.value, SQLNames(engine: .mysql)) }) != expected.map({ Self.literal($0, SQLNames(engine: .mysql)) }) {
                        rules.report(.partitionBounds, Message.mysqlRangeFrom(offset == 0 ? nil : partitions[offset - 1].name.value), first)
                    }
                }
                if let bad = p.to.first(where: { $0.value.uppercased() == "MINVALUE" }) { rules.report(.partitionBounds, Message.minvalueBound, bad) }
                if !p.to.isEmpty { previousTo = p.to.map(\.value) }
            case .list:
                foreign = p.from + p.to + [p.modulus, p.remainder].compactMap { $0 }
                if p.values.isEmpty { rules.report(.partitionBounds, Message.partitionNeeds(p.name.value, "values", method.rawValue), at: p.location) }
                if let bad = p.values.first(where: { Self.isBoundKeyword($0.value) }) { rules.report(.partitionBounds, Message.listKeyword, bad) }
            case .hash:
                foreign = p.from + p.to + p.values
                if let modulus = p.modulus, let remainder = p.remainder {
                    if let m = Int(modulus.value), let r = Int(remainder.value), r >= m {
                        rules.report(.partitionBounds, Message.hashRemainder(r, m), remainder)
                    }
                    if mysql, Int(modulus.value) != partitions.count {
                        rules.report(.partitionBounds, Message.mysqlHashModulus(partitions.count), modulus)
                    }
                } else {
                    rules.report(.partitionBounds, Message.partitionNeeds(p.name.value, "modulus and remainder", method.rawValue), at: p.location)
                }
            }
            if let first = foreign.first { rules.report(.partitionBounds, Message.partitionBoundForMethod(method.rawValue), first) }
        }
        if mysql && method == .hash {
            let remainders = Set(partitions.compactMap { $0.remainder.flatMap { Int($0.value) } })
            if remainders.count == partitions.count && remainders != Set(0..<partitions.count), let p = partitions.first {
                rules.report(.partitionBounds, Message.mysqlHashModulus(partitions.count), at: p.location)
            }
        }
        return keyKnown ? columns.map { rules.schema.columnKey($0.value) } : nil
    }
}

extension ReferenceRules {
    /// CUT100: a primary key or unique key on a partitioned table must include every partition key column
    /// (PostgreSQL and MySQL both refuse it otherwise: uniqueness is enforced per partition).
    mutating func checkPartitionKey(_ keys: [String], table: String, kind: String, at location: SourceLocation) {
        guard let partitionKey = schema.tables[table]?.partitionKey, !partitionKey.isEmpty else { return }
        let missing = partitionKey.filter { !keys.contains($0) }
        guard !missing.isEmpty else { return }
        let names = missing.map { schema.tables[table]?.columns[$0]?.name ?? $0 }
        report(.partitionKeyNotCovered, Message.partitionKeyNotCovered(kind, table: table, missing: names), at: location)
    }

    /// CUT102: a foreign key the engine cannot add on or to a partitioned table: MySQL has none on either
    /// side (InnoDB refuses them: 1506, errno 150); PostgreSQL 15 refuses NOT VALID on a partitioned
    /// table, and a validated ADD FOREIGN KEY would hold its lock while every partition is scanned.
    /// `declaredWithTable`: the key is part of a createTable (no NOT VALID needed: the table is new).
    mutating func checkPartitionedForeignKey(table: String, references: String, declaredWithTable: Bool, at location: SourceLocation) {
        let onPartitioned = schema.tables[table]?.partitionKey != nil
        let toPartitioned = schema.tables[references]?.partitionKey != nil
        if schema.mysql && (onPartitioned || toPartitioned) {
            report(.partitionedTableUnsupported, Message.mysqlPartitionedForeignKey(onPartitioned ? table : references, on: onPartitioned), at: location)
        } else if !schema.mysql && onPartitioned && !declaredWithTable {
            report(.partitionedTableUnsupported, Message.postgresPartitionedForeignKey(table), at: location)
        }
    }

    /// CUT102: PostgreSQL cannot add a unique constraint or primary key to a partitioned table from an
    /// index built concurrently (`ADD CONSTRAINT … USING INDEX` is refused there), and a plain ADD builds
    /// every partition's index under a lock that blocks writes.
    mutating func checkPostgresPartitionedConstraint(table: String, kind: String, at location: SourceLocation) {
        guard !schema.mysql, schema.tables[table]?.partitionKey != nil else { return }
        report(.partitionedTableUnsupported, Message.postgresPartitionedConstraint(kind, table: table), at: location)
    }
}

extension ReferenceRules {
    /// CUT102: a column replaced by a copy (renameColumn, a rewriting alterColumn) that is in the
    /// partition key (neither engine lets the old column be dropped or retyped then), or whose foreign
    /// keys the copy must carry NOT VALID onto a partitioned PostgreSQL table.
    mutating func checkPartitionedReplacedColumn(_ table: String, _ column: Name, by what: String, at value: Located<String>) {
        let key = schema.columnKey(column.value)
        guard let state = schema.tables[table] else { return }
        if let partitionKey = state.partitionKey, partitionKey.contains(key) {
            report(.partitionedTableUnsupported, Message.partitionKeyColumnReplaced(column.value, table: table, what: what), value)
            return
        }
        guard !schema.mysql else { return }
        let outgoing = state.partitionKey != nil ? schema.outgoingForeignKeys(table: table, columnKey: key) : []
        let incoming = schema.incomingForeignKeys(table: table, columnKey: key).filter { schema.tables[$0.table]?.partitionKey != nil }
        if let foreignKey = (outgoing + incoming).first {
            report(.partitionedTableUnsupported, Message.partitionedForeignKeyCarried(column.value, foreignKey: foreignKey.name, table: foreignKey.table, what: what), value)
        }
    }

    /// CUT102: dropping a foreign key, unique constraint or primary key of a partitioned PostgreSQL table,
    /// whose down would add it back NOT VALID or USING INDEX, both refused there.
    mutating func checkPostgresPartitionedDrop(table: String, kind: String, at location: SourceLocation) {
        guard !schema.mysql, schema.tables[table]?.partitionKey != nil else { return }
        report(.partitionedTableUnsupported, Message.postgresPartitionedDrop(kind, table: table), at: location)
    }
}

extension TablePartitioning {
    static let rules = [PartitionKeyNotCoveredRule.rule, PartitionBoundsRule.rule, PartitionedTableUnsupportedRule.rule]

    static let eventsPG = "    - createTable:\n        name: events\n        columns:\n          - {name: id, type: bigint}\n"
        + "          - {name: at, type: date, nullable: false}\n"

    static func eventsSpec(_ database: String, primaryKey: String, partitions: String, method: String = "range") -> String {
        Snippets.spec(database: database, changes: eventsPG + "        primaryKey: [\(primaryKey)]\n"
                      + "        partitionBy: {method: \(method), columns: [at]}\n        partitions:\n" + partitions)
    }

    static let rangePartitions = "          - {name: events_old, to: ['2026-01-01']}\n          - {name: events_new, to: [MAXVALUE]}\n"

    enum PartitionKeyNotCoveredRule: RuleUnit {
        static let rule = Rule(
            id: .partitionKeyNotCovered, name: "partition-key-not-covered", severity: .error, checkedBy: [.references],
            summary: "a primary key or unique key of a partitioned table lacks a partition key column",
            rationale: "Both engines enforce uniqueness within each partition only, so a primary key, unique constraint or unique index of a partitioned table must include every column of the partition key: PostgreSQL refuses it ('unique constraint on partitioned table must include all partitioning columns'), MySQL too (1503, 'A PRIMARY KEY must include all columns in the table's partitioning function'). The Job would fail mid-rollout; cutover refuses it when the spec is checked, for createTable, addPrimaryKey, addUnique, a unique createIndex and a unique addColumn, on a table the spec creates or one the schema file declares partitioned.",
            triggering: [RuleExample(eventsSpec(Snippets.pgDatabase, primaryKey: "id", partitions: rangePartitions)).expecting((22, 22))],
            nonTriggering: [RuleExample(eventsSpec(Snippets.pgDatabase, primaryKey: "id, at", partitions: rangePartitions))])
    }

    enum PartitionBoundsRule: RuleUnit {
        static let rule = Rule(
            id: .partitionBounds, name: "partition-bounds", severity: .error, checkedBy: [.references],
            summary: "partitions that do not fit the partitioning method or that the engine cannot declare",
            rationale: "A range partition needs 'to' (and takes 'from', default the previous partition's 'to'), a list partition 'values' (over one key column), a hash partition 'modulus' and 'remainder' (remainder < modulus); a bound names one value per key column, MINVALUE only in 'from', neither keyword in a list. PostgreSQL has one DEFAULT partition for range and list tables, none for hash. MySQL 8 declares partitions as RANGE COLUMNS 'VALUES LESS THAN', LIST COLUMNS and KEY: it has no DEFAULT partition (MariaDB has one for LIST only; use to: [MAXVALUE] for range), no lower bounds (a 'from' must be the previous partition's 'to'), and KEY partitions are a full set (modulus = the number of partitions, remainders 0 to n-1). The server would refuse the CREATE TABLE mid-rollout, so cutover refuses it when the spec is checked.",
            triggering: [RuleExample(eventsSpec(Snippets.mysqlDatabase, primaryKey: "id, at",
                                                partitions: "          - {name: events_old, to: ['2026-01-01']}\n          - {name: events_rest, default: true}\n")).expecting((26, 13))],
            nonTriggering: [RuleExample(eventsSpec(Snippets.mysqlDatabase, primaryKey: "id, at", partitions: rangePartitions))])
    }

    enum PartitionedTableUnsupportedRule: RuleUnit {
        static let rule = Rule(
            id: .partitionedTableUnsupported, name: "partitioned-table-unsupported", severity: .error, checkedBy: [.references],
            summary: "an operation the engine cannot run on (or towards) a partitioned table without blocking writes",
            rationale: "MySQL has no foreign keys on partitioned tables, in either direction (InnoDB refuses them: 1506 'Partitioned tables do not support FOREIGN KEY', errno 150 for one referencing a partitioned table). PostgreSQL 15 refuses a NOT VALID foreign key on a partitioned table ('not yet supported on partitioned tables'), and a validated one holds SHARE ROW EXCLUSIVE on every partition while all rows are scanned; it also refuses ADD CONSTRAINT … USING INDEX there, which is how addUnique and addPrimaryKey attach an index built concurrently. Declare the key in the table's createTable (new, empty: nothing waits), or add it per partition in an sql change. For the same reasons a drop of such a key (whose down would add it back so) is refused on PostgreSQL, and so is a rename or rewriting type change that would carry a foreign key NOT VALID onto a partitioned table; on both engines a partition key column cannot be replaced by a copy (the old column could be neither dropped nor retyped). createIndex, addColumn, addCheck (NOT VALID then VALIDATE, which PostgreSQL runs on every partition) and drops work on partitioned tables.",
            triggering: [RuleExample(Snippets.spec(database: Snippets.pgDatabase, changes: eventsPG + "        primaryKey: [id, at]\n"
                                                    + "        partitionBy: {method: range, columns: [at]}\n        partitions:\n" + rangePartitions
                                                    + "    - addUnique:\n        name: events_id_at_key\n        table: events\n        columns: [id, at]\n")).expecting((28, 15))],
            nonTriggering: [RuleExample(Snippets.spec(database: Snippets.pgDatabase, changes: eventsPG + "        primaryKey: [id, at]\n"
                                                       + "        partitionBy: {method: range, columns: [at]}\n        partitions:\n" + rangePartitions
                                                       + "    - createIndex:\n        name: events_at_idx\n        table: events\n        columns: [at]\n"))])
    }
}

extension RuleID {
    public static let partitionKeyNotCovered = RuleID("CUT100")
    public static let partitionBounds = RuleID("CUT101")
    public static let partitionedTableUnsupported = RuleID("CUT102")
}

extension Message {
    static func partitionKeyNotCovered(_ kind: String, table: String, missing: [String]) -> String {
        "the \(kind) of partitioned table '\(table)' lacks partition key column\(missing.count == 1 ? "" : "s") \(missing.map { "'\($0)'" }.joined(separator: ", ")): both engines enforce uniqueness per partition and refuse it; add \(missing.count == 1 ? "it" : "them") to the key"
    }
    static let partitionsWithoutMethod = "'partitions' needs 'partitionBy' (method and key columns)"
    static func partitionsMissing(_ table: String) -> String { "partitioned table '\(table)' needs 'partitions' (at least one)" }
    static let listPartitionColumns = "list partitioning takes one key column (PostgreSQL); partition by range or hash over several"
    static func mysqlDefaultPartition(_ method: String) -> String {
        method == "range" ? "MySQL has no DEFAULT partition: end the ranges with to: [MAXVALUE] instead"
            : "MySQL 8 has no DEFAULT partition (only MariaDB has one, for LIST): list every value, or partition by range or hash"
    }
    static let hashDefaultPartition = "a hash-partitioned table has no DEFAULT partition (PostgreSQL refuses it): every row has a remainder"
    static let secondDefaultPartition = "a partitioned table has at most one DEFAULT partition"
    static let defaultPartitionBounds = "a DEFAULT partition takes the rows no other one does: it has no bounds"
    static func partitionNeeds(_ name: String, _ field: String, _ method: String) -> String { "\(method) partition '\(name)' needs '\(field)'" }
    static func partitionBoundCount(_ count: Int, _ columns: Int) -> String {
        "a bound has \(count) value\(count == 1 ? "" : "s") but the partition key has \(columns) column\(columns == 1 ? "" : "s"): one value per key column"
    }
    static func mysqlRangeFrom(_ previous: String?) -> String {
        "MySQL range partitions have upper bounds only (VALUES LESS THAN): 'from' must be "
            + (previous.map { "partition '\($0)'s 'to'" } ?? "MINVALUE for the first partition") + "; leave it out"
    }
    static let minvalueBound = "MINVALUE is a lower bound ('from'); an upper bound ('to') of MINVALUE takes no rows"
    static let listKeyword = "MINVALUE and MAXVALUE are range bounds; a list partition names values"
    static func hashRemainder(_ remainder: Int, _ modulus: Int) -> String { "remainder \(remainder) is not less than modulus \(modulus)" }
    static func mysqlHashModulus(_ count: Int) -> String {
        "MySQL KEY partitioning takes rows by the hash modulo the number of partitions: give every partition modulus \(count) and the remainders 0 to \(count - 1)"
    }
    static func partitionBoundForMethod(_ method: String) -> String {
        "this bound does not belong to a \(method) partition (range: from/to, list: values, hash: modulus/remainder)"
    }
    static func mysqlPartitionedForeignKey(_ table: String, on: Bool) -> String {
        "MySQL has no foreign keys \(on ? "on" : "referencing") partitioned tables ('\(table)' is partitioned): InnoDB refuses it; enforce the reference in the application"
    }
    static func postgresPartitionedForeignKey(_ table: String) -> String {
        "'\(table)' is partitioned: PostgreSQL 15 refuses a NOT VALID foreign key there and a validated one blocks writes while every partition is scanned; declare it in the createTable, or add it per partition in an sql change"
    }
    static func partitionKeyColumnReplaced(_ column: String, table: String, what: String) -> String {
        "'\(column)' is in the partition key of '\(table)': \(what) copies it into a new column and drops or retypes the old one, which the server refuses for a partition key column"
    }
    static func partitionedForeignKeyCarried(_ column: String, foreignKey: String, table: String, what: String) -> String {
        "\(what) of '\(column)' moves foreign key '\(foreignKey)' of partitioned table '\(table)' to the new column NOT VALID, which PostgreSQL 15 refuses on a partitioned table; drop the key first in an sql change, or change the column in an sql change"
    }
    static func postgresPartitionedDrop(_ kind: String, table: String) -> String {
        "'\(table)' is partitioned: the down of dropping its \(kind) would add it back NOT VALID or USING INDEX, which PostgreSQL refuses on a partitioned table, so the drop could not be rolled back; drop it in an sql change"
    }
    static func postgresPartitionedConstraint(_ kind: String, table: String) -> String {
        "'\(table)' is partitioned: PostgreSQL refuses ADD CONSTRAINT … USING INDEX there, and a plain ADD \(kind) blocks writes while every partition's index is built; declare it in the createTable, or use a unique createIndex"
    }
}
