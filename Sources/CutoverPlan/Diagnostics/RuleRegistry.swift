/// Every rule, one registration line each, in id order. A rule's id, documentation, examples and
/// messages live in its own file (see `Rule`); `cutover explain`, docs/rules.md, SARIF and the rule
/// example tests all read this list.
package enum RuleRegistry {
    package static let rules: [Rule] = ([
        YAMLSyntaxRule.rule,
        InputLimitRule.rule,
        EncodingRule.rule,
        AnchorAliasRule.rule,
        DuplicateKeyRule.rule,
        DocumentCountRule.rule,
        YAMLTagRule.rule,
        ComplexKeyRule.rule,
        UnknownKeyRule.rule,
        WrongTypeRule.rule,
        MissingFieldRule.rule,
        InvalidEnumRule.rule,
        OperationShapeRule.rule,
        ApiVersionRule.rule,
        EmptyChangesRule.rule,
        ResourceNameRule.rule,
        SQLIdentifierRule.rule,
        UnsafeSQLRule.rule,
        TypeExpressionRule.rule,
        KubernetesNameRule.rule,
        ImageReferenceRule.rule,
        DuplicateMigrationRule.rule,
        ClientCommandRule.rule,
        UnterminatedSQLRule.rule,
        DurationRule.rule,
        RatioRule.rule,
        CountRule.rule,
        PortRule.rule,
        CanaryStepsRule.rule,
        EngineConsistencyRule.rule,
        StrategyFieldsRule.rule,
        QuantityRule.rule,
        URLRule.rule,
        NotNullWithoutDefaultRule.rule,
        UnknownTableRule.rule,
        UnknownColumnRule.rule,
        UnknownIndexOrConstraintRule.rule,
        AlreadyExistsRule.rule,
        SchemaFileRule.rule,
        SchemaStatementSkippedRule.rule,
        ReferenceMismatchRule.rule,
        InlineSecretRule.rule,
        UnpinnedImageRule.rule,
        ColumnChangedTwiceRule.rule,
        UnsafeRollbackRule.rule,
        IgnoredLagLimitRule.rule,
        DeadlineRaisedRule.rule,
        ReplicaIdentityRule.rule,
        DependentTouchedRule.rule,
        DependentBreaksRule.rule,
        VersionSchemasEngineRule.rule,
        EngineTypeRule.rule,
        BackfillTriggerRule.rule,
        NetworkPolicyClientsRule.rule,
        MySQLTableCopyRule.rule,
        MySQLRetypedDefaultRule.rule,
        MySQLForeignKeyTypeRule.rule,
        AddedDefaultUpRule.rule,
        RetypedColumnKeyRule.rule,
        RetypedColumnKeyRule.indexRule,
        RetypedColumnKeyRule.predicateRule,
        RetypedIndexOptionsRule.rule,
        PostgresRetypedCheckRule.rule,
        PostgresRetypedWriteRule.rule,
        MySQLRetypedWriteRule.rule,
        MySQLSwapClientRule.rule,
        MySQLVersionDatabasesSQLRule.rule,
        ForeignKeyIndexRule.rule,
        SchemaNameRule.rule,
    ] + OperationUnits.rules).sorted { $0.id < $1.id }  // an operation unit declares its rules in its own file

    private static let byID: [RuleID: Rule] = Dictionary(uniqueKeysWithValues: rules.map { ($0.id, $0) })

    /// Every diagnostic asks for its rule's severity: a small table, not a copy of the whole rule.
    static let severities: [RuleID: Diagnostic.Severity] = Dictionary(uniqueKeysWithValues: rules.map { ($0.id, $0.severity) })

    static func rule(_ id: RuleID) -> Rule {
        guard let rule = byID[id] else { preconditionFailure("rule \(id.rawValue) is not registered in RuleRegistry") }
        return rule
    }
}
