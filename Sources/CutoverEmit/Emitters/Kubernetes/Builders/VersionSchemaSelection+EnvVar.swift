import CutoverPlan

/// The Kubernetes side of `VersionSchemaSelection` (Planning names the schema and the ConfigMap key;
/// the env var is a Kubernetes value, so it is built here, where the Kubernetes model lives).
extension VersionSchemaSelection {
    /// The env of the Rollout's own pod template (`app.podTemplate: true`) that selects `version`'s schema:
    /// the same ConfigMap key the runbook's patch of a Deployment sets (optional, so a pod started once
    /// the ConfigMap is gone starts without it, as with the patch).
    public static func envVar(_ spec: MigrationSpec, version: String) -> EnvVar {
        EnvVar(envName(spec), from: EnvVar.ConfigMapKey(name: configMapName(spec), key: configMapKey(spec, version: version), optional: true))
    }
}
