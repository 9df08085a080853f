/// Stage 2b: reads the shape-checked tree into `MigrationSpec`, filling defaults. It never reports:
/// anything wrong with the tree was reported by `ShapeChecker`, so a missing or mistyped value here
/// falls back to its default and the spec is discarded later because errors exist.
public struct SpecBuilder: Sendable {
    public init() {}

    public func build(_ root: SyntaxNode, path: String) -> MigrationSpec {
        let metadata = root["metadata"]
        let spec = root["spec"]
        let database = spec?["database"]
        let engine = MigrationSpec.Engine(rawValue: database?["engine"]?.scalarValue ?? "") ?? .postgresql
        let cluster = text(database?["cluster"]) ?? ""
        let app = spec?["app"]
        let runner = spec?["runner"]
        let strategy = MigrationSpec.Strategy(rawValue: text(spec?["strategy"]) ?? "") ?? .expandContract

        var fieldLocations: [String: SourceLocation] = [:]
        for entry in spec?.entries ?? [] { fieldLocations[entry.key] = entry.keyLocation }

        let target: MigrationSpec.Target? = spec?["target"].map { node in
            let cluster = text(node["cluster"]) ?? ""
            return MigrationSpec.Target(
                cluster: cluster,
                version: text(node["version"]) ?? "",
                instances: int(node["instances"]) ?? 2,
                volumeSize: text(node["volume"]?["size"]) ?? "10Gi",
                storageClass: text(node["volume"]?["storageClass"]),
                resources: node["resources"].map(resources),
                teamId: text(node["teamId"]) ?? Self.team(of: cluster),
                location: node.location)
        }

        let rollout: MigrationSpec.Rollout? = spec?["rollout"].map { node in
            let steps: [Located<MigrationSpec.RolloutStep>] = (node["steps"]?.items ?? []).compactMap { item in
                if let weight = int(item["setWeight"]) { return Located(.setWeight(weight), at: item.location) }
                if let pause = text(item["pause"]).flatMap(Duration.parse) { return Located(.pause(pause), at: item.location) }
                return nil
            }
            let analysis = node["analysis"].map { a in
                MigrationSpec.Analysis(
                    prometheus: text(a["prometheus"]) ?? "",
                    maxReplicationLagSeconds: number(a["maxReplicationLagSeconds"]),
                    maxErrorRatio: number(a["maxErrorRatio"]),
                    interval: text(a["interval"]).flatMap(Duration.parse) ?? Duration(milliseconds: 60_000),
                    replicationLagQuery: text(a["replicationLagQuery"]),
                    errorRatioQuery: text(a["errorRatioQuery"]))
            }
            return MigrationSpec.Rollout(steps: steps, analysis: analysis, location: node.location)
        }

        let changes: [Change] = (spec?["changes"]?.items ?? []).enumerated().compactMap { index, item in
            guard let entry = item.entries?.first, item.entries?.count == 1,
                  let operation = operation(entry.key, entry.value) else { return nil }
            return Change(index: index, operation: operation, location: item.location)
        }

        return MigrationSpec(
            sourcePath: path,
            metadata: .init(
                name: located(metadata?["name"]) ?? Located("", at: metadata?.location ?? .start),
                namespace: text(metadata?["namespace"]) ?? "default",
                labels: pairs(metadata?["labels"]).sorted { $0.key < $1.key }),
            strategy: strategy,
            database: .init(
                engine: engine,
                version: text(database?["version"]) ?? (engine == .postgresql ? "15" : "8.0"),
                operator: MigrationSpec.DatabaseOperator(rawValue: text(database?["operator"]) ?? "") ?? .none,
                cluster: cluster,
                name: text(database?["name"]) ?? "",
                credentialsSecret: text(database?["credentialsSecret"]) ?? "",
                schema: located(database?["schema"]),
                port: int(database?["port"]) ?? (engine == .postgresql ? 5432 : 3306),
                teamId: text(database?["teamId"]) ?? Self.team(of: cluster),
                podSelector: database?["podSelector"].map { pairs($0).sorted { $0.key < $1.key } },
                location: database?.location ?? .start),
            target: target,
            replicationLocation: spec?.entry("replication")?.keyLocation,
            app: .init(
                name: text(app?["name"]) ?? "",
                image: located(app?["image"]) ?? Located("", at: app?.location ?? .start),
                replicas: int(app?["replicas"]) ?? 2,
                port: int(app?["port"]) ?? 8080,
                healthPath: text(app?["healthPath"]),
                resources: app?["resources"].map(resources)
                    ?? .init(requests: ["cpu": "100m", "memory": "128Mi"], limits: ["cpu": "1", "memory": "512Mi"]),
                runAsUser: int(app?["securityContext"]?["runAsUser"]) ?? 10001,
                runAsGroup: int(app?["securityContext"]?["runAsGroup"]) ?? 10001,
                readOnlyRootFilesystem: bool(app?["securityContext"]?["readOnlyRootFilesystem"]) ?? true,
                podSelector: app?["podSelector"].map { pairs($0).sorted { $0.key < $1.key } },
                deployment: text(app?["deployment"]) ?? text(app?["name"]) ?? "",
                podTemplate: bool(app?["podTemplate"]) ?? false,
                // The default is `views` on PostgreSQL and `none` on MySQL, which has no version schemas
                // (see `MySQLVersionSchemas`); an explicit `views` on MySQL is refused (CUT068).
                versionSchemas: (text(app?["versionSchemas"]) ?? (engine == .mysql ? "none" : "views")) == "views"),
            runner: .init(
                tool: MigrationSpec.RunnerTool(rawValue: text(runner?["tool"]) ?? "") ?? (engine == .postgresql ? .psql : .mysql),
                image: text(runner?["image"]),
                lockTimeout: text(runner?["lockTimeout"]).flatMap(Duration.parse) ?? Duration(milliseconds: 5000),
                statementTimeout: text(runner?["statementTimeout"]).flatMap(Duration.parse) ?? Duration(milliseconds: 1_800_000),
                deadline: text(runner?["deadline"]).flatMap(Duration.parse) ?? Duration(milliseconds: 1_800_000),
                backoffLimit: int(runner?["backoffLimit"]) ?? 2,
                resources: runner?["resources"].map(resources)
                    ?? .init(requests: ["cpu": "100m", "memory": "128Mi"], limits: ["cpu": "500m", "memory": "256Mi"]),
                location: runner?.location),
            changes: changes,
            backfill: .init(
                batchSize: int(spec?["backfill"]?["batchSize"]) ?? 1000,
                pause: text(spec?["backfill"]?["pause"]).flatMap(Duration.parse) ?? Duration(milliseconds: 100)),
            rollout: rollout,
            featureFlagKey: text(spec?["featureFlag"]?["key"]),
            switchover: spec?["switchover"].map {
                .init(service: text($0["service"]) ?? "",
                      maxReplicationLagSeconds: number($0["maxReplicationLagSeconds"]) ?? 1,
                      location: $0.location)
            },
            snapshot: spec?["snapshot"].map {
                .init(volumeSnapshotClass: text($0["volumeSnapshotClass"]) ?? "",
                      persistentVolumeClaim: text($0["persistentVolumeClaim"]))
            },
            checksum: spec?["verify"]?["checksum"].map {
                .init(tables: names($0["tables"]), rangeSize: int($0["rangeSize"]) ?? 10_000)
            },
            purge: bool(spec?["purge"]) ?? false,
            fieldLocations: fieldLocations)
    }

    /// Zalando requires a cluster name to start with its team id; the first dash-separated segment is the convention.
    static func team(of cluster: String) -> String {
        String(cluster.split(separator: "-").first ?? Substring(cluster))
    }

    // MARK: operations

    private func operation(_ key: String, _ node: SyntaxNode) -> Operation? {
        switch key {
        case "addColumn":
            guard let table = name(node["table"]), let column = node["column"].flatMap(columnDefinition) else { return nil }
            return .addColumn(table: table, column: column, up: located(node["up"]))
        case "dropColumn":
            guard let table = name(node["table"]), let column = name(node["column"]) else { return nil }
            return .dropColumn(table: table, column: column, down: located(node["down"]))
        case "renameColumn":
            guard let table = name(node["table"]), let from = name(node["from"]), let to = name(node["to"]) else { return nil }
            return .renameColumn(table: table, from: from, to: to)
        case "alterColumn":
            guard let table = name(node["table"]), let column = name(node["column"]) else { return nil }
            return .alterColumn(AlterColumn(
                table: table, column: column, type: located(node["type"]),
                nullable: node["nullable"].flatMap { n in bool(n).map { Located($0, at: n.location) } },
                defaultValue: located(node["default"]), dropDefault: bool(node["dropDefault"]) ?? false,
                up: located(node["up"]), down: located(node["down"])))
        case "createTable":
            guard let table = name(node["name"]) else { return nil }
            let constraints: [TableConstraint] = (node["constraints"]?.items ?? []).compactMap { item in
                guard let constraintName = name(item["name"]) else { return nil }
                let kinds: [TableConstraint.Kind] = [
                    located(item["check"]).map { .check($0) },
                    item["unique"].map { .unique(names($0)) },
                    item["foreignKey"].flatMap { fk in
                        tableReference(fk["references"]).map {
                            .foreignKey(columns: names(fk["columns"]), references: $0, onDelete: action(fk["onDelete"]))
                        }
                    },
                ].compactMap { $0 }
                return TableConstraint(name: constraintName, kind: kinds.count == 1 ? kinds[0] : nil, location: item.location)
            }
            return .createTable(name: table, columns: (node["columns"]?.items ?? []).compactMap(columnDefinition),
                                primaryKey: names(node["primaryKey"]), constraints: constraints)
        case "dropTable":
            return name(node["name"]).map { .dropTable(name: $0) }
        case "renameTable":
            guard let from = name(node["from"]), let to = name(node["to"]) else { return nil }
            return .renameTable(from: from, to: to)
        case "createIndex":
            guard let index = name(node["name"]), let table = name(node["table"]) else { return nil }
            return .createIndex(CreateIndex(
                name: index, table: table, columns: names(node["columns"]), unique: bool(node["unique"]) ?? false,
                method: CreateIndex.Method(rawValue: Shape.keywordValue(text(node["method"]) ?? "")) ?? .btree, whereClause: located(node["where"])))
        case "dropIndex":
            guard let index = name(node["name"]), let table = name(node["table"]) else { return nil }
            return .dropIndex(name: index, table: table)
        case "addForeignKey":
            guard let constraint = name(node["name"]), let table = name(node["table"]),
                  let references = tableReference(node["references"]) else { return nil }
            return .addForeignKey(name: constraint, table: table, columns: names(node["columns"]),
                                  references: references, onDelete: action(node["onDelete"]))
        case "addCheck":
            guard let constraint = name(node["name"]), let table = name(node["table"]),
                  let expression = located(node["expression"]) else { return nil }
            return .addCheck(name: constraint, table: table, expression: expression)
        case "addUnique":
            guard let constraint = name(node["name"]), let table = name(node["table"]) else { return nil }
            return .addUnique(name: constraint, table: table, columns: names(node["columns"]))
        case "sql":
            guard let step = name(node["name"]), let up = located(node["up"]), let down = located(node["down"]) else { return nil }
            return .sql(RawSQL(name: step, up: up, down: down,
                               phase: RawSQL.Phase(rawValue: text(node["phase"]) ?? "") ?? .expand,
                               transactional: bool(node["transactional"]) ?? true))
        default:
            return nil
        }
    }

    private func columnDefinition(_ node: SyntaxNode) -> ColumnDefinition? {
        guard let columnName = name(node["name"]), let type = located(node["type"]) else { return nil }
        let references = node["references"].flatMap { ref -> ColumnReference? in
            guard let table = name(ref["table"]) else { return nil }
            return ColumnReference(table: table, column: name(ref["column"]) ?? Located("id", at: ref.location),
                                   onDelete: action(ref["onDelete"]))
        }
        return ColumnDefinition(name: columnName, type: type, nullable: bool(node["nullable"]) ?? true,
                                defaultValue: located(node["default"]), unique: bool(node["unique"]) ?? false,
                                check: located(node["check"]), references: references, location: node.location)
    }

    private func tableReference(_ node: SyntaxNode?) -> TableReference? {
        guard let node, let table = name(node["table"]) else { return nil }
        return TableReference(table: table, columns: names(node["columns"]))
    }

    private func action(_ node: SyntaxNode?) -> ReferentialAction {
        ReferentialAction(rawValue: Shape.keywordValue(text(node) ?? "")) ?? .noAction
    }

    // MARK: scalars

    private func text(_ node: SyntaxNode?) -> String? {
        guard let node, !node.isNull else { return nil }
        return node.scalarValue
    }

    private func located(_ node: SyntaxNode?) -> Located<String>? {
        guard let node, let value = text(node) else { return nil }
        return Located(value, at: node.location)
    }

    private func name(_ node: SyntaxNode?) -> Name? { located(node) }

    private func names(_ node: SyntaxNode?) -> [Name] {
        (node?.items ?? []).compactMap(located)
    }

    private func int(_ node: SyntaxNode?) -> Int? { text(node).flatMap(ScalarResolution.integer) }
    private func number(_ node: SyntaxNode?) -> Double? { text(node).flatMap(ScalarResolution.number) }
    private func bool(_ node: SyntaxNode?) -> Bool? { text(node).flatMap(ScalarResolution.bool) }

    private func pairs(_ node: SyntaxNode?) -> [(key: String, value: String)] {
        (node?.entries ?? []).compactMap { entry in entry.value.scalarValue.map { (entry.key, $0) } }
    }

    private func resources(_ node: SyntaxNode) -> MigrationSpec.Resources {
        MigrationSpec.Resources(
            requests: Dictionary(pairs(node["requests"]).map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a }),
            limits: Dictionary(pairs(node["limits"]).map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a }))
    }
}
