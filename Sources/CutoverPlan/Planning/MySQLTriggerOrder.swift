/// MySQL fires (and dumps) the triggers of one table and event in creation order, unless a CREATE
/// TRIGGER says `PRECEDES <other>` (MySQL 5.7.2+, MariaDB 10.2.3+). This pass replays the plan's
/// statements, keeping each slot's firing order, and sets `precedes` on a trigger's value
/// (`MySQLTrigger`; `StatementRendering` writes the clause) where creation order would be wrong:
/// - an up's trigger that writes a column an earlier trigger reads (`reads`: a rename's sync trigger
///   created after the fill trigger of an `up` that names the column by its old name, since the rename
///   comes later in the spec) goes right before the first such trigger, so that one reads what either
///   app version wrote under either name (issue #14). Where that would put it before a trigger it reads
///   itself, no order serves both and it stays last (creation order, as before);
/// - a down that re-creates a trigger (unsync, swap) puts it back where it fired before that step's up:
///   before the next trigger of that order still present, so the order of the base-plus-earlier-steps
///   state comes back exactly.
/// A re-run recreates every trigger of the steps it repeats in the same sequence (each up drops and
/// creates), so the order it ends with is the first run's. PostgreSQL orders by name: no pass.
enum MySQLTriggerOrder {
    typealias Order = [String: [MySQLTrigger]]

    static func apply(_ drafts: [StepDraft]) -> [StepDraft] {
        var out = drafts
        var order: Order = [:]
        for (k, draft) in drafts.enumerated() {
            let before = order
            out[k].up = draft.up.map { statement in
                switch statement.kind {
                case .dropMySQLTrigger(let name):
                    remove(name, from: &order)
                    return statement
                case .mysqlTrigger(var trigger):
                    remove(trigger.name, from: &order)
                    var slot = order[trigger.slot] ?? []
                    if let first = slot.firstIndex(where: { !$0.reads.isDisjoint(with: trigger.writes) }),
                       slot[first...].allSatisfy({ $0.writes.isDisjoint(with: trigger.reads) }) {
                        trigger.precedes = slot[first].name
                        slot.insert(trigger, at: first)
                    } else {
                        slot.append(trigger)
                    }
                    order[trigger.slot] = slot
                    var copy = statement
                    copy.kind = .mysqlTrigger(trigger)
                    return copy
                default:
                    return statement
                }
            }
            // The down runs from the state the up left and restores `before`.
            var current = order
            out[k].down = draft.down.map { statement in
                switch statement.kind {
                case .dropMySQLTrigger(let name):
                    remove(name, from: &current)
                    return statement
                case .mysqlTrigger(var trigger):
                    remove(trigger.name, from: &current)
                    let target = before[trigger.slot] ?? []
                    var slot = current[trigger.slot] ?? []
                    let present = Set(slot.map(\.name))
                    let next = target.firstIndex { $0.name == trigger.name }
                        .flatMap { i in target[(i + 1)...].first { present.contains($0.name) } }
                    trigger.precedes = next?.name
                    if let next, let at = slot.firstIndex(where: { $0.name == next.name }) { slot.insert(trigger, at: at) } else { slot.append(trigger) }
                    current[trigger.slot] = slot
                    var copy = statement
                    copy.kind = .mysqlTrigger(trigger)
                    return copy
                default:
                    return statement
                }
            }
        }
        return out
    }

    private static func remove(_ name: String, from order: inout Order) {
        for (slot, triggers) in order where triggers.contains(where: { $0.name == name }) {
            order[slot] = triggers.filter { $0.name != name }
        }
    }
}
