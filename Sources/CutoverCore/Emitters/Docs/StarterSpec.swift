import CutoverTemplates

/// The annotated starter specs `cutover init` prints, kept as files in templates/.
public enum StarterSpec {
    public static func text(engine: MigrationSpec.Engine) -> String {
        switch engine {
        case .postgresql: return Templates.text(.initPostgreSQL)
        case .mysql: return Templates.text(.initMySQL)
        }
    }
}
