/// Rules across fields of one spec that need the exact place of a value, so they read the syntax tree
/// (the typed spec keeps only some locations). `ShapeChecker` runs them after the structural pass; each
/// rule looks only at values that are well-formed, so a value with a shape error is reported once.
///
/// - CUT035 engine consistency: operator, runner tool, index method and predicate, blue-green engine and versions,
///   PostgreSQL 11 or later for expand-contract
/// - CUT021 PostgreSQL's 63-byte identifier limit (the shape allows MySQL's 64)
/// - CUT036 blue-green-only fields, the fields blue-green needs, and 'changes' that blue-green would ignore
/// - CUT016 an expand-contract spec without changes
/// - CUT034 canary weights that go down (the check is in `CanaryStepsRule`)
/// - CUT040 a NOT NULL column with neither default nor `up`
/// - CUT050 passwords in `sql` scripts (client commands and unterminated quotes: `ScriptRules`)
/// - CUT051 (warning) images without a pinned tag or digest (`UnpinnedImageRule`)
/// - CUT068 `app.versionSchemas: views` on MySQL without `database.schema` (`VersionSchemasEngineRule`)
/// - CUT103 `database.schemaName` other than `database.name` on MySQL (`SchemaNameRule`)
/// - CUT072 networkPolicy.clients without `database: restrict`, or a client that selects nothing (`NetworkPolicyClientsRule`)
/// - CUT054 (warning) a lag limit nothing checks (`IgnoredLagLimitRule`), CUT055 (warning) a raised deadline (`DeadlineRaisedRule`)
///
/// Messages are in the rules' files (`Diagnostics/Rules/`).
package struct ConsistencyRules {
    /// The spec's shape (`SpecLanguage.migration`): the identifiers it types are walked for CUT035.
    let migration: ObjectShape

    package typealias Engine = MigrationSpec.Engine

    func check(_ root: SyntaxNode, diagnostics: inout DiagnosticBag) {
        guard let specEntry = root.entry("spec"), specEntry.value.entries != nil else { return }
        let spec = specEntry.value
        let database = spec["database"]
        let engine = database?["engine"]?.scalarValue.flatMap(Engine.init(rawValue:))
        let strategyNode = spec["strategy"]
        let strategyText = strategyNode?.scalarValue ?? Settings.strategy.fallback.rawValue
        let strategy = MigrationSpec.Strategy(rawValue: strategyText)

        if let engine {
            checkEngine(spec, engine: engine, strategy: strategy, migration: root["metadata"]?["name"]?.scalarValue, diagnostics: &diagnostics)
        }
        if let strategy { checkStrategy(spec, specLocation: specEntry.keyLocation, strategy: strategy, diagnostics: &diagnostics) }
        CanaryStepsRule.check(spec, diagnostics: &diagnostics)
        if strategy == .expandContract { IgnoredLagLimitRule.check(spec, diagnostics: &diagnostics) }
        DeadlineRaisedRule.check(spec, diagnostics: &diagnostics)
        UnpinnedImageRule.check(spec, diagnostics: &diagnostics)
        NetworkPolicyClientsRule.check(spec, diagnostics: &diagnostics)
        for item in spec["changes"]?.items ?? [] {
            guard let entries = item.entries, entries.count == 1, let entry = entries.first, entry.value.entries != nil else { continue }
            checkChange(entry.key, entry.value, engine: engine, diagnostics: &diagnostics)
        }
        if engine == .postgresql {
            IdentifierWalk.visit(root, shape: .object(migration)) { node, text in
                if text.utf8.count > 63 && text.utf8.count <= 64 {
                    diagnostics.report(.sqlIdentifier, Message.postgresIdentifierLength(text), at: node.location)
                }
            }
        }
    }

    // MARK: engine

    private func checkEngine(_ spec: SyntaxNode, engine: Engine, strategy: MigrationSpec.Strategy?, migration: String?,
                             diagnostics: inout DiagnosticBag) {
        let database = spec["database"]
        if let node = database?["operator"], let value = node.scalarValue {
            if value == "zalando" && engine != .postgresql {
                diagnostics.report(.engineConsistency, Message.operatorEngine(value, engine: engine.rawValue, supported: "postgresql"), at: node.location)
            } else if value == "bitpoke" && engine != .mysql {
                diagnostics.report(.engineConsistency, Message.operatorEngine(value, engine: engine.rawValue, supported: "mysql"), at: node.location)
            }
        }
        if let node = spec["runner"]?["tool"], let value = node.scalarValue {
            if value == "psql" && engine != .postgresql {
                diagnostics.report(.engineConsistency, Message.toolEngine(value, engine: engine.rawValue, supported: "postgresql"), at: node.location)
            } else if value == "mysql" && engine != .mysql {
                diagnostics.report(.engineConsistency, Message.toolEngine(value, engine: engine.rawValue, supported: "mysql"), at: node.location)
            }
        }
        // Only MySQL steps copy a table (CUT073): accepting copies on PostgreSQL would silently accept nothing.
        if engine != .mysql, let node = spec["acceptTableCopies"] {
            diagnostics.report(.engineConsistency, Message.acceptTableCopiesEngine(engine.rawValue), at: node.location)
        }
        // MySQL's databases of views need every table, which only the base schema lists (`MySQLVersionSchemas`):
        // an explicit `views` without one is refused, not silently dropped.
        if engine == .mysql, database?["schema"] == nil, let node = spec["app"]?["versionSchemas"], node.scalarValue == "views" {
            diagnostics.report(.versionSchemasEngine, Message.versionSchemasWithoutSchema, at: node.location)
        }
        // A MySQL schema is the database the migration connects to, so another one is refused. PostgreSQL
        // takes any schema: the lowering names it (docs/architecture.md, "Schema-qualified names").
        if engine == .mysql, let node = database?["schemaName"], let value = node.scalarValue,
           let name = database?["name"]?.scalarValue, value != name {
            diagnostics.report(.schemaName, Message.schemaNameOtherDatabase(value, database: name), at: node.location)
        }
        if engine == .postgresql, let node = database?["schemaName"], let value = node.scalarValue {
            checkPostgresSchemaName(value, at: node.location, migration: migration, diagnostics: &diagnostics)
        }
        if engine == .postgresql && strategy == .expandContract, let node = database?["version"], let value = node.scalarValue,
           let major = Self.major(value), major < 11 {
            diagnostics.report(.engineConsistency, Message.postgresVersionForExpandContract(value), at: node.location)
        }
        guard strategy == .blueGreen else { return }
        if engine == .mysql, let node = spec["strategy"] {
            diagnostics.report(.engineConsistency, Message.blueGreenEngine, at: node.location)
            return
        }
        let blueVersion = database?["version"]
        if let node = blueVersion, let value = node.scalarValue, let major = Self.major(value), major < 10 {
            diagnostics.report(.engineConsistency, Message.logicalReplicationVersion(value), at: node.location)
        } else if let node = blueVersion, let value = node.scalarValue, let major = Self.major(value), major < 11 {
            // The way back is always planned (reverse replication until cleanup): its skip-slot needs 11.
            diagnostics.report(.engineConsistency, Message.wayBackVersion(value), at: node.location)
        }
        if let blue = blueVersion?.scalarValue.flatMap(Self.version), let node = spec["target"]?["version"],
           let greenText = node.scalarValue, let green = Self.version(greenText), green.lexicographicallyPrecedes(blue) {
            diagnostics.report(.engineConsistency, Message.targetVersionOlder(greenText, than: blueVersion?.scalarValue ?? ""), at: node.location)
        }
    }

    static func version(_ text: String) -> [Int]? {
        guard KubernetesText.isVersion(text) else { return nil }
        return text.split(separator: ".").compactMap { Int($0) }
    }

    static func major(_ text: String) -> Int? { version(text)?.first }

    /// CUT103 on PostgreSQL: a schema the server reserves (`pg_catalog`, `pg_toast`, `pg_temp` and any
    /// other `pg_` name: CREATE SCHEMA refuses them, and statements naming them are a session-temporary
    /// no-op or refused at run time; `information_schema`), or one of the migration's version schemas,
    /// which expand drops and re-creates as a schema of views (user trial 13, M7). Case-sensitive:
    /// the lowering quotes the name, so `PG_X` is an ordinary schema.
    private func checkPostgresSchemaName(_ value: String, at location: SourceLocation, migration: String?,
                                         diagnostics: inout DiagnosticBag) {
        if value.hasPrefix("pg_") || value == "information_schema" {
            diagnostics.report(.schemaName, Message.schemaNameReserved(value), at: location)
            return
        }
        guard let migration else { return }
        let names = SQLNames(engine: .postgresql)
        for new in [true, false] where names.versionSchema(migration: migration, new: new) == value {
            diagnostics.report(.schemaName, Message.schemaNameVersionSchema(value, migration: migration), at: location)
        }
    }

    // MARK: strategy

    private func checkStrategy(_ spec: SyntaxNode, specLocation: SourceLocation, strategy: MigrationSpec.Strategy, diagnostics: inout DiagnosticBag) {
        switch strategy {
        case .expandContract:
            for field in ["target", "replication", "switchover"] {
                if let entry = spec.entry(field) {
                    diagnostics.report(.strategyFields, Message.blueGreenOnly(field), at: entry.keyLocation)
                }
            }
            if let changes = spec["changes"] {
                if let items = changes.items, items.isEmpty {
                    diagnostics.report(.emptyChanges, Message.emptyChanges, at: changes.location)
                }
            } else {
                diagnostics.report(.emptyChanges, Message.missingChanges, at: spec["strategy"]?.location ?? specLocation)
            }
        case .blueGreen:
            let location = spec["strategy"]?.location ?? specLocation
            for field in ["target", "switchover"] where spec[field] == nil {
                diagnostics.report(.strategyFields, Message.blueGreenNeeds(field), at: location)
            }
            if let entry = spec.entry("changes"), let items = entry.value.items, !items.isEmpty {
                diagnostics.report(.strategyFields, Message.blueGreenChanges, at: entry.keyLocation)
            }
        }
    }






    // MARK: changes

    private func checkChange(_ operation: String, _ body: SyntaxNode, engine: Engine?, diagnostics: inout DiagnosticBag) {
        switch operation {
        case "addColumn":
            guard let column = body["column"], let nullable = column["nullable"], let text = nullable.scalarValue,
                  case .scalar(_, .plain) = nullable.kind, ScalarResolution.bool(text) == false else { return }
            let hasDefault = column["default"].map { !$0.isNull } ?? false
            let hasUp = body["up"].map { !$0.isNull } ?? false
            if !hasDefault && !hasUp {
                let name = column["name"]?.scalarValue ?? "?"
                diagnostics.report(.notNullWithoutDefault, Message.notNullWithoutDefault(name), at: nullable.location)
            }
        case "createIndex":
            let method = body["method"]
            let unique = body["unique"].flatMap { $0.scalarValue }.flatMap(ScalarResolution.bool) ?? false
            if engine == .mysql {
                if let method, let value = method.scalarValue, value != "btree" {
                    diagnostics.report(.engineConsistency, Message.mysqlIndexMethod(value), at: method.location)
                }
                if let predicate = body["where"], !predicate.isNull {
                    diagnostics.report(.engineConsistency, Message.mysqlPartialIndex, at: predicate.location)
                }
            } else if unique, let method, let value = method.scalarValue, value != "btree",
                      ["hash", "gin", "gist", "brin", "spgist"].contains(value) {
                diagnostics.report(.engineConsistency, Message.uniqueIndexMethod(value), at: method.location)
            }
        case "sql":
            for field in ["up", "down"] {
                guard let node = body[field], let text = node.scalarValue, !node.isNull else { continue }
                if ShapeChecker.credentialURL(in: text) == nil, let found = ScriptScanner.inlinePassword(in: text) {
                    diagnostics.report(.inlineSecret, Message.passwordInSQL(found, field: "sql.\(field)"), at: node.location)
                }
            }
        default:
            break
        }
    }
}

/// Visits every SQL identifier value in the tree, following the shape.
package enum IdentifierWalk {
    static func visit(_ root: SyntaxNode, shape: Shape, _ body: (SyntaxNode, String) -> Void) {
        var stack: [(SyntaxNode, Shape)] = [(root, shape)]
        while let (node, shape) = stack.popLast() {
            switch shape {
            case .object(let object):
                for entry in node.entries ?? [] {
                    if let field = object.field(entry.key) { stack.append((entry.value, field.shape)) }
                }
            case .list(let element, _):
                for item in node.items ?? [] { stack.append((item, element)) }
            case .oneKey(_, let fields):
                guard let entries = node.entries, entries.count == 1, let entry = entries.first,
                      let field = fields.first(where: { $0.name == entry.key }) else { continue }
                stack.append((entry.value, field.shape))
            case .text(.sqlIdentifier):
                if let text = node.scalarValue, !node.isNull { body(node, text) }
            case .textOrObject(let format, let object):
                stack.append((node, node.entries == nil ? .text(format) : .object(object)))
            default:
                continue
            }
        }
    }
}

/// Scans the hand-written SQL of `sql` changes for secrets.
package enum ScriptScanner {
    /// A password written into SQL: `PASSWORD '…'`, `IDENTIFIED BY '…'`, `password=…` in a connection string.
    static func inlinePassword(in text: String) -> String? {
        let lower = Array(text.lowercased().utf8)
        func skipSpaces(_ i: Int) -> Int {
            var i = i
            while i < lower.count && (lower[i] == 0x20 || lower[i] == 0x09 || lower[i] == 0x0A || lower[i] == 0x0D) { i += 1 }
            return i
        }
        func matches(_ word: String, at i: Int) -> Bool {
            let w = Array(word.utf8)
            guard i + w.count <= lower.count else { return false }
            for k in 0..<w.count where lower[i + k] != w[k] { return false }
            return true
        }
        var i = 0
        while i < lower.count {
            if matches("password", at: i) {
                let after = skipSpaces(i + 8)
                if after < lower.count && (lower[after] == 0x27 || lower[after] == 0x3D) {
                    // `password 'x'` (CREATE ROLE, user mappings) or `password=x` (connection strings); an
                    // empty value or a placeholder is still a password in the file.
                    return "password"
                }
                i += 8
                continue
            }
            if matches("identified", at: i) {
                var j = skipSpaces(i + 10)
                if matches("with", at: j) {
                    j = skipSpaces(j + 4)
                    while j < lower.count && lower[j] != 0x20 { j += 1 }
                    j = skipSpaces(j)
                }
                if matches("by", at: j), skipSpaces(j + 2) < lower.count, lower[skipSpaces(j + 2)] == 0x27 {
                    return "identified by"
                }
                i += 10
                continue
            }
            i += 1
        }
        return nil
    }
}
