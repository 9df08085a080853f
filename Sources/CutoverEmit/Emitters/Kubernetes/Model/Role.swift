import CutoverPlan
import Yams

/// `rbac.authorization.k8s.io/v1 Role`: namespaced rules, each naming the objects it allows where
/// the verb can be restricted by name (`create` cannot: the object does not exist yet).
public struct Role: KubernetesObject, Equatable {
    public struct Rule: Sendable, Equatable {
        public var apiGroup: String
        public var resource: String
        public var verbs: [String]
        /// Empty: every object of the resource (only for verbs that cannot be restricted by name).
        public var resourceNames: [String]

        public init(apiGroup: String, resource: String, verbs: [String], resourceNames: [String] = []) {
            self.apiGroup = apiGroup
            self.resource = resource
            self.verbs = verbs
            self.resourceNames = resourceNames
        }

        func node() -> Node {
            ManifestYAML.mapping([
                ("apiGroups", ManifestYAML.strings([apiGroup])),
                ("resources", ManifestYAML.strings([resource])),
                ("resourceNames", resourceNames.isEmpty ? nil : ManifestYAML.strings(resourceNames)),
                ("verbs", ManifestYAML.strings(verbs)),
            ])
        }
    }

    public var apiVersion: String { "rbac.authorization.k8s.io/v1" }
    public var kind: String { "Role" }
    public var metadata: ObjectMeta
    public var rules: [Rule]

    public init(metadata: ObjectMeta, rules: [Rule]) {
        self.metadata = metadata
        self.rules = rules
    }

    public func bodyFields() -> [(String, Node?)] {
        [("rules", ManifestYAML.sequence(rules.map { $0.node() }))]
    }
}
