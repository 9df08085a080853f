import CutoverPlan
import Yams

/// `values.yaml` and `values.schema.json`: one switch per phase (the destructive ones and rollback
/// off), the snapshot switch, blue-green's `switchover.to` (none, green, blue) and the images. The
/// schema rejects unknown keys, so a misspelled switch fails `helm lint` and `helm install`.
public struct ChartValues: Sendable {
    public var plan: MigrationPlan

    public init(_ plan: MigrationPlan) {
        self.plan = plan
    }

    enum Value {
        case bool(Bool)
        case string(String, choices: [String]?)
        case group([(String, Value)])
    }

    var tree: [(String, Value)] {
        let spec = plan.spec
        let catalog = JobCatalog(plan)
        let profile = RunnerProfile(spec)
        var tree: [(String, Value)] = [
            ("phases", .group(catalog.switchablePhases.map { phase in
                (JobCatalog.valuesKey(phase.phase), .group([("enabled", .bool(phase.enabledByDefault))]))
            })),
            // Expand-contract rolls back in two upgrades: `enabled` undoes contract, complete and backfill and
            // reverts the app; `expand` then undoes expand once the previous version fully serves again.
            ("rollback", .group(spec.strategy == .blueGreen ? [("enabled", .bool(false))] : [("enabled", .bool(false)), ("expand", .bool(false))])),
        ]
        if spec.snapshot != nil {
            var snapshot: [(String, Value)] = [("enabled", .bool(true))]
            if spec.strategy == .expandContract { snapshot.append(("image", .string(SnapshotBuilder.defaultImage, choices: nil))) }
            tree.append(("snapshot", .group(snapshot)))
        }
        // The live flag file the chart renders: off until the runbook turns it on after verify. An
        // upgrade re-renders the ConfigMap, so a flag flipped with kubectl alone would be turned off again.
        if spec.featureFlagKey != nil { tree.append(("featureFlag", .group([("enabled", .bool(false))]))) }
        if spec.strategy == .blueGreen {
            // manageService off: the user's own Service stays theirs, the runbook patches its selector.
            tree.append(("switchover", .group([("to", .string("none", choices: ["none", "green", "blue"])),
                                               ("manageService", .bool(true))])))
        }
        var runner: [(String, Value)] = [("image", .string(profile.toolImage, choices: nil))]
        if profile.needsSeparateClient { runner.append(("clientImage", .string(profile.clientImage, choices: nil))) }
        tree.append(("runner", .group(runner)))
        // With workloadRef the image is the Deployment's, changed there; only a pod template of our own reads it.
        // `versionSchema`: the version whose schema of views the pod template selects (new during the
        // rollout; the rollback sets it back with the image: old on PostgreSQL, base on MySQL).
        if spec.app.podTemplate {
            var app: [(String, Value)] = [("image", .string(spec.app.image.value, choices: nil))]
            if VersionSchemaSelection.schemas(plan) != nil {
                app.append(("versionSchema", .string("new", choices: VersionSchemaSelection.versions(spec))))
            }
            tree.append(("app", .group(app)))
        }
        return tree
    }

    public var valuesYAML: String {
        func node(_ value: Value) -> Node {
            switch value {
            case .bool(let flag): return ManifestYAML.bool(flag)
            case .string(let text, _): return ManifestYAML.string(text)
            case .group(let pairs): return ManifestYAML.mapping(pairs.map { ($0.0, node($0.1)) })
            }
        }
        let header = GeneratedHeader.yaml(plan.spec)
            + "# Values of migration \(plan.spec.name); values.schema.json lists what is allowed.\n"
        return ManifestYAML.document(node(.group(tree)), header: header)
    }

    public var schemaJSON: String {
        func schema(_ value: Value) -> JSONValue {
            switch value {
            case .bool: return .object([("type", .string("boolean"))])
            case .string(_, let choices):
                if let choices { return .object([("type", .string("string")), ("enum", .array(choices.map(JSONValue.string)))]) }
                return .object([("type", .string("string")), ("minLength", .int(1))])
            case .group(let pairs):
                return .object([
                    ("type", .string("object")),
                    ("additionalProperties", .bool(false)),
                    ("required", .array(pairs.map { .string($0.0) })),
                    ("properties", .object(pairs.map { ($0.0, schema($0.1)) })),
                ])
            }
        }
        guard case .object(let body) = schema(.group(tree)) else { return "" }
        let document = JSONValue.object([
            ("$schema", .string("http://json-schema.org/draft-07/schema#")),
            ("$comment", .string(GeneratedHeader.text(for: plan.spec))),
            ("title", .string("cutover chart values for migration \(plan.spec.name)")),
        ] + body)
        return document.text() + "\n"
    }
}
