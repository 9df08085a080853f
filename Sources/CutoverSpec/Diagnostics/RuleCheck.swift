/// The check units that report rules. A rule names the units that report it, so a reader of the rule
/// finds its check, and a reader of a check finds its rules' documentation.
public enum RuleCheck: String, Sendable, CaseIterable {
    /// `SourceDecoder`, `BoundedFile` and `Compiler`: bytes, size and encoding, before YAML.
    case input
    /// `SyntaxParser`: libyaml events into the syntax tree.
    case syntax
    /// `ShapeChecker` over `SpecShape`, with `TextFormat.problem` for formatted text.
    case shape
    /// `ScriptRules`: how psql and the mysql client read hand-written SQL.
    case scripts
    /// `ConsistencyRules`: fields that must fit together, on the syntax tree; it runs the checks kept in
    /// their rules' units (`CanaryStepsRule`, `IgnoredLagLimitRule`, `DeadlineRaisedRule`, `UnpinnedImageRule`).
    case consistency
    /// `SpecValidator.loadSchema`: the base schema file.
    case schemaFile
    /// `SchemaReader`: the statements of the base schema.
    case schemaReader
    /// `ReferenceRules` over `SymbolicSchema`: the changes in order against the schema.
    case references
    /// `DependentRules`: views, triggers and partitions of the base schema; `MariaDBGeneratedColumnRules`:
    /// the generated columns that make MariaDB refuse a step's online ALTER.
    case dependents
    /// `MySQLTriggerRules`: what MySQL's sync and fill triggers cannot see (the AUTO_INCREMENT value,
    /// foreign-key actions).
    case triggers
    /// `EngineTypeRule.check`: the changes' column types against the target engine.
    case types
    /// `MySQLTableCopyRule.check`: the MySQL lowering of each change of a spec without errors (the steps
    /// the plan will hold), run last by `SpecValidator`.
    case lowering
    /// `ReplicaIdentityRule`: blue-green's published tables.
    case replicaIdentity
    /// `cutover generate` given several specs (`Generate.duplicateNames`).
    case generate
}
