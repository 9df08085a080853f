/// Stage 2b: reads the shape-checked tree into `MigrationSpec`, filling defaults from the settings'
/// declarations in `Settings` (the same values docs/spec.md and the JSON Schema state). It never reports:
/// anything wrong with the tree was reported by `ShapeChecker`, so a missing or mistyped value here
/// falls back to its default and the spec is discarded later because errors exist.
public struct SpecBuilder: Sendable {
    /// The operations it reads `spec.changes` with (`SpecLanguage.operations`; `SpecBuilder()` is declared
    /// above Validation).
    let operations: [any OperationSpec.Type]

    package init(operations: [any OperationSpec.Type]) {
        self.operations = operations
    }

    public func build(_ root: SyntaxNode, path: String) -> MigrationSpec {
        let metadata = root["metadata"]
        let spec = root["spec"]
        let database = spec?["database"]
        let engine = MigrationSpec.Engine(rawValue: database?["engine"]?.scalarValue ?? "") ?? .postgresql
        let cluster = text(database?["cluster"]) ?? ""
        let app = spec?["app"]
        let runner = spec?["runner"]
        let strategy = Settings.strategy.value(in: spec)

        var fieldLocations: [String: SourceLocation] = [:]
        for entry in spec?.entries ?? [] { fieldLocations[entry.key] = entry.keyLocation }

        let target: MigrationSpec.Target? = spec?["target"].map { node in
            let cluster = text(node["cluster"]) ?? ""
            return MigrationSpec.Target(
                cluster: cluster,
                version: text(node["version"]) ?? "",
                instances: Settings.Target.instances.value(in: node),
                volumeSize: text(node["volume"]?["size"]) ?? "10Gi",
                storageClass: text(node["volume"]?["storageClass"]),
                resources: node["resources"].flatMap(MigrationSpec.Resources.read),
                teamId: Settings.Target.teamId.read(in: node) ?? Self.team(of: cluster),
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
                    interval: Settings.Analysis.interval.value(in: a),
                    replicationLagQuery: Settings.Analysis.replicationLagQuery.read(in: a),
                    errorRatioQuery: Settings.Analysis.errorRatioQuery.read(in: a))
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
                operator: Settings.Database.operator.value(in: database),
                cluster: cluster,
                name: text(database?["name"]) ?? "",
                credentialsSecret: text(database?["credentialsSecret"]) ?? "",
                schema: located(database?["schema"]),
                port: Settings.Database.port.value(in: database, engine: engine),
                teamId: Settings.Database.teamId.read(in: database) ?? Self.team(of: cluster),
                schemaName: Settings.Database.schemaName.read(in: database) ?? (engine == .postgresql ? "public" : text(database?["name"]) ?? ""),
                podSelector: database?["podSelector"].map { pairs($0).sorted { $0.key < $1.key } },
                location: database?.location ?? .start),
            target: target,
            replicationLocation: spec?.entry("replication")?.keyLocation,
            app: .init(
                name: text(app?["name"]) ?? "",
                image: located(app?["image"]) ?? Located("", at: app?.location ?? .start),
                replicas: Settings.App.replicas.value(in: app),
                port: Settings.App.port.value(in: app),
                healthPath: text(app?["healthPath"]),
                resources: Settings.App.resources.value(in: app),
                runAsUser: Settings.App.runAsUser.value(in: app?["securityContext"]),
                runAsGroup: Settings.App.runAsGroup.value(in: app?["securityContext"]),
                readOnlyRootFilesystem: Settings.App.readOnlyRootFilesystem.value(in: app?["securityContext"]),
                podSelector: app?["podSelector"].map { pairs($0).sorted { $0.key < $1.key } },
                deployment: Settings.App.deployment.read(in: app) ?? text(app?["name"]) ?? "",
                podTemplate: Settings.App.podTemplate.value(in: app),
                // `views` on both engines (PostgreSQL: schemas, MySQL: databases of views); `none` opts out.
                versionSchemas: Settings.App.versionSchemas.value(in: app) == "views"),
            runner: .init(
                tool: Settings.Runner.tool.value(in: runner, engine: engine),
                image: Settings.Runner.image.read(in: runner),
                lockTimeout: Settings.Runner.lockTimeout.value(in: runner),
                statementTimeout: Settings.Runner.statementTimeout.value(in: runner),
                deadline: Settings.Runner.deadline.value(in: runner),
                backoffLimit: Settings.Runner.backoffLimit.value(in: runner),
                resources: Settings.Runner.resources.value(in: runner),
                location: runner?.location),
            changes: changes,
            backfill: .init(
                batchSize: Settings.Backfill.batchSize.value(in: spec?["backfill"]),
                pause: Settings.Backfill.pause.value(in: spec?["backfill"])),
            rollout: rollout,
            featureFlagKey: text(spec?["featureFlag"]?["key"]),
            switchover: spec?["switchover"].map {
                .init(service: text($0["service"]) ?? "",
                      maxReplicationLagSeconds: Settings.Switchover.maxReplicationLagSeconds.value(in: $0),
                      location: $0.location)
            },
            snapshot: spec?["snapshot"].map {
                .init(volumeSnapshotClass: text($0["volumeSnapshotClass"]) ?? "",
                      persistentVolumeClaim: Settings.Snapshot.persistentVolumeClaim.read(in: $0))
            },
            checksum: spec?["verify"]?["checksum"].map {
                .init(tables: names($0["tables"]), rangeSize: Settings.Checksum.rangeSize.value(in: $0))
            },
            purge: Settings.purge.value(in: spec),
            fieldLocations: fieldLocations,
            networkPolicy: .init(
                database: Settings.NetworkPolicy.database.value(in: spec?["networkPolicy"]),
                clients: (spec?["networkPolicy"]?["clients"]?.items ?? []).map { item in
                    .init(podLabels: item["podSelector"].map { pairs($0).sorted { $0.key < $1.key } },
                          namespaceLabels: item["namespaceSelector"].map { pairs($0).sorted { $0.key < $1.key } })
                }),
            acceptedTableCopies: names(spec?["acceptTableCopies"]))
    }

    /// Zalando requires a cluster name to start with its team id; the first dash-separated segment is the convention.
    static func team(of cluster: String) -> String {
        String(cluster.split(separator: "-").first ?? Substring(cluster))
    }

    // MARK: operations

    /// The operation's unit reads its own fields (`OperationSpec.read`).
    private func operation(_ key: String, _ node: SyntaxNode) -> Operation? {
        guard let unit = operations.first(where: { $0.keyword == key }) else { return nil }
        return unit.read(node, self).map { Operation(base: $0) }
    }

    package func columnDefinition(_ node: SyntaxNode) -> ColumnDefinition? {
        guard let columnName = name(node["name"]), let type = located(node["type"]) else { return nil }
        let references = node["references"].flatMap { ref -> ColumnReference? in
            guard let table = name(ref["table"]) else { return nil }
            // The one references form names `columns`; a column's reference takes one (`column` is the older spelling).
            var actions = ForeignKeyActions.read(ref, self)
            actions.onDeleteText = located(ref["onDelete"])
            let listed = names(ref["columns"])
            if let old = name(ref["column"]), !listed.isEmpty { actions.conflicts.append((Message.bothSpellings("column", "columns"), old)) }
            if listed.count > 1 { actions.conflicts.append((Message.oneReferencedColumn, listed[1])) }
            return ColumnReference(table: table, column: name(ref["column"]) ?? listed.first ?? Located(Settings.Column.referencedColumn.fallback, at: ref.location),
                                   onDelete: Settings.Column.onDelete.value(in: ref), actions: actions)
        }
        return ColumnDefinition(name: columnName, type: type, nullable: Settings.Column.nullable.value(in: node),
                                defaultValue: located(node["default"]), unique: Settings.Column.unique.value(in: node),
                                check: located(node["check"]), references: references, location: node.location,
                                identity: located(node["identity"]),
                                generated: node["generated"].flatMap { g in
                                    located(g["expression"]).map { GeneratedColumn(expression: $0, stored: bool(g["stored"]) ?? true, location: g.location) }
                                },
                                comment: located(node["comment"]))
    }

    /// The one references form of addForeignKey and createTable's foreignKey: `columns` (or `column`, a
    /// column's spelling; default: `id`), and the actions; `onDelete` beside it is read by the caller
    /// (`onDelete(beside:)`).
    package func tableReference(_ node: SyntaxNode?) -> TableReference? {
        guard let node, let table = name(node["table"]) else { return nil }
        var actions = ForeignKeyActions.read(node, self)
        var columns = names(node["columns"])
        if let old = name(node["column"]) {
            if columns.isEmpty { columns = [old] } else { actions.conflicts.append((Message.bothSpellings("column", "columns"), old)) }
        }
        if columns.isEmpty { columns = [Located(Settings.Column.referencedColumn.fallback, at: node.location)] }
        return TableReference(table: table, columns: columns, actions: actions, onDelete: located(node["onDelete"]))
    }

    /// A foreign key's ON DELETE: inside `references` (the one form) or beside it (the older spelling), not both.
    package func onDelete(_ node: SyntaxNode, _ references: inout TableReference) -> ReferentialAction {
        let beside = Settings.Operation.onDelete.value(in: node)
        references.actions.onDeleteText = references.onDelete ?? located(node["onDelete"])
        guard let inside = references.onDelete else { return beside }
        if let old = located(node["onDelete"]) { references.actions.conflicts.append((Message.bothSpellings("onDelete", "references.onDelete"), old)) }
        return ReferentialAction(rawValue: Shape.keywordValue(inside.value)) ?? beside
    }

    // MARK: scalars (an `OperationUnit`'s read uses them too)

    package func text(_ node: SyntaxNode?) -> String? {
        guard let node, !node.isNull else { return nil }
        return node.scalarValue
    }

    package func located(_ node: SyntaxNode?) -> Located<String>? {
        guard let node, let value = text(node) else { return nil }
        return Located(value, at: node.location)
    }

    package func name(_ node: SyntaxNode?) -> Name? { located(node) }

    package func names(_ node: SyntaxNode?) -> [Name] {
        (node?.items ?? []).compactMap(located)
    }

    private func int(_ node: SyntaxNode?) -> Int? { text(node).flatMap(ScalarResolution.integer) }
    private func number(_ node: SyntaxNode?) -> Double? { text(node).flatMap(ScalarResolution.number) }
    package func bool(_ node: SyntaxNode?) -> Bool? { text(node).flatMap(ScalarResolution.bool) }

    private func pairs(_ node: SyntaxNode?) -> [(key: String, value: String)] {
        (node?.entries ?? []).compactMap { entry in entry.value.scalarValue.map { (entry.key, $0) } }
    }
}
