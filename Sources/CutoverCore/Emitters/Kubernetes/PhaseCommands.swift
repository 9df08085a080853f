/// The exact commands the plan README prints to run a phase and to roll it back, per delivery method.
/// Owned by the Kubernetes emitters, whose object names and values switches these commands name.
public enum PhaseCommands {
    public struct Commands: Sendable {
        public var run: [String]
        public var rollback: [String]
    }

    public static func helm(_ phase: Phase, plan: MigrationPlan) -> Commands {
        let spec = plan.spec
        let base = "helm upgrade --install \(spec.name) ./chart --namespace \(spec.metadata.namespace)"
        return Commands(run: ["\(base) --set phases.\(phase.rawValue).enabled=true"],
                        rollback: ["\(base) --set rollback.\(phase.rawValue).enabled=true"])
    }

    public static func kubectl(_ phase: Phase, plan: MigrationPlan) -> Commands {
        Commands(run: ["kubectl apply -k manifests/"], rollback: [])
    }
}
