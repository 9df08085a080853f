/// The readings still to follow: forked states, and the statement-boundary states already followed
/// (a reading that reaches one of those would repeat a reading already made, so it stops there).
struct SQLForkQueue<State: Hashable> {
    var pending: [(state: State, assumption: UInt8)] = []
    private var seen: Set<State> = []
    private(set) var active = false

    mutating func fork(_ state: State, assumption: UInt8, recorder: SQLLexRecorder) {
        guard recorder.takeFork() else { return }
        active = true
        if seen.insert(state).inserted { pending.append((state, assumption)) }
    }

    /// At a statement boundary: false when another reading already went on from this exact state.
    mutating func continues(_ state: State) -> Bool {
        guard active else { return true }
        return seen.insert(state).inserted
    }
}
