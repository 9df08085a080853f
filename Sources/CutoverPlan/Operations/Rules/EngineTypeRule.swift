extension RuleID {
    public static let engineType = RuleID("CUT069")
}

/// CUT069 `engine-type`: a column type the target engine does not have (`timestamptz` on MySQL,
/// `datetime` on PostgreSQL).
enum EngineTypeRule: RuleUnit {
    static let rule = Rule(
        id: .engineType, name: "engine-type", severity: .error, checkedBy: [.types],
        summary: "a column type the target engine does not have",
        rationale: "A type of the other engine (timestamptz, jsonb, uuid, bytea, arrays on MySQL; datetime, tinyint, longtext, blob, unsigned, enum(...) on PostgreSQL) passes every other check and fails only when the expand Job runs its ALTER TABLE on the server. The check knows the built-in types each engine lacks, not every type it has: on PostgreSQL a name that CREATE TYPE or CREATE DOMAIN defines in the schema file, or that a `sql` change of the spec names, or that a createEnum of the spec creates, is accepted (pagila's `year` domain, an enum), and extension types (citext, PostGIS geometry) are not refused there.",
        triggering: [RuleExample(Snippets.spec(database: Snippets.mysqlDatabase,
                                               changes: Snippets.tierChange.replacingOccurrences(of: "type: text", with: "type: timestamptz"))).expecting((21, 17)),
                     RuleExample(Snippets.spec(changes: Snippets.tierChange.replacingOccurrences(of: "type: text", with: "type: datetime(6)"))).expecting((21, 17))],
        nonTriggering: [RuleExample(Snippets.spec(database: Snippets.mysqlDatabase,
                                                  changes: Snippets.tierChange.replacingOccurrences(of: "type: text", with: "type: datetime(6)")))])

    /// Every column type of the changes (addColumn, createTable, alterColumn) against the engine; run by
    /// `SemanticRules`. `schema` gives PostgreSQL's user-defined type names.
    static func check(_ spec: MigrationSpec, schema: DatabaseSchema?, diagnostics: inout DiagnosticBag) {
        let engine = spec.database.engine
        var types: [Located<String>] = []
        var rawSQL: [String] = []
        var createdTypes: [String] = []
        for change in spec.changes {
            types += change.operation.base.columnTypes
            if let raw = change.operation.unit(RawSQL.self) { rawSQL.append(raw.up.value.lowercased()) }
            if let created = change.operation.unit(CreateEnum.self) { createdTypes.append(created.name.value.lowercased()) }
        }
        let userTypes = Set((schema?.userTypes ?? []).map { $0.lowercased() } + createdTypes)
        for type in types {
            guard let problem = EngineTypes.foreign(type.value, engine: engine) else { continue }
            if engine == .postgresql {
                let name = EngineTypes.name(type.value).split(separator: " ").first.map(String.init) ?? ""
                if userTypes.contains(name) || userTypes.contains(where: { $0.hasSuffix("." + name) })
                    || rawSQL.contains(where: { $0.contains(name) }) { continue }
            }
            diagnostics.report(.engineType, Message.engineType(type.value, engine: engine, problem: problem), at: type.location)
        }
    }
}

extension Message {
    static func engineType(_ type: String, engine: MigrationSpec.Engine, problem: EngineTypes.Foreign) -> String {
        let target = engine == .mysql ? "MySQL" : "PostgreSQL"
        return "type '\(type)' does not exist on \(target): \(problem.what) is \(problem.engine) only; use \(problem.instead)"
    }
}
