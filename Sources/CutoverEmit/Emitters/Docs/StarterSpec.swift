import CutoverPlan
import CutoverTemplates
import Foundation

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

    /// The base schema of the starter: the tables its changes touch, as they are before it.
    public static func schema(engine: MigrationSpec.Engine) -> String {
        switch engine {
        case .postgresql: return Templates.text(.initSchemaPostgreSQL)
        case .mysql: return Templates.text(.initSchemaMySQL)
        }
    }

    /// The schema file written beside a starter spec file: `migration.yaml` → `migration.schema.sql`,
    /// as the examples name theirs.
    public static func schemaFileName(forSpec path: String) -> String {
        let file = (path as NSString).lastPathComponent
        let stem = [".yaml", ".yml"].first { file.hasSuffix($0) }.map { String(file.dropLast($0.count)) } ?? file
        return "\(stem).schema.sql"
    }

    /// The starter pointing at its base schema: `database.schema` set instead of commented out, so
    /// validate checks the changes and verify and rehearse have tables to work on.
    public static func text(engine: MigrationSpec.Engine, name: String, schema: String) -> String {
        let starter = text(engine: engine, name: name)
        let commented = "    # schema: schema.sql        # current DDL; lets validate check every reference\n"
        guard let range = starter.range(of: commented) else { return starter }
        return starter.replacingCharacters(in: range, with: "    schema: \(schema)   # the DDL before the migration; validate checks every reference\n")
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
