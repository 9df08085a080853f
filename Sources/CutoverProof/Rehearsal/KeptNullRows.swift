import CutoverPlan

/// The one difference from the base schema a rollback may leave and still pass: a column whose NOT
/// NULL did not come back because rows the new version wrote hold NULL and the spec gave no `down`
/// (the Job said so with a `RollbackWarning`). The column is nullable instead of NOT NULL; on
/// PostgreSQL a `CHECK (col IS NOT NULL) NOT VALID` holds new writes to it. Anything else differing
/// is still a failure.
struct KeptNullRows {
    var warnings: [RollbackWarning]

    /// Whether every difference between `base` and `final` is one of the warned columns' kept NULLs.
    func explains(base: SchemaSnapshot, final: SchemaSnapshot) -> Bool {
        guard !warnings.isEmpty else { return false }
        let edits = SchemaSnapshot.editScript(base.lines, final.lines)
        var removed = edits.filter { $0.kind == .removed }.map(\.line)
        var added = edits.filter { $0.kind == .added }.map(\.line)
        // Each removed NOT NULL column line pairs with its nullable form among the added lines.
        for line in removed {
            guard let warned = warnings.first(where: { Self.isColumnLine(line, $0.column) }), line.contains(" NOT NULL") else { return false }
            let nullable = Self.nullable(line)
            guard let match = added.firstIndex(where: { Self.nullable($0) == nullable && Self.isColumnLine($0, warned.column) && !$0.contains(" NOT NULL") }) else {
                return false
            }
            added.remove(at: match)
        }
        removed.removeAll()
        // What is left may only be the NOT VALID checks that hold new writes (PostgreSQL).
        return added.allSatisfy { line in
            line.hasPrefix("  CONSTRAINT ") && line.hasSuffix(" NOT VALID")
                && warnings.contains { line.contains("CHECK ((\($0.column) IS NOT NULL))") || line.contains("CHECK ((\"\($0.column)\" IS NOT NULL))") }
        }
    }

    /// A column line of either engine's snapshot: PostgreSQL `  COLUMN name type…`, MariaDB `  \`name\` type…`.
    static func isColumnLine(_ line: String, _ column: String) -> Bool {
        line.hasPrefix("  COLUMN \(column) ") || line.hasPrefix("  COLUMN \"\(column)\" ") || line.hasPrefix("  `\(column)` ")
    }

    /// The line with its nullability left out: PostgreSQL drops ` NOT NULL`; MariaDB writes a nullable
    /// column without default as `DEFAULT NULL`.
    static func nullable(_ line: String) -> String {
        line.replacingOccurrences(of: " NOT NULL", with: "").replacingOccurrences(of: " DEFAULT NULL", with: "")
    }
}
