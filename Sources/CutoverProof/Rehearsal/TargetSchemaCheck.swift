import CutoverPlan
import Foundation

/// After the last forward stage the rehearsal plays (contract; purge and cleanup are not played), holds
/// the live tables of the base schema (PostgreSQL) or database (MySQL) against what the spec means
/// (`SpecTargetSchema`, Validation's model of the base schema with the changes applied), so a lowering
/// that leaves an index on a quarantined column or forgets a column fails the rehearsal (issue #14).
///
/// Compared: the set of tables; per table its columns (cutover's own `_cutover_*` columns, which
/// contract keeps until purge, left out), their nullability and their types as the server normalises
/// them (the spec's type is created in a scratch table and read back); the indexes and keys by name,
/// with uniqueness, plain key columns and whether they are partial. Whatever the model does not know
/// (a table after a `sql` change, an index renamed from an unknown one, an expression key, a column the
/// model renamed under an index's keys) is skipped and counted. Finally no index, constraint, view or
/// trigger of a user table may name a quarantined (`_cutover_…`) column, except an index or check that
/// only names columns the spec drops (it is quarantined with them, for the rollback, until purge).
struct TargetSchemaCheck {
    var target: SpecTargetSchema
    var engine: MigrationSpec.Engine
    /// PostgreSQL: the schema whose tables are compared (`database.schemaName`).
    var schemaName: String
    /// Quarantine names of the columns a dropColumn retires, per table.
    var retired: [String: Set<String>]

    struct LiveIndex {
        var name: String
        var unique: Bool
        var primary: Bool
        /// Key columns; nil for a key that is an expression.
        var keys: [String?]
        var predicate: String?
        var definition: String
    }

    struct Live {
        var tables: [String] = []
        var partitions: Set<String> = []
        /// Each partitioned table's partitions (PostgreSQL: a partition is a table; MySQL: information_schema.PARTITIONS,
        /// whose names are per table).
        var partitionsOf: [String: [String]] = [:]
        var columns: [String: [(name: String, type: String, nullable: Bool)]] = [:]
        var indexes: [String: [LiveIndex]] = [:]
        /// MySQL: each table's foreign keys (name, columns in order), whose indexes the server makes.
        var foreignKeys: [String: [(name: String, columns: [String])]] = [:]
        /// Definitions of constraints, views and triggers, with what they belong to, for the quarantine check.
        var definitions: [(owner: String, what: String, text: String)] = []
    }

    struct Outcome {
        var problems: [String] = []
        var skipped: [String] = []
        var compared = (tables: 0, columns: 0, indexes: 0)
    }

    static func isInternal(_ name: String) -> Bool { name.hasPrefix("_cutover_") }

    init(plan: MigrationPlan) {
        target = SpecTargetSchema(spec: plan.spec, schema: plan.schema) ?? SpecTargetSchema.empty
        engine = plan.spec.database.engine
        schemaName = plan.spec.database.schemaName
        let derived = LoweringContext(spec: plan.spec, schema: plan.schema).derived
        retired = target.droppedColumns.mapValues { Set($0.map(derived.quarantine)) }
    }

    /// Runs the comparison on `session` (the app's session on the base schema or database).
    func run(_ session: SQLSession) throws -> Outcome {
        let live = try engine == .postgresql ? readPostgres(session) : readMariaDB(session)
        let types = try normalisedTypes(session)
        return compare(live, types: types)
    }

    func compare(_ live: Live, types: [String: String]) -> Outcome {
        var outcome = Outcome()
        let key = target.columnKey
        let liveTables = live.tables.filter { !Self.isInternal($0) }
        let liveByKey = Dictionary(liveTables.map { (key($0), $0) }, uniquingKeysWith: { a, _ in a })
        // PostgreSQL: the model keeps another schema's tables under `schema.table` (the spec's schema's
        // are bare), and the live side reads the spec's schema only: a spec never changes those.
        let others = engine == .postgresql ? target.tables.filter { $0.name.contains(".") } : []
        let targetTables = others.isEmpty ? target.tables : target.tables.filter { !$0.name.contains(".") }
        if !others.isEmpty {
            outcome.skipped.append("tables of other schemas than \(schemaName) (\(others.map(\.name).joined(separator: ", ")))")
        }
        let modelByKey = Dictionary(targetTables.map { (key($0.name), $0) }, uniquingKeysWith: { a, _ in a })
        if target.tablesKnown {
            for table in targetTables where liveByKey[key(table.name)] == nil {
                outcome.problems.append("table \(table.name): expected (the spec's target has it), found no such table")
            }
            for table in liveTables where modelByKey[key(table)] == nil {
                // A partition createTable made: the model keeps the partitioned table, not its partitions,
                // which are compared with the createTable's list below.
                if live.partitions.contains(table), let parent = live.partitionsOf.first(where: { $0.value.contains(table) })?.key,
                   target.createdPartitions[parent]?.contains(where: { key($0) == key(table) }) == true {
                    continue
                }
                outcome.problems.append("table \(table): not expected (the spec's target has no such table), found it")
            }
        } else {
            outcome.skipped.append("the set of tables (a `sql` change or no schema file: the model does not know every table)")
        }
        // The partitions a createTable declares, by name, on their partitioned table.
        for (table, expected) in target.createdPartitions.sorted(by: { $0.key < $1.key }) {
            guard let name = liveByKey[key(table)] else { continue }
            let found = Set((live.partitionsOf[name] ?? []).map(key))
            let missing = expected.filter { !found.contains(key($0)) }
            let extra = found.subtracting(expected.map(key)).sorted()
            if !missing.isEmpty || !extra.isEmpty {
                outcome.problems.append("partitions of \(table): expected \(expected.joined(separator: ", ")) (its createTable lists them), found "
                    + (found.isEmpty ? "none" : found.sorted().joined(separator: ", ")))
            }
        }
        for table in targetTables {
            guard let name = liveByKey[key(table.name)] else { continue }
            outcome.compared.tables += 1
            if live.partitions.contains(name) {
                // A partition takes its columns and indexes from its parent, which is compared; the
                // model does not carry a parent's changes to the partitions of the schema file.
                outcome.skipped.append("columns and indexes of partition \(name) (its parent's are compared)")
            } else {
                compareColumns(table, live: live.columns[name] ?? [], types: types, into: &outcome)
                compareIndexes(table, live: live.indexes[name] ?? [], foreignKeys: live.foreignKeys[name] ?? [], into: &outcome)
            }
        }
        // Nothing of a user table may still name a quarantined column after contract.
        for table in liveTables {
            let quarantined = (live.columns[table] ?? []).map(\.name).filter(Self.isInternal)
            let retiredHere = retired[table] ?? []
            // cutover's own quarantined copies (`_cutover_<migration>_<name>`) of the indexes and constraints
            // on a column it quarantines stay with that column for the rollback, until purge.
            for index in live.indexes[table] ?? [] where !Self.isInternal(index.name) {
                let named = quarantined.filter { ColumnKind.mentions(index.definition, $0) }
                if !named.isEmpty && !Set(named).isSubset(of: retiredHere) {
                    outcome.problems.append("index \(index.name) on \(table): names the quarantined column\(named.count == 1 ? "" : "s") \(named.joined(separator: ", ")) after contract (expected the final columns): \(index.definition)")
                }
            }
            for definition in live.definitions where definition.owner == table {
                let kept = !definition.what.hasPrefix("view") && !definition.what.hasPrefix("trigger")
                    && Self.isInternal(String(definition.what.split(separator: " ").last ?? ""))
                if kept { continue }
                let named = quarantined.filter { ColumnKind.mentions(definition.text, $0) }
                let retiredOnly = Set(named).isSubset(of: retiredHere) && !definition.what.hasPrefix("view") && !definition.what.hasPrefix("trigger")
                if !named.isEmpty && !retiredOnly {
                    outcome.problems.append("\(definition.what) on \(table): names the quarantined column\(named.count == 1 ? "" : "s") \(named.joined(separator: ", ")) after contract: \(definition.text.prefix(300))")
                }
            }
        }
        let allQuarantined = liveTables.flatMap { table in (live.columns[table] ?? []).map(\.name).filter(Self.isInternal) }
        for definition in live.definitions where definition.owner == "*" {
            let named = Array(Set(allQuarantined.filter { ColumnKind.mentions(definition.text, $0) })).sorted()
            if !named.isEmpty {
                outcome.problems.append("\(definition.what): names the quarantined column\(named.count == 1 ? "" : "s") \(named.joined(separator: ", ")) after contract: \(definition.text.prefix(300))")
            }
        }
        return outcome
    }

    private func compareColumns(_ table: SpecTargetSchema.Table, live: [(name: String, type: String, nullable: Bool)],
                                types: [String: String], into outcome: inout Outcome) {
        let key = target.columnKey
        let user = live.filter { !Self.isInternal($0.name) }
        let liveByKey = Dictionary(user.map { (key($0.name), $0) }, uniquingKeysWith: { a, _ in a })
        if table.columnsKnown {
            let expected = Set(table.columns.map { key($0.name) })
            for column in table.columns where liveByKey[key(column.name)] == nil {
                outcome.problems.append("column \(table.name).\(column.name): expected, found no such column (found: \(user.map(\.name).joined(separator: ", ")))")
            }
            for column in user where !expected.contains(key(column.name)) {
                outcome.problems.append("column \(table.name).\(column.name): not expected (the spec's target has no such column), found it")
            }
        } else {
            outcome.skipped.append("the columns of \(table.name) (not all known)")
        }
        for column in table.columns {
            guard let found = liveByKey[key(column.name)] else { continue }
            outcome.compared.columns += 1
            if let nullable = column.nullable, nullable != found.nullable {
                outcome.problems.append("column \(table.name).\(column.name): expected \(nullable ? "NULL allowed" : "NOT NULL"), found \(found.nullable ? "NULL allowed" : "NOT NULL")")
            }
            if let type = column.type {
                if let normalised = types[type] {
                    if normalised != found.type {
                        outcome.problems.append("column \(table.name).\(column.name): expected type \(normalised) (the spec's \(type)), found \(found.type)")
                    }
                } else {
                    outcome.skipped.append("the type of \(table.name).\(column.name) (\(type): the server did not take it in a scratch table)")
                }
            }
        }
    }

    private func compareIndexes(_ table: SpecTargetSchema.Table, live: [LiveIndex], foreignKeys: [(name: String, columns: [String])],
                                into outcome: inout Outcome) {
        guard table.indexesKnown else {
            outcome.skipped.append("the indexes of \(table.name) (not all known)")
            return
        }
        let mysql = engine == .mysql
        func indexKey(_ name: String) -> String { mysql ? name.lowercased() : name }
        let key = target.columnKey
        let finalColumns = Set(table.columns.map { key($0.name) })
        var liveByName = Dictionary(live.map { (indexKey($0.name), $0) }, uniquingKeysWith: { a, _ in a })
        for index in table.indexes {
            // MySQL names a table's primary key PRIMARY whatever the dump or spec called it.
            let name = mysql && index.kind == "primary key" ? "primary" : indexKey(index.name)
            guard let found = liveByName.removeValue(forKey: name) else {
                // MySQL makes a foreign key's index only where no index leads with its columns: the model
                // adds it in spec order, while complete adds the key after expand's createIndex on them.
                let leading = index.columns.map(key)
                if mysql, index.unique != true, !leading.isEmpty,
                   (table.foreignKeys + foreignKeys).contains(where: { indexKey($0.name) == name }),
                   live.contains(where: { Array($0.keys.compactMap { $0 }.map(key).prefix(leading.count)) == leading }) {
                    continue
                }
                outcome.problems.append("\(index.kind) \(index.name) on \(table.name): expected (on \(index.columns.joined(separator: ", "))), found no such index")
                continue
            }
            outcome.compared.indexes += 1
            if let unique = index.unique, unique != found.unique {
                outcome.problems.append("\(index.kind) \(index.name) on \(table.name): expected \(unique ? "unique" : "not unique"), found \(found.unique ? "unique" : "not unique")")
            }
            if let partial = index.partial, partial != (found.predicate != nil) {
                outcome.problems.append("\(index.kind) \(index.name) on \(table.name): expected \(partial ? "a partial index (WHERE \(index.predicate ?? "…"))" : "no WHERE"), found \(found.predicate.map { "WHERE \($0)" } ?? "no WHERE")")
            }
            let plain = found.keys.compactMap { $0 }
            if index.columns.isEmpty || plain.count != found.keys.count || !index.columns.allSatisfy(finalColumns.contains) {
                // An expression key, an index renamed from one the model did not know, or a column the
                // model renamed under the index: its key columns are not known here.
                if plain.count == found.keys.count, let named = plain.first(where: { Self.isInternal($0) && !(retired[table.name] ?? []).contains($0) }) {
                    outcome.problems.append("\(index.kind) \(index.name) on \(table.name): its key \(named) is a quarantined column (found \(found.definition))")
                }
                continue
            }
            if index.columns.map(key) != plain.map(key) {
                outcome.problems.append("\(index.kind) \(index.name) on \(table.name): expected on (\(index.columns.joined(separator: ", "))), found on (\(plain.joined(separator: ", ")))")
            }
        }
        for (_, extra) in liveByName.sorted(by: { $0.key < $1.key }) {
            if Self.isInternal(extra.name) { continue }
            // MySQL makes an index for a foreign key no index leads with, named after the key (the
            // model does not list every foreign key, e.g. an addColumn's `references`: the live ones count).
            let keys = extra.keys.compactMap { $0 }.map(key)
            if mysql, !extra.unique, (table.foreignKeys + foreignKeys).contains(where: { indexKey($0.name) == indexKey(extra.name) || (!$0.columns.isEmpty && keys == $0.columns.map(key)) }) {
                continue
            }
            // A primary key the model knows by its columns only (a table a `sql` change created).
            if extra.primary, !table.primaryKey.isEmpty, keys == table.primaryKey.map(key), !table.indexes.contains(where: { $0.kind == "primary key" }) {
                outcome.compared.indexes += 1
                continue
            }
            // A unique key the model knows by its columns only (addColumn's or createTable's `unique: true`).
            if extra.unique, extra.predicate == nil, keys.count == extra.keys.count, table.uniqueSets.contains(Set(keys)) {
                outcome.compared.indexes += 1
                continue
            }
            outcome.problems.append("index \(extra.name) on \(table.name): not expected (the spec's target has no such index), found \(extra.definition)")
        }
    }

    // MARK: types

    /// Each type the model names, as the server writes it back for a column of a scratch table of that
    /// type (PostgreSQL format_type, MariaDB COLUMN_TYPE); a type the server refuses is left out.
    private func normalisedTypes(_ session: SQLSession) throws -> [String: String] {
        let types = Array(Set(target.tables.flatMap { $0.columns.compactMap(\.type) })).sorted()
        guard !types.isEmpty else { return [:] }
        var result: [String: String] = [:]
        // All at once first; a refused type makes the batch fail, and then each is probed alone.
        if let all = try? probe(types, session) { return all }
        for type in types { if let one = try? probe([type], session) { result.merge(one) { a, _ in a } } }
        return result
    }

    private func probe(_ types: [String], _ session: SQLSession) throws -> [String: String] {
        let table = "_cutover_type_probe_\(ProcessInfo.processInfo.processIdentifier)"
        // MySQL refuses AUTO_INCREMENT on a column that is no key; it does not change the column's type.
        let columns = types.enumerated().map { entry in
            "c\(entry.offset) " + (engine == .mysql ? entry.element.replacingOccurrences(of: "auto_increment", with: "", options: .caseInsensitive) : entry.element)
        }.joined(separator: ", ")
        var result: [String: String] = [:]
        if engine == .postgresql {
            try session.execute("CREATE TEMPORARY TABLE \(table) (\(columns))")
            defer { try? session.execute("DROP TABLE IF EXISTS pg_temp.\(table)") }
            for row in try TrafficSQL.rows(session.query("""
                SELECT json_build_array(a.attname, format_type(a.atttypid, a.atttypmod))::text FROM pg_attribute a \
                WHERE a.attrelid = 'pg_temp.\(table)'::regclass AND a.attnum > 0 AND NOT a.attisdropped
                """)) where row.count == 2 {
                if let name = row[0], let index = Int(name.dropFirst()), index < types.count, let type = row[1] { result[types[index]] = type }
            }
        } else {
            // MariaDB lists no temporary table in information_schema: a real one, dropped at once.
            try session.execute("CREATE TABLE \(table) (\(columns))")
            defer { try? session.execute("DROP TABLE IF EXISTS \(table)") }
            for row in try TrafficSQL.rows(session.query("""
                SELECT JSON_ARRAY(COLUMN_NAME, COLUMN_TYPE) FROM information_schema.COLUMNS \
                WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '\(table)'
                """)) where row.count == 2 {
                if let name = row[0], let index = Int(name.dropFirst()), index < types.count, let type = row[1] { result[types[index]] = type }
            }
        }
        return result
    }

    // MARK: catalogs

    private func readPostgres(_ session: SQLSession) throws -> Live {
        var live = Live()
        // The spec's schema by name, not the session's first: a search_path that found another
        // schema first (the default one, with `public`) would compare the wrong tables.
        let schema = "n.nspname = \(PostgresIdentifier.literal(schemaName))"
        for row in try TrafficSQL.rows(session.query("""
            SELECT json_build_array(c.relname, c.relispartition::text)::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
            WHERE \(schema) AND c.relkind IN ('r', 'p') ORDER BY c.relname
            """)) where row.count == 2 {
            guard let name = row[0] else { continue }
            live.tables.append(name)
            if row[1] == "true" { live.partitions.insert(name) }
        }
        for row in try TrafficSQL.rows(session.query("""
            SELECT json_build_array(c.relname, p.relname)::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid \
            JOIN pg_class p ON p.oid = i.inhparent JOIN pg_namespace n ON n.oid = c.relnamespace WHERE \(schema) AND c.relispartition ORDER BY c.relname
            """)) where row.count == 2 {
            if let name = row[0], let parent = row[1] { live.partitionsOf[parent, default: []].append(name) }
        }
        for row in try TrafficSQL.rows(session.query("""
            SELECT json_build_array(c.relname, a.attname, format_type(a.atttypid, a.atttypmod), (NOT a.attnotnull)::text)::text \
            FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
            WHERE \(schema) AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped ORDER BY c.relname, a.attnum
            """)) where row.count == 4 {
            guard let table = row[0], let name = row[1], let type = row[2] else { continue }
            live.columns[table, default: []].append((name, type, row[3] == "true"))
        }
        // Each key: its column, or null for an expression (attnum 0).
        for row in try TrafficSQL.rows(session.query("""
            SELECT json_build_array(c.relname, i.relname, x.indisunique::text, x.indisprimary::text, \
            (SELECT json_agg(a.attname ORDER BY k.o) FROM unnest(x.indkey::int2[]) WITH ORDINALITY k(n, o) \
             LEFT JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.n WHERE k.o <= x.indnkeyatts), \
            pg_get_expr(x.indpred, x.indrelid), pg_get_indexdef(x.indexrelid))::text \
            FROM pg_index x JOIN pg_class c ON c.oid = x.indrelid JOIN pg_class i ON i.oid = x.indexrelid \
            JOIN pg_namespace n ON n.oid = c.relnamespace WHERE \(schema) ORDER BY c.relname, i.relname
            """)) where row.count == 7 {
            guard let table = row[0], let name = row[1] else { continue }
            let keys = (try? JSONSerialization.jsonObject(with: Data((row[4] ?? "[]").utf8)) as? [Any]) ?? []
            live.indexes[table, default: []].append(LiveIndex(name: name, unique: row[2] == "true", primary: row[3] == "true",
                                                              keys: keys.map { $0 as? String }, predicate: row[5], definition: row[6] ?? ""))
        }
        for row in try TrafficSQL.rows(session.query("""
            SELECT json_build_array(c.relname, 'constraint ' || con.conname, pg_get_constraintdef(con.oid))::text \
            FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE \(schema) \
            UNION ALL SELECT json_build_array(c.relname, 'trigger ' || t.tgname, pg_get_triggerdef(t.oid) || ' ' || p.prosrc)::text \
            FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_proc p ON p.oid = t.tgfoid JOIN pg_namespace n ON n.oid = c.relnamespace \
            WHERE \(schema) AND NOT t.tgisinternal \
            UNION ALL SELECT json_build_array('*', 'view ' || v.relname, pg_get_viewdef(v.oid))::text \
            FROM pg_class v JOIN pg_namespace n ON n.oid = v.relnamespace WHERE \(schema) AND v.relkind IN ('v', 'm')
            """)) where row.count == 3 {
            guard let table = row[0], let what = row[1], let text = row[2] else { continue }
            live.definitions.append((table, what, text))
        }
        return live
    }

    private func readMariaDB(_ session: SQLSession) throws -> Live {
        var live = Live()
        for row in try TrafficSQL.rows(session.query("""
            SELECT JSON_ARRAY(TABLE_NAME) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME
            """)) {
            if let name = row.first ?? nil { live.tables.append(name) }
        }
        for row in try TrafficSQL.rows(session.query("""
            SELECT JSON_ARRAY(PARTITION_NAME, TABLE_NAME) FROM information_schema.PARTITIONS \
            WHERE TABLE_SCHEMA = DATABASE() AND PARTITION_NAME IS NOT NULL ORDER BY TABLE_NAME, PARTITION_ORDINAL_POSITION
            """)) where row.count == 2 {
            if let name = row[0], let table = row[1] { live.partitionsOf[table, default: []].append(name) }
        }
        for row in try TrafficSQL.rows(session.query("""
            SELECT JSON_ARRAY(TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE) FROM information_schema.COLUMNS \
            WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME, ORDINAL_POSITION
            """)) where row.count == 4 {
            guard let table = row[0], let name = row[1], let type = row[2] else { continue }
            live.columns[table, default: []].append((name, type, row[3] == "YES"))
        }
        var order: [String: [String]] = [:]
        var found: [String: [String: LiveIndex]] = [:]
        for row in try TrafficSQL.rows(session.query("""
            SELECT JSON_ARRAY(TABLE_NAME, INDEX_NAME, NON_UNIQUE, COLUMN_NAME) FROM information_schema.STATISTICS \
            WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX
            """)) where row.count == 4 {
            guard let table = row[0], let name = row[1] else { continue }
            if found[table]?[name] == nil {
                order[table, default: []].append(name)
                found[table, default: [:]][name] = LiveIndex(name: name, unique: row[2] == "0", primary: name == "PRIMARY", keys: [], predicate: nil, definition: "")
            }
            found[table]?[name]?.keys.append(row[3])
        }
        for (table, names) in order {
            live.indexes[table] = names.compactMap { name in
                guard var index = found[table]?[name] else { return nil }
                index.definition = "\(index.unique ? "UNIQUE " : "")KEY \(name) (\(index.keys.map { $0 ?? "(expression)" }.joined(separator: ", ")))"
                return index
            }
        }
        for row in try TrafficSQL.rows(session.query("""
            SELECT JSON_ARRAY(TABLE_NAME, CONSTRAINT_NAME, COLUMN_NAME) FROM information_schema.KEY_COLUMN_USAGE \
            WHERE TABLE_SCHEMA = DATABASE() AND REFERENCED_TABLE_NAME IS NOT NULL ORDER BY TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION
            """)) where row.count == 3 {
            guard let table = row[0], let name = row[1], let column = row[2] else { continue }
            if let last = live.foreignKeys[table]?.indices.last, live.foreignKeys[table]?[last].name == name {
                live.foreignKeys[table]?[last].columns.append(column)
            } else {
                live.foreignKeys[table, default: []].append((name, [column]))
            }
        }
        for row in try TrafficSQL.rows(session.query("""
            SELECT JSON_ARRAY(TABLE_NAME, CONCAT('check ', CONSTRAINT_NAME), CHECK_CLAUSE) FROM information_schema.CHECK_CONSTRAINTS \
            WHERE CONSTRAINT_SCHEMA = DATABASE() \
            UNION ALL SELECT JSON_ARRAY(TABLE_NAME, CONCAT('foreign key ', CONSTRAINT_NAME), CONCAT(COLUMN_NAME, ' REFERENCES ', REFERENCED_TABLE_NAME, '(', REFERENCED_COLUMN_NAME, ')')) \
            FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = DATABASE() AND REFERENCED_TABLE_NAME IS NOT NULL \
            UNION ALL SELECT JSON_ARRAY(EVENT_OBJECT_TABLE, CONCAT('trigger ', TRIGGER_NAME), ACTION_STATEMENT) FROM information_schema.TRIGGERS \
            WHERE TRIGGER_SCHEMA = DATABASE() \
            UNION ALL SELECT JSON_ARRAY('*', CONCAT('view ', TABLE_NAME), VIEW_DEFINITION) FROM information_schema.VIEWS \
            WHERE TABLE_SCHEMA = DATABASE()
            """)) where row.count == 3 {
            guard let table = row[0], let what = row[1], let text = row[2] else { continue }
            live.definitions.append((table, what, text))
        }
        return live
    }
}

extension SpecTargetSchema {
    /// A model that knows nothing (the spec did not pass the reference checks): everything is skipped.
    static var empty: SpecTargetSchema { SpecTargetSchema(tablesKnown: false, tables: [], mysql: false) }
}
