import CutoverPlan
import Foundation

/// The machine plan, `plan.json`; its format is documented in docs/plan-json.md and versioned by `format`.
public struct PlanJSON: Codable, Sendable {
    public struct Phase: Codable, Sendable {
        public var name: String
        public var title: String
        public var summary: String
        public var enabledByDefault: Bool
        public var destructive: Bool
        public var steps: [Int]
    }

    public struct Step: Codable, Sendable {
        public var number: Int
        public var phase: String
        public var slug: String
        public var title: String
        public var change: Int?
        public var side: String?
        public var reversible: Bool
        public var transactional: Bool
        public var unchecked: Bool
        public var files: [String]
        public var squawkIgnores: [SquawkIgnore]
    }

    public struct SquawkIgnore: Codable, Sendable {
        public var rule: String
        public var reason: String
    }

    public var format: String
    public var name: String
    public var namespace: String
    public var strategy: String
    public var engine: String
    public var source: String
    public var phases: [Phase]
    public var steps: [Step]
    /// The order in which the runbook delivers the phases (see `DeliveryPlan`).
    public var delivery: DeliveryPlan

    public init(plan: MigrationPlan) {
        self.init(context: EmissionContext(plan))
    }

    /// From the emitters' shared work (the Jobs and the phases' commands are built once per plan).
    public init(context: EmissionContext) {
        let plan = context.plan
        let spec = plan.spec
        format = "cutover.dev/plan/v1alpha1"
        name = spec.name
        namespace = spec.metadata.namespace
        strategy = spec.strategy.rawValue
        engine = spec.database.engine.rawValue
        source = spec.sourcePath.split(separator: "/").last.map(String.init) ?? spec.sourcePath
        phases = plan.phases.map { phase in
            Phase(name: phase.phase.rawValue, title: phase.title, summary: phase.summary,
                  enabledByDefault: phase.enabledByDefault, destructive: phase.phase.isDestructive,
                  steps: plan.steps(in: phase.phase).map(\.number))
        }
        steps = plan.steps.map { step in
            Step(number: step.number, phase: step.phase.rawValue, slug: step.slug, title: step.title,
                 change: step.changeIndex, side: step.side?.rawValue, reversible: step.reversible,
                 transactional: step.transactional, unchecked: step.unchecked,
                 files: StepFiles.paths(for: step, plan: plan),
                 squawkIgnores: step.suppressions.map { SquawkIgnore(rule: $0.rule, reason: $0.reason) })
        }
        delivery = DeliveryPlan(context: context)
    }

    public func encoded() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(self)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    func encodedBytes() -> [UInt8] { Array(encoded().utf8) }
}
