import Foundation

/// Stage 2a: checks the syntax tree against `SpecShape`: unknown keys (with a suggestion), types,
/// required fields, enum values, one operation per change, the format of every string, and secrets.
public struct ShapeChecker: Sendable {
    public let limits: InputLimits
    /// The spec's shape with every operation's entry (`SpecLanguage.migration`).
    let migration: ObjectShape

    package init(limits: InputLimits = .default, migration: ObjectShape) {
        self.limits = limits
        self.migration = migration
    }

    public func check(_ root: SyntaxNode, diagnostics: inout DiagnosticBag) {
        checkShape(root, diagnostics: &diagnostics)
        ConsistencyRules(migration: migration).check(root, diagnostics: &diagnostics)
    }

    /// The shape alone, without `ConsistencyRules` (`SpecValidator` tells their errors apart).
    public func checkShape(_ root: SyntaxNode, diagnostics: inout DiagnosticBag) {
        check(root, against: .object(migration), field: "spec", diagnostics: &diagnostics)
    }

    private func check(_ node: SyntaxNode, against shape: Shape, field: String, diagnostics: inout DiagnosticBag) {
        switch shape {
        case .object(let object):
            guard let entries = node.entries else {
                return wrongType(node, field: field, expected: "a mapping", &diagnostics)
            }
            checkObject(node, entries, object, diagnostics: &diagnostics)
        case .list(let element, let minItems):
            guard let items = node.items else {
                return wrongType(node, field: field, expected: "a list", &diagnostics)
            }
            if items.count < minItems {
                diagnostics.report(field == "changes" ? .emptyChanges : .wrongType, Message.tooFewItems(field, minimum: minItems), at: node.location)
            }
            if field == "changes" && items.count > limits.maxChanges {
                diagnostics.report(.inputLimit, Message.tooManyChanges(items.count, limit: limits.maxChanges), at: node.location)
                return
            }
            for item in items { check(item, against: element, field: field, diagnostics: &diagnostics) }
        case .oneKey(let name, let fields):
            guard let entries = node.entries else {
                return wrongType(node, field: field, expected: "a mapping with one \(name)", &diagnostics)
            }
            guard entries.count == 1, let entry = entries.first else {
                diagnostics.report(.operationShape, Message.operationCount(entries.count, of: name), at: node.location)
                return
            }
            guard let chosen = fields.first(where: { $0.name == entry.key }) else {
                let suggestion = Suggestion.closest(to: entry.key, among: fields.map(\.name))
                diagnostics.report(.operationShape, Message.unknownChoice(entry.key, of: name, suggestion: suggestion), at: entry.keyLocation)
                return
            }
            check(entry.value, against: chosen.shape, field: chosen.name, diagnostics: &diagnostics)
        case .dictionary(let keyFormat, let value):
            guard let entries = node.entries else {
                return wrongType(node, field: field, expected: "a mapping", &diagnostics)
            }
            for entry in entries {
                if let (rule, message) = keyFormat.problem(entry.key, field: field) {
                    diagnostics.report(rule, message, at: entry.keyLocation)
                }
                check(entry.value, against: value, field: "\(field).\(entry.key)", diagnostics: &diagnostics)
            }
        case .textOrObject(let format, let object):
            if let entries = node.entries { return checkObject(node, entries, object, diagnostics: &diagnostics) }
            if node.scalarValue == nil || node.isNull {
                return wrongType(node, field: field, expected: "a string or a mapping (\(object.name))", &diagnostics)
            }
            check(node, against: .text(format), field: field, diagnostics: &diagnostics)
        case .text(let format):
            guard let text = scalar(node, field: field, expected: "a string", &diagnostics) else { return }
            if format != .url, let secret = Self.credentialURL(in: text) {
                diagnostics.report(.inlineSecret, Message.credentialsInURL(field), at: node.location)
                _ = secret
                return
            }
            if let (rule, message) = format.problem(text, field: field) {
                diagnostics.report(rule, message, at: node.location)
            }
        case .integer(let min, let max, let rule):
            guard let text = scalar(node, field: field, expected: "an integer", &diagnostics) else { return }
            guard case .scalar(_, .plain) = node.kind, let value = ScalarResolution.integer(text) else {
                return wrongType(node, field: field, expected: "an integer", &diagnostics)
            }
            if let min, value < min { return outOfRange(node, field, text, min.description, max?.description, rule, &diagnostics) }
            if let max, value > max { return outOfRange(node, field, text, min?.description, max.description, rule, &diagnostics) }
        case .number(let min, let max, let rule):
            guard let text = scalar(node, field: field, expected: "a number", &diagnostics) else { return }
            guard case .scalar(_, .plain) = node.kind, let value = ScalarResolution.number(text) else {
                return wrongType(node, field: field, expected: "a number", &diagnostics)
            }
            if let min, value < min { return outOfRange(node, field, text, Self.format(min), max.map(Self.format), rule, &diagnostics) }
            if let max, value > max { return outOfRange(node, field, text, min.map(Self.format), Self.format(max), rule, &diagnostics) }
        case .boolean:
            guard let text = scalar(node, field: field, expected: "true or false", &diagnostics) else { return }
            guard case .scalar(_, .plain) = node.kind, ScalarResolution.bool(text) != nil else {
                return wrongType(node, field: field, expected: "true or false", &diagnostics)
            }
        case .keyword(let allowed):
            guard let text = scalar(node, field: field, expected: "a string", &diagnostics) else { return }
            if !allowed.contains(Shape.keywordValue(text)) {
                let suggestion = Suggestion.closest(to: Shape.keywordValue(text), among: allowed)
                diagnostics.report(.invalidEnum, Message.invalidEnum(text, field: field, allowed: allowed, suggestion: suggestion), at: node.location)
            }
        case .choice(let allowed):
            guard let text = scalar(node, field: field, expected: "a string", &diagnostics) else { return }
            if !allowed.contains(text) {
                if field == "apiVersion" {
                    diagnostics.report(.apiVersion, Message.apiVersion(text), at: node.location)
                } else if field == "kind" {
                    diagnostics.report(.apiVersion, Message.kind(text), at: node.location)
                } else {
                    let suggestion = Suggestion.closest(to: text, among: allowed)
                    diagnostics.report(.invalidEnum, Message.invalidEnum(text, field: field, allowed: allowed, suggestion: suggestion), at: node.location)
                }
            }
        }
    }

    private func checkObject(_ node: SyntaxNode, _ entries: [SyntaxNode.Entry], _ object: ObjectShape, diagnostics: inout DiagnosticBag) {
        for entry in entries {
            if let field = object.field(entry.key) {
                check(entry.value, against: field.shape, field: field.name, diagnostics: &diagnostics)
            } else if Self.looksLikeSecret(entry.key) {
                diagnostics.report(.inlineSecret, Message.inlineSecret(entry.key), at: entry.keyLocation)
            } else {
                let suggestion = Suggestion.closest(to: entry.key, among: object.fields.map(\.name))
                diagnostics.report(.unknownKey, Message.unknownKey(entry.key, in: object.name, suggestion: suggestion), at: entry.keyLocation)
            }
        }
        for field in object.fields where field.required && node[field.name] == nil {
            diagnostics.report(.missingField, Message.missingField(field.name, in: object.name), at: node.location)
        }
    }

    private func scalar(_ node: SyntaxNode, field: String, expected: String, _ diagnostics: inout DiagnosticBag) -> String? {
        guard let value = node.scalarValue, !node.isNull else {
            wrongType(node, field: field, expected: expected, &diagnostics)
            return nil
        }
        return value
    }

    private func wrongType(_ node: SyntaxNode, field: String, expected: String, _ diagnostics: inout DiagnosticBag) {
        // `default: null` is how some tools drop a default; point at the field that does it here.
        let hint = field == "default" && node.typeName == "null" ? Message.dropDefaultHint : ""
        diagnostics.report(.wrongType, Message.wrongType(field, expected: expected, found: node.typeName) + hint, at: node.location)
    }

    private func outOfRange(_ node: SyntaxNode, _ field: String, _ value: String, _ min: String?, _ max: String?,
                            _ rule: RuleID, _ diagnostics: inout DiagnosticBag) {
        diagnostics.report(rule, Message.outOfRange(field, value: value, min: min, max: max), at: node.location)
    }

    private static func format(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }

    /// Key names that carry credentials; `credentialsSecret` (a reference) is a known field and never gets here.
    static func looksLikeSecret(_ key: String) -> Bool {
        let lower = key.lowercased()
        return ["password", "passwd", "pwd", "secret", "token", "apikey", "api_key", "api-key", "privatekey",
                "private_key", "accesskey", "access_key", "credentials", "dsn", "connectionstring"]
            .contains { lower.contains($0) }
    }

    /// `scheme://user:password@host`: a connection string with its password inline.
    static func credentialURL(in text: String) -> Substring? {
        // Most values hold no "@": that test is cheap, Foundation's `range(of:)` on every scalar of a spec is not.
        guard text.utf8.contains(UInt8(ascii: "@")), let scheme = text.range(of: "://") else { return nil }
        let rest = text[scheme.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != " " && $0 != "\n" }
        guard let at = authority.lastIndex(of: "@") else { return nil }
        let userinfo = authority[..<at]
        return userinfo.contains(":") ? userinfo : nil
    }
}

extension Message {
    public static func operationCount(_ count: Int, of name: String) -> String {
        count == 0 ? "a \(name) must be a mapping with exactly one key, found none"
            : "a \(name) must be a mapping with exactly one key, found \(count)"
    }
    public static func unknownChoice(_ key: String, of name: String, suggestion: String?) -> String {
        if let suggestion { return "unknown \(name) '\(key)' (did you mean '\(suggestion)'?)" }
        return "unknown \(name) '\(key)'"
    }
}
