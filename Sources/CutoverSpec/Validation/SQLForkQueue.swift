/// A reading's state, with what stays fixed for the whole reading once chosen (the client flavour).
package protocol SQLReadingState: Hashable {
    /// 0..<16; readings of different kinds never meet.
    var kind: Int { get }
    /// Whether a reading of kind `from` can become one of kind `to` (an open choice made later).
    static func kind(_ from: Int, canBecome to: Int) -> Bool
}

/// The readings still to follow: forked states, and the statement-boundary states already followed
/// (a reading that reaches one of those would repeat a reading already made, so it stops there). A
/// boundary is recorded only while a pending reading could still become one of its kind, so a reading
/// nothing can meet again costs no bookkeeping.
package struct SQLForkQueue<State: SQLReadingState> {
    private var pending: [(state: State, assumption: UInt8)] = []
    private var pendingKinds = [Int](repeating: 0, count: 16)
    private var seen: Set<State> = []
    private(set) var active = false

    mutating func fork(_ state: State, assumption: UInt8, recorder: SQLLexRecorder) {
        guard recorder.takeFork() else { return }
        active = true
        if seen.insert(state).inserted {
            pending.append((state, assumption))
            pendingKinds[state.kind & 15] += 1
        }
    }

    mutating func next() -> (state: State, assumption: UInt8)? {
        guard let item = pending.popLast() else { return nil }
        pendingKinds[item.state.kind & 15] -= 1
        return item
    }

    /// At a statement boundary: false when another reading already went on from this exact state.
    mutating func continues(_ state: State) -> Bool {
        guard active else { return true }
        let kind = state.kind & 15
        var reachable = false
        for other in 0..<16 where pendingKinds[other] > 0 && State.kind(other, canBecome: kind) {
            reachable = true
            break
        }
        return reachable ? seen.insert(state).inserted : !seen.contains(state)
    }
}
