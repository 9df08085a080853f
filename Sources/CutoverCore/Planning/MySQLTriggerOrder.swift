/// MySQL fires (and dumps) the triggers of one table and event in creation order. A down that
/// re-creates a sync trigger (unsync, swap) would put it after triggers that were created later in
/// the plan; this pass adds `PRECEDES <the first later trigger still present at that point>` so the
/// order of the base-plus-earlier-steps state comes back exactly. PostgreSQL orders by name: no pass.
enum MySQLTriggerOrder {
    struct Created { var name: String; var table: String; var event: String }

    /// `CREATE TRIGGER `name` BEFORE INSERT ON `table` FOR EACH ROW` as cutover writes it.
    /// A trigger with a BEGIN … END body comes inside `DELIMITER ;;` … `DELIMITER ;`.
    static func parse(_ text: String) -> Created? {
        let delimited = "DELIMITER ;;\n"
        let text = text.hasPrefix(delimited) ? String(text.dropFirst(delimited.count)) : text
        guard text.hasPrefix("CREATE TRIGGER `") else { return nil }
        let parts = text.split(separator: "\n", maxSplits: 1)[0].components(separatedBy: "` ")
        guard parts.count >= 3 else { return nil }
        let name = String(parts[0].dropFirst("CREATE TRIGGER `".count))
        let words = parts[1].split(separator: " ")
        guard words.count >= 4, words[0] == "BEFORE" || words[0] == "AFTER" else { return nil }
        let event = "\(words[0]) \(words[1])"
        let table = String(words[3].dropFirst())
        return Created(name: name, table: table, event: event)
    }

    static func drops(_ text: String) -> String? {
        guard text.hasPrefix("DROP TRIGGER IF EXISTS `"), text.hasSuffix("`;") else { return nil }
        return String(text.dropFirst("DROP TRIGGER IF EXISTS `".count).dropLast(2))
    }

    static func apply(_ drafts: [StepDraft]) -> [StepDraft] {
        // When each trigger is first created and first dropped for good, by the ups in plan order.
        var created: [String: (index: Int, info: Created)] = [:]
        var order: [String] = []
        var dropped: [String: Int] = [:]
        for (i, draft) in drafts.enumerated() {
            var createdHere = Set<String>()
            for statement in draft.up {
                if let info = parse(statement.text) {
                    createdHere.insert(info.name)
                    if created[info.name] == nil { created[info.name] = (i, info); order.append(info.name) }
                }
            }
            for statement in draft.up {
                if let name = drops(statement.text), !createdHere.contains(name), created[name] != nil, dropped[name] == nil {
                    dropped[name] = i
                }
            }
        }
        var out = drafts
        for (k, draft) in drafts.enumerated() {
            out[k].down = draft.down.map { statement in
                guard let info = parse(statement.text), let position = order.firstIndex(of: info.name) else { return statement }
                let later = order[(position + 1)...].first { name in
                    guard let c = created[name], c.info.table == info.table, c.info.event == info.event else { return false }
                    return c.index < k && (dropped[name].map { $0 > k } ?? true)
                }
                guard let later else { return statement }
                var copy = statement
                copy.text = statement.text.replacingOccurrences(of: " FOR EACH ROW\n", with: " FOR EACH ROW PRECEDES `\(later.replacingOccurrences(of: "`", with: "``"))`\n")
                return copy
            }
        }
        return out
    }
}
