import CutoverPlan

/// What a rollback leaves of the spec's enum changes on purpose (PostgreSQL): the labels of an
/// addEnumValue that is irreversible (no base schema to rebuild the type from), and a type createEnum
/// made that a quarantined column still uses (its down drops it only when nothing does). Only those
/// are taken out of the final snapshot's `TYPE … AS ENUM (…)` lines; whatever else differs is still
/// compared.
struct KeptEnumLabels {
    /// Labels added, by type name.
    var added: [String: Set<String>] = [:]
    /// Types created.
    var created: Set<String> = []

    init(_ plan: MigrationPlan) {
        let irreversible = Set(plan.steps.filter { !$0.reversible }.compactMap(\.changeIndex))
        for (index, change) in plan.spec.changes.enumerated() {
            if let add = change.operation.unit(AddEnumValue.self), irreversible.contains(index) {
                added[add.enumType.value, default: []].insert(add.value.value)
            }
            if let create = change.operation.unit(CreateEnum.self) { created.insert(create.name.value) }
        }
    }

    /// `final` without the kept labels and types, and a line for the report (nil when nothing was kept).
    func removing(from final: SchemaSnapshot, base: SchemaSnapshot, keptColumns: Bool) -> (snapshot: SchemaSnapshot, kept: String?) {
        guard !added.isEmpty || !created.isEmpty else { return (final, nil) }
        let baseLines = Set(base.lines)
        var keptLabels: [String] = []
        var keptTypes: [String] = []
        var lines: [String] = []
        for line in final.lines {
            guard !baseLines.contains(line), let parsed = Self.parse(line) else { lines.append(line); continue }
            if keptColumns && created.contains(parsed.type) {
                keptTypes.append(parsed.type)
                continue
            }
            guard let labels = added[parsed.type] else { lines.append(line); continue }
            let kept = parsed.labels.filter { !labels.contains($0) }
            keptLabels += parsed.labels.filter { labels.contains($0) }.map { "\(parsed.type).\($0)" }
            lines.append(parsed.prefix + kept.map { "'" + $0.doublingScalars("'") + "'" }.joined(separator: ", ") + parsed.suffix)
        }
        var notes: [String] = []
        if !keptLabels.isEmpty { notes.append("enum labels addEnumValue added (PostgreSQL cannot drop one): \(keptLabels.joined(separator: ", "))") }
        if !keptTypes.isEmpty { notes.append("enum types createEnum made, still used by kept columns: \(keptTypes.sorted().joined(separator: ", "))") }
        return (SchemaSnapshot(lines: lines), notes.isEmpty ? nil : notes.joined(separator: "; "))
    }

    /// `TYPE [schema.]name AS ENUM ('a', 'b') …`: the bare type name, the labels, and the text around them.
    static func parse(_ line: String) -> (type: String, labels: [String], prefix: String, suffix: String)? {
        guard line.hasPrefix("TYPE "), let open = line.range(of: " AS ENUM ("), let close = line.range(of: ")", options: .backwards),
              close.lowerBound >= open.upperBound else { return nil }
        let qualified = line[line.index(line.startIndex, offsetBy: 5)..<open.lowerBound]
        let type = String(qualified.split(separator: ".").last ?? "").replacingOccurrences(of: "\"", with: "")
        let body = line[open.upperBound..<close.lowerBound]
        // The quoted list reads as a MySQL inline enum's does ('' inside a label, ', ' between).
        let labels = EnumType.mysqlLabels("enum(" + body + ")") ?? []
        return (type, labels, String(line[..<open.upperBound]), String(line[close.lowerBound...]))
    }
}
