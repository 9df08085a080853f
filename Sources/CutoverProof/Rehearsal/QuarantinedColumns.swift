import CutoverPlan

/// The other difference from the base schema a rollback leaves on purpose (besides `KeptNullRows`):
/// the columns expand added, kept by its rollback under their quarantine names
/// (`RollbackQuarantine`) with what the new version wrote. Only added column lines of those names
/// are taken out of the final snapshot; whatever else differs is still compared.
struct QuarantinedColumns {
    var quarantine: RollbackQuarantine

    /// `final` without the kept columns' lines, and the names found.
    func removing(from final: SchemaSnapshot, base: SchemaSnapshot) -> (snapshot: SchemaSnapshot, kept: [String]) {
        let names = Set(quarantine.columns.map(\.quarantine))
        guard !names.isEmpty else { return (final, []) }
        let baseLines = Set(base.lines)
        var kept: [String] = []
        var lines: [String] = []
        // A kept column's comment (PostgreSQL's snapshot writes it on the line after the column's) goes with it.
        var inKept = false
        for line in final.lines {
            if inKept && line.hasPrefix("    COMMENT ") { continue }
            inKept = false
            guard !baseLines.contains(line), let name = names.first(where: { KeptNullRows.isColumnLine(line, $0) }) else { lines.append(line); continue }
            kept.append(name)
            inKept = true
        }
        return (SchemaSnapshot(lines: lines), kept.sorted())
    }
}
