import CutoverPlan
import Foundation

/// Prints `SpecShape` as JSON Schema draft 2020-12 for editors (yaml-language-server) and CI linters.
public struct JSONSchemaPrinter: Sendable {
    public static let id = "https://cutover.dev/schemas/v1alpha1/migration.json"

    public init() {}

    public func render() -> String {
        var root = schema(for: .object(SpecShape.migration), summary: SpecShape.migration.summary)
        root["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        root["$id"] = Self.id
        root["title"] = "cutover Migration (v1alpha1)"
        let data = (try? JSONSerialization.data(withJSONObject: root, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    private func schema(for shape: Shape, summary: String?) -> [String: Any] {
        var out: [String: Any] = [:]
        if let summary { out["description"] = summary }
        switch shape {
        case .object(let object):
            out["type"] = "object"
            out["additionalProperties"] = false
            var properties: [String: Any] = [:]
            for field in object.fields {
                var property = schema(for: field.shape, summary: field.summary)
                if let defaultText = field.defaultText { property["description"] = "\(field.summary) (default: \(defaultText))" }
                if let example = field.example { property["examples"] = [example] }
                properties[field.name] = property
            }
            out["properties"] = properties
            let required = object.fields.filter(\.required).map(\.name)
            if !required.isEmpty { out["required"] = required }
        case .list(let element, let minItems):
            out["type"] = "array"
            out["items"] = schema(for: element, summary: nil)
            if minItems > 0 { out["minItems"] = minItems }
        case .text(let format):
            // Expressions and versions may be written as bare YAML numbers or booleans (default: 0).
            switch format {
            case .sqlExpression: out["type"] = ["string", "number", "boolean"]
            case .version: out["type"] = ["string", "number"]
            default: out["type"] = "string"
            }
            if let pattern = format.pattern { out["pattern"] = pattern }
            if summary == nil { out["description"] = format.summary }
        case .integer(let min, let max, _):
            out["type"] = "integer"
            if let min { out["minimum"] = min }
            if let max { out["maximum"] = max }
        case .number(let min, let max, _):
            out["type"] = "number"
            if let min { out["minimum"] = min }
            if let max { out["maximum"] = max }
        case .boolean:
            out["type"] = "boolean"
        case .choice(let values):
            out["enum"] = values
        case .keyword(let values):
            out["type"] = "string"
            out["pattern"] = "^(" + values.map(Shape.caseInsensitivePattern).joined(separator: "|") + ")$"
        case .oneKey(_, let fields):
            out["oneOf"] = fields.map { field -> [String: Any] in
                [
                    "type": "object",
                    "additionalProperties": false,
                    "required": [field.name],
                    "properties": [field.name: schema(for: field.shape, summary: field.summary)],
                ]
            }
        case .dictionary(_, let value):
            out["type"] = "object"
            out["additionalProperties"] = schema(for: value, summary: nil)
        case .textOrObject(let format, let object):
            out["oneOf"] = [schema(for: .text(format), summary: nil), schema(for: .object(object), summary: object.summary)]
        }
        return out
    }
}
