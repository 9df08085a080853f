/// The one line a rollback Job prints when it brings back less than the base schema had, because
/// rows the new app version wrote would break it and the spec gives no `down` to refill them: the
/// rollback keeps those rows as they are (an emergency rollback must neither fail nor lose data),
/// re-imposes what it can, and says so. Rehearse reads these lines back from the Jobs' output
/// (`parse`), lists them as warnings and accepts exactly that difference from the base schema.
public struct RollbackWarning: Sendable, Equatable {
    public var table: String
    public var column: String

    public static let marker = "cutover rollback warning: "

    /// The text after "<marker><table>.<column> keeps <count>" (PostgreSQL adds the check it left).
    static func tail(engine: MigrationSpec.Engine, check: String?) -> String {
        let enforced = engine == .postgresql
            ? "NOT NULL is enforced again for every new write by CHECK \(check ?? "") NOT VALID, and set once no NULL is left"
            : "the column stays nullable (MySQL cannot enforce NOT NULL on new writes only)"
        return " row(s) with NULL, written by the new app version; the rollback keeps them (no down expression in the spec): "
            + enforced + "; fill them and run this rollback Job again to restore NOT NULL"
    }

    /// Every warning in a Job's output, in order, each once.
    public static func parse(_ output: String) -> [RollbackWarning] {
        var found: [RollbackWarning] = []
        for line in output.split(separator: "\n") {
            guard let range = line.range(of: marker) else { continue }
            let rest = line[range.upperBound...]
            guard let keeps = rest.range(of: " keeps "), let dot = rest[..<keeps.lowerBound].firstIndex(of: ".") else { continue }
            let warning = RollbackWarning(table: String(rest[..<dot]), column: String(rest[rest.index(after: dot)..<keeps.lowerBound]))
            if !found.contains(warning) { found.append(warning) }
        }
        return found
    }
}
