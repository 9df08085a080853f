/// Every diagnostic message, as typed factories: lower case, no trailing period, user values in quotes.
public enum Message {
    // Input
    public static func fileTooLarge(_ size: Int, limit: Int) -> String {
        "file is \(size) bytes, over the limit of \(limit) bytes (raise it with --max-bytes)"
    }
    public static let utf16 = "file is UTF-16; specs must be UTF-8"
    public static let nulByte = "file contains a NUL byte"
    public static let invalidUTF8 = "file is not valid UTF-8 here"
    public static let parserUnavailable = "the YAML parser could not start"
    public static func yamlSyntax(problem: String, context: String?) -> String {
        if let context, !context.isEmpty { return "invalid YAML: \(problem) (\(context))" }
        return "invalid YAML: \(problem)"
    }
    public static let noDocument = "file holds no YAML document; a spec is one mapping"
    public static let multipleDocuments = "file holds more than one YAML document; put each migration in its own file"
    public static let alias = "YAML aliases are not allowed in specs; write the value out"
    public static let anchor = "YAML anchors are not allowed in specs; write the value out"
    public static let mergeKey = "YAML merge keys '<<' are not allowed in specs; write the keys out"
    public static func tag(_ tag: String) -> String { "YAML tag '\(tag)' is not allowed in specs" }
    public static let complexKey = "mapping keys must be plain strings"
    public static func scalarTooLong(_ length: Int, limit: Int) -> String {
        "value is \(length) bytes, over the limit of \(limit) bytes"
    }
    public static func tooDeep(limit: Int) -> String { "nesting is deeper than the limit of \(limit) levels" }
    public static func collectionTooLarge(limit: Int) -> String { "a mapping or list here has more than \(limit) entries" }
    public static func tooManyNodes(limit: Int) -> String { "file has more than \(limit) YAML nodes" }
    public static func duplicateKey(_ key: String) -> String { "duplicate key '\(key)'" }
    public static func tooManyChanges(_ count: Int, limit: Int) -> String {
        "spec has \(count) changes, over the limit of \(limit)"
    }

    // Structure
    public static func unknownKey(_ key: String, in context: String, suggestion: String?) -> String {
        if let suggestion { return "unknown key '\(key)' in \(context) (did you mean '\(suggestion)'?)" }
        return "unknown key '\(key)' in \(context)"
    }
    public static func wrongType(_ field: String, expected: String, found: String) -> String {
        "'\(field)' must be \(expected), found \(found)"
    }
    public static func missingField(_ field: String, in context: String) -> String {
        "missing required field '\(field)' in \(context)"
    }
    public static func invalidEnum(_ value: String, field: String, allowed: [String], suggestion: String?) -> String {
        let list = allowed.map { "'\($0)'" }.joined(separator: ", ")
        if let suggestion { return "'\(field)' must be one of \(list), found '\(value)' (did you mean '\(suggestion)'?)" }
        return "'\(field)' must be one of \(list), found '\(value)'"
    }
    public static func unknownOperation(_ key: String, suggestion: String?) -> String {
        if let suggestion { return "unknown operation '\(key)' (did you mean '\(suggestion)'?)" }
        return "unknown operation '\(key)'"
    }
    public static func operationCount(_ count: Int) -> String {
        count == 0 ? "a change must name exactly one operation, found none"
            : "a change must name exactly one operation, found \(count)"
    }
    public static func apiVersion(_ value: String) -> String {
        "apiVersion must be 'cutover.dev/v1alpha1', found '\(value)'"
    }
    public static func kind(_ value: String) -> String { "kind must be 'Migration', found '\(value)'" }
    public static let emptyChanges = "an expand-contract migration needs at least one change"
    public static func tooFewItems(_ field: String, minimum: Int) -> String {
        "'\(field)' needs at least \(minimum) item\(minimum == 1 ? "" : "s")"
    }
}

extension Message {
    public static func controlCharacter(_ field: String) -> String { "'\(field)' contains a NUL character" }
    public static func sqlIdentifier(_ text: String, field: String, problem: String) -> String {
        "'\(text)' in '\(field)' is not a valid SQL identifier: \(problem)"
    }
    public static func typeExpression(_ text: String, problem: String) -> String {
        "'\(text)' is not a valid type expression: \(problem)"
    }
    public static func unsafeSQL(_ field: String, problem: String) -> String {
        "'\(field)' is not a safe SQL expression: \(problem)"
    }
    public static func resourceName(_ text: String, problem: String) -> String {
        "'\(text)' is not a valid migration name: \(problem); it must be a DNS-1123 label of at most \(MigrationNames.maxLength) characters"
    }
    public static func kubernetesName(_ text: String, field: String, problem: String) -> String {
        "'\(text)' is not a valid value for '\(field)': \(problem)"
    }
    public static func duration(_ text: String, field: String) -> String {
        "'\(text)' is not a valid duration for '\(field)'; write a positive number and a unit: 500ms, 2s, 5m, 1h"
    }
    public static func url(_ text: String, field: String, problem: String) -> String {
        "'\(text)' is not a valid URL for '\(field)': \(problem)"
    }
    public static func image(_ text: String, problem: String) -> String {
        "'\(text)' is not a valid image reference: \(problem)"
    }
    public static func quantity(_ text: String, field: String) -> String {
        "'\(text)' is not a valid Kubernetes quantity for '\(field)', e.g. '500m', '1Gi'"
    }
    public static func path(_ text: String, problem: String) -> String { "schema path '\(text)' is not allowed: \(problem)" }
    public static func version(_ text: String, field: String) -> String {
        "'\(text)' is not a valid version for '\(field)', e.g. '15' or '8.0'"
    }
    public static func flagKey(_ text: String) -> String {
        "'\(text)' is not a valid feature-flag key: use letters, digits, '_', '-' and '.'"
    }
    public static func outOfRange(_ field: String, value: String, min: String?, max: String?) -> String {
        switch (min, max) {
        case let (min?, max?): return "'\(field)' must be between \(min) and \(max), found \(value)"
        case let (min?, nil): return "'\(field)' must be at least \(min), found \(value)"
        case let (nil, max?): return "'\(field)' must be at most \(max), found \(value)"
        default: return "'\(field)' is out of range: \(value)"
        }
    }
    public static func inlineSecret(_ key: String) -> String {
        "'\(key)' looks like a credential; never put secrets in a spec, reference a Secret with 'database.credentialsSecret'"
    }
    public static func credentialsInURL(_ field: String) -> String {
        "'\(field)' carries credentials in a URL; reference a Secret with 'database.credentialsSecret'"
    }
}

extension Message {
    public static func duplicateMigration(_ name: String, first: String) -> String {
        "migration name '\(name)' is also used by '\(first)'; each spec writes to its own folder"
    }
}
