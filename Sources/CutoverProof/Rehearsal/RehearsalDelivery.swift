/// How the generated output reaches the cluster, which decides when each Job starts: Helm runs the
/// chart's hooks one at a time; `kubectl apply -k` creates every object of a folder at once; Argo CD
/// syncs a folder in hook phases and waves, waiting for each wave to be healthy.
public enum RehearsalDelivery: String, Sendable, CaseIterable, Codable {
    case helm
    case kubectl
    case argocd

    /// The moments of one stage, in order, as this tool plays `release`.
    public func steps(_ release: RenderedRelease, action: RenderedRelease.Action) -> [DeliveryStep] {
        switch self {
        case .helm:
            // Helm creates one hook at a time and waits for it; the plain objects go together, the
            // Rollout among them, between the pre and post hooks.
            let ordered = release.ordered(action)
            var steps = ordered.pre.map { DeliveryStep.jobs([$0], hook: "pre-\(action.rawValue)") }
            steps += ordered.plain.map { DeliveryStep.jobs([$0], hook: "plain") }
            if !release.services.isEmpty { steps.append(.services) }
            if !release.rollouts.isEmpty { steps.append(.rollout) }
            steps += ordered.post.map { DeliveryStep.jobs([$0], hook: "post-\(action.rawValue)") }
            return steps
        case .kubectl:
            // kubectl knows neither hooks nor waves: the Rollout and every Job of the folder are
            // created at once, and the runbook waits for the Jobs afterwards. The Rollout's pods are
            // taken to serve from the start, the earliest they could.
            // A blue-green switch folder is the exception: the runbook applies its Jobs one at a time,
            // selected by component, in their Argo CD order (PreSync by wave, the Service, PostSync):
            // applied together, the way back would be set up while the switch is still under way.
            if !release.services.isEmpty && release.rollouts.isEmpty { return Self.argoSteps(release) }
            var steps: [DeliveryStep] = release.rollouts.isEmpty ? [] : [.rollout]
            let jobs = release.jobs.sorted { $0.name < $1.name }
            if !jobs.isEmpty { steps.append(.jobs(jobs, hook: "apply")) }
            return steps
        case .argocd:
            return Self.argoSteps(release)
        }
    }

    /// Argo CD: PreSync hooks, then the Sync phase (hooks marked `Sync` and every plain object), then
    /// PostSync hooks; within a phase wave by wave, lowest first, every object of a wave applied
    /// together and healthy (a Job: complete) before the next wave. PostSync waits for every
    /// resource to be Healthy, a Rollout only when fully promoted.
    static func argoSteps(_ release: RenderedRelease) -> [DeliveryStep] {
        func phase(of job: RenderedJob) -> [String] {
            if job.syncHooks.isEmpty { return ["Sync"] }
            return job.syncHooks.filter { ["PreSync", "Sync", "PostSync"].contains($0) }
        }
        var steps: [DeliveryStep] = []
        for name in ["PreSync", "Sync", "PostSync"] {
            let jobs = release.jobs.filter { phase(of: $0).contains(name) }
            var waves = Set(jobs.map(\.syncWave))
            let rollout = name == "Sync" && !release.rollouts.isEmpty
            if rollout { waves.insert(release.rolloutWave) }
            if name == "PostSync" && !jobs.isEmpty && !release.rollouts.isEmpty { steps.append(.promotion) }
            if name == "Sync" && !release.services.isEmpty { steps.append(.services) }
            for wave in waves.sorted() {
                if rollout && wave == release.rolloutWave { steps.append(.rollout) }
                let together = jobs.filter { $0.syncWave == wave }.sorted { ($0.kind, $0.name) < ($1.kind, $1.name) }
                if !together.isEmpty { steps.append(.jobs(together, hook: "\(name) wave \(wave)")) }
            }
        }
        return steps
    }
}
