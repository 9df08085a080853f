import CutoverPlan
import CutoverTemplates

/// `templates/NOTES.txt`: what the release ran and what to run next, from the static text in
/// `templates/notes-*.txt` with the migration's names filled in.
public struct ChartNotes: Sendable {
    public var spec: MigrationSpec

    public init(_ spec: MigrationSpec) {
        self.spec = spec
    }

    public var text: String {
        var text = Templates.text(spec.strategy == .blueGreen ? .notesBlueGreen : .notesExpandContract)
        let replacements = [
            ("@MIGRATION@", spec.name),
            ("@NAMESPACE@", spec.metadata.namespace),
            ("@APP@", spec.app.name),
            ("@BLUE@", spec.database.cluster),
            ("@BLUE_VERSION@", spec.database.version),
            ("@GREEN@", spec.target?.cluster ?? ""),
            ("@GREEN_VERSION@", spec.target?.version ?? ""),
            ("@SERVICE@", spec.switchover?.service ?? ""),
        ]
        for (placeholder, value) in replacements {
            // Names are DNS labels; escape anything Helm would read as an action anyway.
            text = text.replacingOccurrences(of: placeholder, with: HelmEscaper.escape(value))
        }
        return GeneratedHeader.helmTemplate(spec) + text
    }
}
