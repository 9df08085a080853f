/// Phases of both strategies, in the order they run.
public enum Phase: String, Sendable, Codable, CaseIterable, Comparable {
    // expand-contract
    case preflight, expand, backfill, rollout, complete, verify, contract, purge
    // blue-green
    case provision, schemaLoad = "schema-load", replicate, sequenceSync = "sequence-sync", switchover
    case reverseReplicate = "reverse-replicate", cleanup

    public static func < (lhs: Phase, rhs: Phase) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }

    /// Contract, purge and cleanup destroy the way back; they never run unless the user enables them.
    public var isDestructive: Bool { self == .contract || self == .purge || self == .cleanup }
}
