/// The stable ids of every finding cutover reports. Ids never change meaning once released;
/// a retired rule keeps its number reserved.
public enum RuleID: String, Sendable, Codable, CaseIterable, Comparable {
    // Input and YAML syntax
    case yamlSyntax = "CUT001"
    case inputLimit = "CUT002"
    case encoding = "CUT003"
    case anchorAlias = "CUT004"
    case duplicateKey = "CUT005"
    case documentCount = "CUT006"
    case yamlTag = "CUT007"
    case complexKey = "CUT008"
    // Structure
    case unknownKey = "CUT010"
    case wrongType = "CUT011"
    case missingField = "CUT012"
    case invalidEnum = "CUT013"
    case operationShape = "CUT014"
    case apiVersion = "CUT015"
    case emptyChanges = "CUT016"
    // Names
    case resourceName = "CUT020"
    case sqlIdentifier = "CUT021"
    case unsafeSQL = "CUT022"
    case typeExpression = "CUT023"
    case kubernetesName = "CUT024"
    case imageReference = "CUT025"
    case duplicateMigration = "CUT026"
    case clientCommand = "CUT027"
    case unterminatedSQL = "CUT028"
    // Values
    case duration = "CUT030"
    case ratio = "CUT031"
    case count = "CUT032"
    case port = "CUT033"
    case canarySteps = "CUT034"
    case engineConsistency = "CUT035"
    case strategyFields = "CUT036"
    case quantity = "CUT037"
    case url = "CUT038"
    // Meaning
    case notNullWithoutDefault = "CUT040"
    case unknownTable = "CUT041"
    case unknownColumn = "CUT042"
    case unknownIndexOrConstraint = "CUT043"
    case alreadyExists = "CUT044"
    case schemaFile = "CUT045"
    case schemaStatementSkipped = "CUT046"
    case uncheckedSQL = "CUT047"
    case referenceMismatch = "CUT049"
    // Secrets and supply chain
    case inlineSecret = "CUT050"
    case unpinnedImage = "CUT051"
    // Changes the lowering cannot make safe
    case columnChangedTwice = "CUT052"
    case unsafeRollback = "CUT053"
    // Settings that do not do what they say
    case ignoredLagLimit = "CUT054"
    case deadlineRaised = "CUT055"
    // Blue-green replication
    case replicaIdentity = "CUT056"
    // Changes the lowering cannot order
    case renamedAfterUse = "CUT057"
    // Views, triggers and partitions of the base schema
    case dependentTouched = "CUT060"
    case dependentBreaks = "CUT061"
    // App version schemas
    case versionSchemasEngine = "CUT068"

    /// The kebab-case name shown beside the id in `explain` and SARIF.
    public var name: String {
        switch self {
        case .yamlSyntax: return "yaml-syntax"
        case .inputLimit: return "input-limit"
        case .encoding: return "encoding"
        case .anchorAlias: return "anchor-alias"
        case .duplicateKey: return "duplicate-key"
        case .documentCount: return "document-count"
        case .yamlTag: return "yaml-tag"
        case .complexKey: return "complex-key"
        case .unknownKey: return "unknown-key"
        case .wrongType: return "wrong-type"
        case .missingField: return "missing-field"
        case .invalidEnum: return "invalid-enum"
        case .operationShape: return "operation-shape"
        case .apiVersion: return "api-version"
        case .emptyChanges: return "empty-changes"
        case .resourceName: return "resource-name"
        case .sqlIdentifier: return "sql-identifier"
        case .unsafeSQL: return "unsafe-sql"
        case .typeExpression: return "type-expression"
        case .kubernetesName: return "kubernetes-name"
        case .imageReference: return "image-reference"
        case .duplicateMigration: return "duplicate-migration"
        case .clientCommand: return "client-command"
        case .unterminatedSQL: return "unterminated-sql"
        case .duration: return "duration"
        case .ratio: return "ratio"
        case .count: return "count"
        case .port: return "port"
        case .canarySteps: return "canary-steps"
        case .engineConsistency: return "engine-consistency"
        case .strategyFields: return "strategy-fields"
        case .quantity: return "quantity"
        case .url: return "url"
        case .notNullWithoutDefault: return "not-null-without-default"
        case .unknownTable: return "unknown-table"
        case .unknownColumn: return "unknown-column"
        case .unknownIndexOrConstraint: return "unknown-index-or-constraint"
        case .alreadyExists: return "already-exists"
        case .schemaFile: return "schema-file"
        case .schemaStatementSkipped: return "schema-statement-skipped"
        case .uncheckedSQL: return "unchecked-sql"
        case .referenceMismatch: return "reference-mismatch"
        case .inlineSecret: return "inline-secret"
        case .unpinnedImage: return "unpinned-image"
        case .columnChangedTwice: return "column-changed-twice"
        case .unsafeRollback: return "unsafe-rollback"
        case .ignoredLagLimit: return "ignored-lag-limit"
        case .deadlineRaised: return "deadline-raised"
        case .replicaIdentity: return "replica-identity"
        case .dependentTouched: return "dependent-touched"
        case .dependentBreaks: return "dependent-breaks"
        case .versionSchemasEngine: return "version-schemas-engine"
        case .renamedAfterUse: return "renamed-after-use"
        }
    }

    public var defaultSeverity: Diagnostic.Severity {
        switch self {
        case .schemaStatementSkipped: return .note
        case .uncheckedSQL, .unpinnedImage, .unsafeRollback, .ignoredLagLimit, .deadlineRaised, .dependentTouched: return .warning
        default: return .error
        }
    }

    public static func < (lhs: RuleID, rhs: RuleID) -> Bool { lhs.rawValue < rhs.rawValue }
}

extension RuleID {
    /// Finds a rule by id (`CUT010`, case-insensitive) or by name (`unknown-key`).
    public static func lookup(_ text: String) -> RuleID? {
        allCases.first { $0.rawValue.lowercased() == text.lowercased() || $0.name == text.lowercased() }
    }
}
