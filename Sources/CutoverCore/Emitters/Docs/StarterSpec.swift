import CutoverTemplates

/// The annotated starter specs `cutover init` prints, kept as files in templates/.
public enum StarterSpec {
    /// The name in the templates (and in docs/spec.md's example).
    public static let templateName = "add-nickname"

    public static func text(engine: MigrationSpec.Engine) -> String {
        switch engine {
        case .postgresql: return Templates.text(.initPostgreSQL)
        case .mysql: return Templates.text(.initMySQL)
        }
    }

    /// The name `cutover init` gives a starter: after its engine, so the PostgreSQL and MySQL
    /// starters generate into two folders instead of one replacing the other.
    public static func defaultName(engine: MigrationSpec.Engine) -> String {
        "\(templateName)-\(engine.rawValue)"
    }

    /// The starter with `metadata.name` set to `name` (the comment after it kept).
    public static func text(engine: MigrationSpec.Engine, name: String) -> String {
        let template = text(engine: engine)
        guard let range = template.range(of: "\n  name: \(templateName) ") else { return template }
        let padded = name.count < templateName.count
            ? name + String(repeating: " ", count: templateName.count - name.count) : name
        return template.replacingCharacters(in: range, with: "\n  name: \(padded) ")
    }
}
