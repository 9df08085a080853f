/// A PostgreSQL enum type (`CREATE TYPE name AS ENUM ('a', 'b')`): its name as written (qualified
/// when not in `public`) and its labels in sort order, as a dump or the spec's enum changes leave them.
/// MySQL has no named enum types (its `ENUM('a','b')` is a column type, read with the column).
public struct EnumType: Sendable, Equatable {
    public var name: String
    public var labels: [String]

    public init(name: String, labels: [String]) {
        self.name = name
        self.labels = labels
    }

    /// Inserts `label` where `ALTER TYPE … ADD VALUE` puts it: before or after a label, else last.
    package mutating func add(_ label: String, before: String?, after: String?) {
        guard !labels.contains(label) else { return }
        if let before, let index = labels.firstIndex(of: before) { labels.insert(label, at: index) }
        else if let after, let index = labels.firstIndex(of: after) { labels.insert(label, at: index + 1) }
        else { labels.append(label) }
    }

    package mutating func rename(_ from: String, to: String) {
        if let index = labels.firstIndex(of: from) { labels[index] = to }
    }
}

extension DatabaseSchema {
    /// The enum type `name` (its bare name finds it in `public`).
    public func enumType(_ name: String) -> EnumType? { enumTypes.first { $0.name == name } }

    package mutating func updateEnumType(_ name: String, _ change: (inout EnumType) -> Void) {
        guard let index = enumTypes.firstIndex(where: { $0.name == name }) else { return }
        change(&enumTypes[index])
    }
}

extension EnumType {
    /// The labels of a MySQL inline `enum('a','b''c')` type (as the spec, a dump or
    /// information_schema writes it); nil for any other type.
    package static func mysqlLabels(_ type: String) -> [String]? {
        let text = type.trimmingCharacters(in: .whitespaces)
        guard text.lowercased().hasPrefix("enum"), let open = text.firstIndex(of: "("), text.hasSuffix(")"),
              text[text.startIndex..<open].trimmingCharacters(in: .whitespaces).lowercased() == "enum" else { return nil }
        var labels: [String] = []
        var current: String?
        var index = text.index(after: open)
        let end = text.index(before: text.endIndex)
        while index < end {
            let character = text[index]
            if var label = current {
                if character == "'" {
                    let next = text.index(after: index)
                    if next < end && text[next] == "'" { label.append("'"); current = label; index = text.index(after: next); continue }
                    labels.append(label)
                    current = nil
                } else {
                    label.append(character)
                    current = label
                }
            } else if character == "'" {
                current = ""
            } else if character != "," && character != " " {
                return nil
            }
            index = text.index(after: index)
        }
        return current == nil ? labels : nil
    }

    /// `enum(…)` as information_schema.columns.column_type spells it: lower case, no spaces, '' for '.
    package static func mysqlColumnType(_ labels: [String]) -> String {
        "enum(" + labels.map { "'" + $0.doublingScalars("'") + "'" }.joined(separator: ",") + ")"
    }

    /// MySQL 8 and MariaDB change an inline enum in place, without a table copy, when labels are only
    /// appended at the end and the storage size stays the same (1 byte up to 255 labels, 2 above).
    package static func isMySQLAppend(from old: String, to new: String) -> Bool {
        guard let a = mysqlLabels(old), let b = mysqlLabels(new), b.count > a.count, Array(b.prefix(a.count)) == a,
              Set(b).count == b.count else { return false }
        return (a.count <= 255) == (b.count <= 255)
    }
}
