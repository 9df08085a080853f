import CutoverPlan

/// The delivery sequence of `plan.json`: which `helm` invocations (or `kubectl apply -k` folders) the
/// runbook tells the user to run, in which order, which of them starts a rollout of the app and
/// before which the runbook waits for the Rollout to be fully promoted; the same for rolling back.
///
/// It is read back from the runbook's own commands (`PhaseCommands`) rather than restated, so the
/// two can never disagree: a change to the commands changes this data, and `cutover rehearse` plays
/// exactly this sequence.
public struct DeliveryPlan: Codable, Sendable, Equatable {
    public struct Stage: Codable, Sendable, Equatable {
        /// Phases whose Jobs this stage runs (or, for `rollout`, whose app change it applies), in run order.
        public var phases: [String]
        /// Helm: the `--set` switches of the invocation (empty: the chart's defaults).
        public var set: [String: String]?
        /// Helm: whether the invocation keeps the values of the previous one (`--reuse-values`).
        public var reuseValues: Bool?
        /// Plain manifests: the folder applied with `kubectl apply -k`.
        public var kustomize: String?
        /// Applying this stage applies or changes the app's Rollout, so pods of another app version start.
        public var startsRollout: Bool
        /// The runbook waits for the Rollout to be fully promoted (no pod of the previous version serves)
        /// before this stage.
        public var waitsForPromotion: Bool

        public init(phases: [String], set: [String: String]? = nil, reuseValues: Bool? = nil, kustomize: String? = nil,
                    startsRollout: Bool, waitsForPromotion: Bool) {
            self.phases = phases
            self.set = set
            self.reuseValues = reuseValues
            self.kustomize = kustomize
            self.startsRollout = startsRollout
            self.waitsForPromotion = waitsForPromotion
        }
    }

    public struct Sequence: Codable, Sendable, Equatable {
        public var forward: [Stage]
        public var rollback: [Stage]
    }

    public var helm: Sequence
    public var manifests: Sequence

    public init(helm: Sequence, manifests: Sequence) {
        self.helm = helm
        self.manifests = manifests
    }

    public init(plan: MigrationPlan) {
        self.init(context: EmissionContext(plan))
    }

    /// The sequences from the phases' commands the emitters share (`EmissionContext.commands`).
    public init(context: EmissionContext) {
        let plan = context.plan
        let jobs = context.jobs
        let forwardPhases = plan.phases.map(\.phase)
        let rollbackPhases = Array(forwardPhases.reversed())
        helm = Sequence(
            forward: Self.stages(forwardPhases.map { ($0, context.commands(for: $0).helm.run) }, kind: .helm, forward: true),
            rollback: Self.stages(rollbackPhases.map { ($0, context.commands(for: $0).helm.rollback) }, kind: .helm, forward: false))
        manifests = Sequence(
            forward: Self.stages(forwardPhases.map { ($0, context.commands(for: $0).kubectl.run) }, kind: .kubectl, forward: true),
            rollback: Self.stages(rollbackPhases.map { ($0, context.commands(for: $0).kubectl.rollback) }, kind: .kubectl, forward: false)
                .map { stage in
                    // Every rolled-back phase prints the same folder list; a folder runs the Jobs it holds.
                    var stage = stage
                    let held = Set(jobs.filter { job in stage.kustomize == job.folder.map { "manifests/\($0.rawValue)/" } }.map(\.phase))
                    stage.phases = rollbackPhases.filter(held.contains).map(\.rawValue)
                    return stage
                })
    }

    enum Kind { case helm, kubectl }

    /// What one runbook command means for the delivery sequence.
    enum Command: Equatable {
        case helm(set: [String: String], reuseValues: Bool)
        case kustomize(String)
        case watchPromotion
        case revertApp
        case other
    }

    static func parse(_ command: String) -> Command {
        let words = command.split(separator: " ").map(String.init)
        if command.hasPrefix("#") {
            return command.contains("revert the app") ? .revertApp : .other
        }
        if words.starts(with: ["helm", "upgrade"]) {
            var set: [String: String] = [:]
            var index = 0
            while index < words.count {
                if words[index] == "--set", index + 1 < words.count {
                    // `--set app.image=<previous app image>`: the placeholder has spaces.
                    var value = words[index + 1]
                    while value.hasPrefix("app.image=<") && !value.hasSuffix(">") && index + 2 < words.count {
                        index += 1
                        value += " " + words[index + 1]
                    }
                    var pair = value.split(separator: "=", maxSplits: 1).map(String.init)
                    // `--set app.image="$PREVIOUS_IMAGE"`: the shell's quotes are not part of the value.
                    if pair.count == 2, pair[1].count >= 2, pair[1].hasPrefix("\""), pair[1].hasSuffix("\"") {
                        pair[1] = String(pair[1].dropFirst().dropLast())
                    }
                    if pair.count == 2 { set[pair[0]] = pair[1] }
                    index += 2
                } else {
                    index += 1
                }
            }
            return .helm(set: set, reuseValues: words.contains("--reuse-values"))
        }
        if words.starts(with: ["kubectl", "apply", "-k"]), words.count > 3 { return .kustomize(words[3]) }
        if words.starts(with: ["kubectl", "argo", "rollouts", "get"]), words.contains("--watch") { return .watchPromotion }
        if words.starts(with: ["kubectl", "argo", "rollouts", "status"]) { return .watchPromotion }
        return .other
    }

    /// Groups the phases' commands into stages: one stage per distinct invocation (the same values
    /// or folder again is the same release state, whose hooks already ran), a watch of the Rollout
    /// marks the next new stage as waiting for promotion, and a stage starts a rollout when it is the
    /// first to apply the app's objects or it changes `app.image` (or follows "revert the app").
    static func stages(_ commands: [(Phase, [String])], kind: Kind, forward: Bool) -> [Stage] {
        var stages: [Stage] = []
        var current: Int?
        var pendingWatch = false
        var pendingRevert = false
        for (phase, lines) in commands {
            var placed = false
            for line in lines {
                let command = parse(line)
                switch command {
                case .watchPromotion:
                    pendingWatch = true
                case .revertApp:
                    pendingRevert = true
                case .other:
                    break
                case .helm, .kustomize:
                    let existing = stages.firstIndex { stage in
                        switch command {
                        case let .helm(set, reuse): return stage.set == set && stage.reuseValues == reuse
                        case let .kustomize(folder): return stage.kustomize == folder
                        default: return false
                        }
                    }
                    if let existing {
                        current = existing
                    } else {
                        var stage: Stage
                        switch command {
                        case let .helm(set, reuse):
                            stage = Stage(phases: [], set: set, reuseValues: reuse,
                                          startsRollout: set["app.image"] != nil || pendingRevert, waitsForPromotion: pendingWatch)
                        case let .kustomize(folder):
                            stage = Stage(phases: [], kustomize: folder, startsRollout: pendingRevert || folder == DeliveryFolder.app.path,
                                          waitsForPromotion: pendingWatch)
                        default:
                            continue
                        }
                        // The app's Rollout is a plain object of the chart and of `manifests/`: the
                        // first forward stage that applies them starts the new version.
                        // (Expand-contract's plain manifests keep the app in a folder of its own.)
                        if forward && stages.isEmpty && stage.kustomize.map({ !$0.hasPrefix("manifests/") || $0 == "manifests/" }) ?? true {
                            stage.startsRollout = true
                        }
                        stages.append(stage)
                        current = stages.count - 1
                        pendingWatch = false
                        pendingRevert = false
                    }
                }
                // Only an invocation places the phase: a wait belongs to the stage that comes after it.
                var invokes = false
                if case .helm = command { invokes = true }
                if case .kustomize = command { invokes = true }
                if let current, !placed, invokes, !stages[current].phases.contains(phase.rawValue) {
                    stages[current].phases.append(phase.rawValue)
                    placed = true
                }
            }
        }
        return stages
    }
}
