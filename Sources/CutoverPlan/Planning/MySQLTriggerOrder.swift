/// MySQL fires (and dumps) the triggers of one table and event in creation order. A down that
/// re-creates a sync trigger (unsync, swap) would put it after triggers that were created later in
/// the plan; this pass sets `precedes` on that trigger's value (`MySQLTrigger`) to the first later
/// trigger still present at that point, so the order of the base-plus-earlier-steps state comes back
/// exactly; `StatementRendering` writes the `PRECEDES` clause. PostgreSQL orders by name: no pass.
enum MySQLTriggerOrder {
    static func apply(_ drafts: [StepDraft]) -> [StepDraft] {
        // When each trigger is first created and first dropped for good, by the ups in plan order.
        var created: [String: (index: Int, trigger: MySQLTrigger)] = [:]
        var order: [String] = []
        var dropped: [String: Int] = [:]
        for (i, draft) in drafts.enumerated() {
            var createdHere = Set<String>()
            for statement in draft.up {
                if case .mysqlTrigger(let trigger) = statement.kind {
                    createdHere.insert(trigger.name)
                    if created[trigger.name] == nil { created[trigger.name] = (i, trigger); order.append(trigger.name) }
                }
            }
            for statement in draft.up {
                if case .dropMySQLTrigger(let name) = statement.kind, !createdHere.contains(name), created[name] != nil, dropped[name] == nil {
                    dropped[name] = i
                }
            }
        }
        var out = drafts
        for (k, draft) in drafts.enumerated() {
            out[k].down = draft.down.map { statement in
                guard case .mysqlTrigger(var trigger) = statement.kind, let position = order.firstIndex(of: trigger.name) else { return statement }
                let later = order[(position + 1)...].first { name in
                    guard let c = created[name], c.trigger.slot == trigger.slot else { return false }
                    return c.index < k && (dropped[name].map { $0 > k } ?? true)
                }
                guard let later else { return statement }
                trigger.precedes = later
                var copy = statement
                copy.kind = .mysqlTrigger(trigger)
                return copy
            }
        }
        return out
    }
}
