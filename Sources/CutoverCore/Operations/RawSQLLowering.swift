/// The `sql` escape hatch: the user's up and down verbatim, in the phase the spec names, flagged as
/// unchecked. On PostgreSQL, a down that drops by name what its up creates (function, view, table,
/// trigger, column) carries the matching squawk suppression, since that is safe by construction.
enum RawSQLLowering {
    static func lower(_ raw: RawSQL, change: Int, engine: MigrationSpec.Engine) -> StepDraft {
        let phase: Phase
        switch raw.phase {
        case .expand: phase = .expand
        case .backfill: phase = .backfill
        case .contract: phase = .contract
        }
        let marker = "cutover: sql escape hatch \"\(raw.name.value)\" (user SQL, verbatim, not checked by cutover)"
        let up = SQLStatement(trimmed(raw.up.value), comment: marker, kind: .userSQL)
        var down = SQLStatement(trimmed(raw.down.value), comment: marker, kind: .userSQL)
        if engine == .postgresql {
            let rules = dropSuppressions(up: raw.up.value, down: raw.down.value)
            if !rules.isEmpty {
                down.suppressions = .rules(rules, "the down drops only what this pair's up creates")
            }
        }
        return StepDraft(phase, slug: "sql \(raw.name.value)", title: "sql: \(raw.name.value) (unchecked)", change: change,
                         up: [up], down: [down], transactional: raw.transactional, unchecked: true)
    }

    static func trimmed(_ text: String) -> String {
        var out = text.trimmingWhitespace()
        if !out.hasSuffix(";") { out += ";" }
        return out
    }

    /// squawk rules a down trips by dropping an object whose name the up creates (a simple textual match).
    static func dropSuppressions(up: String, down: String) -> [String] {
        let kinds: [(keyword: String, rule: String)] = [("FUNCTION", "ban-drop-function"), ("PROCEDURE", "ban-drop-function"),
                                                         ("VIEW", "ban-drop-view"), ("MATERIALIZED VIEW", "ban-drop-view"),
                                                         ("TABLE", "ban-drop-table"), ("COLUMN", "ban-drop-column")]
        let upWords = words(up)
        let downWords = words(down)
        var rules: [String] = []
        for (keyword, rule) in kinds {
            let parts = keyword.split(separator: " ").map(String.init)
            var i = 0
            while i < downWords.count {
                if downWords[i] == "DROP", Array(downWords.dropFirst(i + 1).prefix(parts.count)) == parts {
                    var j = i + 1 + parts.count
                    if j + 1 < downWords.count, downWords[j] == "IF", downWords[j + 1] == "EXISTS" { j += 2 }
                    if j < downWords.count {
                        let name = downWords[j]
                        if upWords.contains(name) && !rules.contains(rule) { rules.append(rule) }
                    }
                }
                i += 1
            }
        }
        return rules
    }

    /// Upper-cased words (identifiers, keywords), with quotes and punctuation as separators.
    static func words(_ text: String) -> [String] {
        var out: [String] = []
        var current = ""
        for character in text.uppercased() {
            if character.isLetter || character.isNumber || character == "_" || character == "." {
                current.append(character)
            } else {
                if !current.isEmpty { out.append(current) }
                current = ""
            }
        }
        if !current.isEmpty { out.append(current) }
        return out
    }
}

/// The `sql` operation: the escape hatch above, the same for both engines. Its effect on the schema is
/// unknown to Planning (Validation reads what it can, `RawSQLSchemaEffects`).
extension RawSQL: OperationRecipe {
    func lower(_ r: Recipe) -> [StepDraft] { [RawSQLLowering.lower(self, change: r.change, engine: r.engine)] }
    func apply(to schema: inout DatabaseSchema, engine: MigrationSpec.Engine) {}
}
