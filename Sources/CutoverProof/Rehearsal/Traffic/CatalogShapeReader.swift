import CutoverPlan
import Foundation

/// Reads the tables an app version knows from a live catalog: PostgreSQL's pg_catalog (tables of
/// the schemas in the search path) or MariaDB/MySQL's information_schema (the current database).
/// Everything is returned in a fixed order: tables by name (PostgreSQL: by search-path position,
/// then name), columns by position, constraint lists sorted.
public enum CatalogShapeReader {
    /// `tables`: only these (missing ones are left out); nil for every table.
    public static func read(engine: MigrationSpec.Engine, session: SQLSession, tables: [String]?) throws -> AppShape {
        switch engine {
        case .postgresql: return try readPostgres(session: session, tables: tables)
        case .mysql: return try readMariaDB(session: session, tables: tables)
        }
    }

    private final class Builder {
        var order: [String] = []
        var columns: [String: [ColumnShape]] = [:]
        var primaryKey: [String: [String]] = [:]
        var uniques: [String: [[String]]] = [:]
        var foreignKeys: [String: [ForeignKeyShape]] = [:]
        var checks: [String: [String]] = [:]
        var partitions: [String: PartitionShape] = [:]

        func shape() -> AppShape {
            AppShape(tables: order.map { name in
                var uniqueSets: [[String]] = []
                for set in uniques[name] ?? [] where set != primaryKey[name] && !uniqueSets.contains(set) { uniqueSets.append(set) }
                return TableShape(
                    name: name, columns: columns[name] ?? [], primaryKey: primaryKey[name] ?? [],
                    uniques: uniqueSets.sorted { $0.joined(separator: "\u{1}").utf8.lexicographicallyPrecedes($1.joined(separator: "\u{1}").utf8) },
                    foreignKeys: (foreignKeys[name] ?? []).reduce(into: [ForeignKeyShape]()) { if !$0.contains($1) { $0.append($1) } }.sorted { a, b in
                        (a.columns.joined(separator: ","), a.referencedTable) < (b.columns.joined(separator: ","), b.referencedTable)
                    },
                    checks: Array(Set(checks[name] ?? [])).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) },
                    partition: partitions[name])
            })
        }
    }

    static func stringList(_ json: String?) -> [String] {
        guard let json, let value = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [Any] else { return [] }
        return value.compactMap(TrafficSQL.string)
    }

    // MARK: PostgreSQL

    private static func readPostgres(session: SQLSession, tables: [String]?) throws -> AppShape {
        let listing = try TrafficSQL.rows(session.query("""
            SELECT json_build_array(c.oid::text, c.relname)::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
            WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname = ANY (current_schemas(false)) \
            ORDER BY array_position(current_schemas(false), n.nspname), c.relname
            """))
        let builder = Builder()
        var oids: [String] = []
        var seen = Set<String>()
        for row in listing {
            guard row.count == 2, let oid = row[0], let name = row[1] else { continue }
            // A name in a later search-path schema is shadowed by the first one, as for the app.
            guard !seen.contains(name), tables.map({ $0.contains(name) }) ?? true else { continue }
            seen.insert(name)
            oids.append(oid)
            builder.order.append(name)
        }
        guard !oids.isEmpty else { return AppShape(tables: []) }
        let oidList = "(" + oids.map { "\($0)::oid" }.joined(separator: ", ") + ")"

        for row in try TrafficSQL.rows(session.query("""
            SELECT json_build_array(c.relname, a.attname, format_type(a.atttypid, a.atttypmod), (NOT a.attnotnull)::text, \
            (a.atthasdef OR a.attidentity <> '')::text, \
            (a.attidentity <> '' OR a.attgenerated <> '' OR coalesce(pg_get_expr(d.adbin, d.adrelid), '') LIKE 'nextval(%')::text, \
            (SELECT json_agg(e.enumlabel ORDER BY e.enumsortorder)::text FROM pg_enum e \
             WHERE e.enumtypid = CASE t.typtype WHEN 'e' THEN t.oid WHEN 'd' THEN t.typbasetype ELSE t.typelem END), \
            CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) END)::text \
            FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_type t ON t.oid = a.atttypid \
            LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum \
            WHERE a.attrelid IN \(oidList) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY c.relname, a.attnum
            """)) where row.count == 8 {
            guard let table = row[0], let name = row[1], let type = row[2] else { continue }
            builder.columns[table, default: []].append(ColumnShape(
                name: name, dataType: type, nullable: row[3] == "true", hasDefault: row[4] == "true",
                generated: row[5] == "true", enumLabels: stringList(row[6]), baseType: row[7]))
        }

        /// The column names of an attnum array, in the array's order.
        func columnsOf(_ array: String, _ relation: String, _ extra: String = "") -> String {
            "(SELECT json_agg(a.attname ORDER BY k.o)::text FROM unnest(\(array)) WITH ORDINALITY k(n, o) " +
                "JOIN pg_attribute a ON a.attrelid = \(relation) AND a.attnum = k.n\(extra))"
        }
        // A partitioned table's rows live in its partitions: keys and foreign keys declared on a
        // partition (pg_dump writes them there when they were made there) hold for the rows the
        // table routes to it, so they are the table's as well (at worst that asks more of a row).
        // A partition's own check only holds for its share of the rows, so only the root's count.
        let tree = "WITH RECURSIVE tree(root, rel) AS (SELECT oid, oid FROM pg_class WHERE oid IN \(oidList) " +
            "UNION ALL SELECT tree.root, i.inhrelid FROM tree JOIN pg_inherits i ON i.inhparent = tree.rel " +
            "JOIN pg_class p ON p.oid = i.inhrelid AND p.relispartition) "
        for row in try TrafficSQL.rows(session.query("""
            \(tree)SELECT json_build_array(c.relname, con.contype::text, \(columnsOf("con.conkey", "con.conrelid")), fc.relname, \
            \(columnsOf("con.confkey", "con.confrelid")), CASE WHEN con.contype = 'c' THEN pg_get_constraintdef(con.oid) END, \
            (tree.rel = tree.root)::text)::text \
            FROM tree JOIN pg_constraint con ON con.conrelid = tree.rel JOIN pg_class c ON c.oid = tree.root \
            LEFT JOIN pg_class fc ON fc.oid = con.confrelid \
            WHERE con.contype IN ('p', 'u', 'f', 'c') AND (tree.rel = tree.root OR con.contype <> 'c') \
            ORDER BY c.relname, tree.rel = tree.root DESC, con.contype, con.conname
            """)) where row.count == 7 {
            guard let table = row[0], let kind = row[1] else { continue }
            let columns = stringList(row[2])
            let onRoot = row[6] == "true"
            switch kind {
            case "p" where onRoot: builder.primaryKey[table] = columns
            case "p", "u": builder.uniques[table, default: []].append(columns)
            case "f":
                guard let parent = row[3] else { continue }
                builder.foreignKeys[table, default: []].append(ForeignKeyShape(columns: columns, referencedTable: parent,
                                                                              referencedColumns: stringList(row[4])))
            case "c":
                if let definition = row[5] { builder.checks[table, default: []].append(checkExpression(definition)) }
            default: break
            }
        }
        // Unique indexes that back no constraint (CREATE UNIQUE INDEX): plain columns, not partial.
        for row in try TrafficSQL.rows(session.query("""
            \(tree)SELECT json_build_array(c.relname, \(columnsOf("x.indkey::int2[]", "x.indrelid", " WHERE k.o <= x.indnkeyatts")))::text \
            FROM tree JOIN pg_index x ON x.indrelid = tree.rel JOIN pg_class c ON c.oid = tree.root \
            WHERE x.indisunique AND NOT x.indisprimary AND x.indpred IS NULL AND x.indexprs IS NULL \
            AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid AND k.conrelid = x.indrelid)
            """)) where row.count == 2 {
            guard let table = row[0] else { continue }
            let columns = stringList(row[1])
            if !columns.isEmpty { builder.uniques[table, default: []].append(columns) }
        }
        try readDomains(session: session, oidList: oidList, builder: builder)
        try readPartitions(session: session, oidList: oidList, builder: builder)
        return builder.shape()
    }

    /// A column of a domain takes only what the domain's checks (and those of the domains under
    /// it) allow, and no NULL where one of them is NOT NULL: each check becomes a check of the
    /// table on that column (`VALUE` → the column), so the generators aim at it like at any other.
    private static func readDomains(session: SQLSession, oidList: String, builder: Builder) throws {
        let chain = "WITH RECURSIVE chain(root, t) AS (SELECT oid, oid FROM pg_type WHERE typtype = 'd' " +
            "UNION ALL SELECT chain.root, ty.typbasetype FROM chain JOIN pg_type ty ON ty.oid = chain.t WHERE ty.typtype = 'd') "
        for row in try TrafficSQL.rows(session.query("""
            \(chain)SELECT json_build_array(c.relname, a.attname, pg_get_constraintdef(con.oid), ty.typnotnull::text)::text \
            FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN chain ON chain.root = a.atttypid \
            JOIN pg_type ty ON ty.oid = chain.t LEFT JOIN pg_constraint con ON con.contypid = chain.t AND con.contype = 'c' \
            WHERE a.attrelid IN \(oidList) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY c.relname, a.attnum, con.conname
            """)) where row.count == 4 {
            guard let table = row[0], let column = row[1] else { continue }
            if let definition = row[2] {
                builder.checks[table, default: []].append(domainCheck(definition, column: column))
            }
            if row[3] == "true", let index = builder.columns[table]?.firstIndex(where: { $0.name == column }) {
                builder.columns[table]?[index].nullable = false
            }
        }
    }

    /// A domain's `CHECK ((VALUE >= 1901))` as a check on `column`: `("release_year" >= 1901)`.
    static func domainCheck(_ definition: String, column: String) -> String {
        let expression = Array(checkExpression(definition))
        let name = PostgresIdentifier.quote(column)
        var out = ""
        var inString = false
        var index = 0
        func isWord(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "_" || c == "$" }
        while index < expression.count {
            let c = expression[index]
            if c == "'" { inString.toggle() }
            if !inString, c == "V", index + 5 <= expression.count, String(expression[index..<index + 5]) == "VALUE",
               index == 0 || !isWord(expression[index - 1]) && expression[index - 1] != "\"",
               index + 5 == expression.count || !isWord(expression[index + 5]) && expression[index + 5] != "\"" {
                out += name
                index += 5
                continue
            }
            out.append(c)
            index += 1
        }
        return out
    }

    /// The partition key and the bounds of every partition of each partitioned table.
    private static func readPartitions(session: SQLSession, oidList: String, builder: Builder) throws {
        for row in try TrafficSQL.rows(session.query("""
            SELECT json_build_array(c.relname, pt.partstrat::text, pt.partnatts::text, \
            (SELECT json_agg(a.attname ORDER BY k.o) FROM unnest(pt.partattrs::int2[]) WITH ORDINALITY k(n, o) \
             JOIN pg_attribute a ON a.attrelid = pt.partrelid AND a.attnum = k.n), \
            (SELECT json_agg(pg_get_expr(p.relpartbound, p.oid) ORDER BY p.relname) FROM pg_inherits i \
             JOIN pg_class p ON p.oid = i.inhrelid WHERE i.inhparent = c.oid AND p.relispartition))::text \
            FROM pg_partitioned_table pt JOIN pg_class c ON c.oid = pt.partrelid WHERE pt.partrelid IN \(oidList)
            """)) where row.count == 5 {
            guard let table = row[0], let strategyCode = row[1] else { continue }
            let strategy: PartitionShape.Strategy
            switch strategyCode {
            case "r": strategy = .range
            case "l": strategy = .list
            default: strategy = .hash
            }
            let keyColumns = stringList(row[3])
            let column = row[2] == "1" && keyColumns.count == 1 ? keyColumns[0] : nil
            var partition = PartitionShape(strategy: strategy, column: column)
            for bound in stringList(row[4]) { partition.add(bound: bound) }
            builder.partitions[table] = partition
        }
    }

    /// `CHECK ((price > 0)) NOT VALID` → `(price > 0)`.
    static func checkExpression(_ definition: String) -> String {
        var text = definition.trimmingCharacters(in: .whitespaces)
        if text.hasPrefix("CHECK ") { text.removeFirst(6) }
        if text.hasSuffix(" NOT VALID") { text.removeLast(10) }
        if text.hasSuffix(" NO INHERIT") { text.removeLast(11) }
        return text.trimmingCharacters(in: .whitespaces)
    }

    // MARK: MariaDB / MySQL

    private static func readMariaDB(session: SQLSession, tables: [String]?) throws -> AppShape {
        let builder = Builder()
        let names = try TrafficSQL.rows(session.query("""
            SELECT JSON_ARRAY(TABLE_NAME) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE'
            """)).compactMap { $0.first ?? nil }.filter { name in tables.map { $0.contains(name) } ?? true }
        builder.order = names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        guard !names.isEmpty else { return AppShape(tables: []) }
        let wanted = Set(names)

        for row in try TrafficSQL.rows(session.query("""
            SELECT JSON_ARRAY(TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, EXTRA, IS_GENERATED) \
            FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME, ORDINAL_POSITION
            """)) where row.count == 7 {
            guard let table = row[0], wanted.contains(table), let name = row[1], let type = row[2] else { continue }
            let extra = (row[5] ?? "").lowercased()
            let autoIncrement = extra.contains("auto_increment")
            let generated = autoIncrement || row[6] == "ALWAYS" || extra.contains("generated")
            let defaultValue = row[4]
            builder.columns[table, default: []].append(ColumnShape(
                name: name, dataType: type, nullable: row[3] == "YES",
                hasDefault: autoIncrement || (defaultValue != nil && defaultValue != "NULL"),
                generated: generated, enumLabels: enumLabels(type)))
        }
        var indexes: [String: [String: [String]]] = [:]
        for row in try TrafficSQL.rows(session.query("""
            SELECT JSON_ARRAY(TABLE_NAME, INDEX_NAME, COLUMN_NAME) FROM information_schema.STATISTICS \
            WHERE TABLE_SCHEMA = DATABASE() AND NON_UNIQUE = 0 ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX
            """)) where row.count == 3 {
            guard let table = row[0], wanted.contains(table), let index = row[1] else { continue }
            // A functional key part (MySQL 8) has no column name: the set is not plain columns.
            indexes[table, default: [:]][index, default: []].append(row[2] ?? "\u{0}")
        }
        for (table, byName) in indexes {
            for (name, columns) in byName where !columns.contains("\u{0}") {
                if name == "PRIMARY" { builder.primaryKey[table] = columns } else { builder.uniques[table, default: []].append(columns) }
            }
        }
        var foreign: [String: [String: (columns: [String], parent: String, parentColumns: [String])]] = [:]
        for row in try TrafficSQL.rows(session.query("""
            SELECT JSON_ARRAY(TABLE_NAME, CONSTRAINT_NAME, COLUMN_NAME, REFERENCED_TABLE_NAME, REFERENCED_COLUMN_NAME) \
            FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = DATABASE() AND REFERENCED_TABLE_NAME IS NOT NULL \
            ORDER BY TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION
            """)) where row.count == 5 {
            guard let table = row[0], wanted.contains(table), let name = row[1], let column = row[2],
                  let parent = row[3], let parentColumn = row[4] else { continue }
            var entry = foreign[table, default: [:]][name] ?? ([], parent, [])
            entry.columns.append(column)
            entry.parentColumns.append(parentColumn)
            foreign[table, default: [:]][name] = entry
        }
        for (table, byName) in foreign {
            builder.foreignKeys[table] = byName.values.map {
                ForeignKeyShape(columns: $0.columns, referencedTable: $0.parent, referencedColumns: $0.parentColumns)
            }
        }
        // MariaDB names the table in CHECK_CONSTRAINTS (constraint names are per table there); MySQL 8 does not.
        let checkRows: [[String?]]
        do {
            checkRows = try TrafficSQL.rows(session.query("""
                SELECT JSON_ARRAY(TABLE_NAME, CHECK_CLAUSE) FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE()
                """))
        } catch {
            checkRows = try TrafficSQL.rows(session.query("""
                SELECT JSON_ARRAY(tc.TABLE_NAME, cc.CHECK_CLAUSE) FROM information_schema.CHECK_CONSTRAINTS cc \
                JOIN information_schema.TABLE_CONSTRAINTS tc ON tc.CONSTRAINT_SCHEMA = cc.CONSTRAINT_SCHEMA \
                AND tc.CONSTRAINT_NAME = cc.CONSTRAINT_NAME AND tc.CONSTRAINT_TYPE = 'CHECK' WHERE cc.CONSTRAINT_SCHEMA = DATABASE()
                """))
        }
        for row in checkRows where row.count == 2 {
            guard let table = row[0], wanted.contains(table), let clause = row[1] else { continue }
            builder.checks[table, default: []].append(clause)
        }
        return builder.shape()
    }

    /// The labels of `enum('a','b''c')` / `set(...)` as MariaDB prints the column type.
    static func enumLabels(_ type: String) -> [String] {
        let lower = type.lowercased()
        guard lower.hasPrefix("enum(") || lower.hasPrefix("set(") else { return [] }
        var labels: [String] = []
        var current = ""
        var inside = false
        let characters = Array(type.drop { $0 != "(" }.dropFirst())
        var index = 0
        while index < characters.count {
            let c = characters[index]
            if inside {
                if c == "'" {
                    if index + 1 < characters.count && characters[index + 1] == "'" { current.append("'"); index += 1 } else {
                        labels.append(current); current = ""; inside = false
                    }
                } else if c == "\\" && index + 1 < characters.count {
                    current.append(characters[index + 1]); index += 1
                } else {
                    current.append(c)
                }
            } else if c == "'" {
                inside = true
            }
            index += 1
        }
        return labels
    }
}
