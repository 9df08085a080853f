/// One moment of a delivery stage, as the tool that applies it would reach it.
public enum DeliveryStep: Sendable, Equatable {
    /// Jobs created together (each starts at once); the next step waits until all have finished.
    case jobs([RenderedJob], hook: String)
    /// The app's Rollout is applied: pods of the stage's target version start serving.
    case rollout
    /// The plain objects (Services among them) are applied: blue-green's switchover Service may
    /// select the other side from here on.
    case services
    /// The tool waits for the Rollout to be Healthy, fully promoted: the other version stops serving.
    case promotion

    public var jobs: [RenderedJob] {
        if case .jobs(let list, _) = self { return list }
        return []
    }
}
