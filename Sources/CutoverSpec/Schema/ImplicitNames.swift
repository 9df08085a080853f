/// The names a server gives an object its DDL does not name (a schema file's `PRIMARY KEY (id)`):
/// PostgreSQL's `makeObjectName`, `name1_name2_label`, shortening the longer of the two names until the
/// whole fits in 63 bytes. What cutover's own DDL names is `ObjectNames`.
package enum ImplicitNames {
    static let postgresLimit = 63

    static func postgres(_ table: String, _ columns: [String], _ label: String) -> String {
        var name1 = Array(table.unicodeScalars)
        var name2 = Array(columns.joined(separator: "_").unicodeScalars)
        let overhead = label.utf8.count + 1 + (name2.isEmpty ? 0 : 1)
        let available = postgresLimit - overhead
        var bytes1 = name1.reduce(0) { $0 + UTF8.width($1) }
        var bytes2 = name2.reduce(0) { $0 + UTF8.width($1) }
        while bytes1 + bytes2 > available, !(name1.isEmpty && name2.isEmpty) {
            if bytes1 > bytes2 { bytes1 -= UTF8.width(name1.removeLast()) } else { bytes2 -= UTF8.width(name2.removeLast()) }
        }
        var result = String(String.UnicodeScalarView(name1))
        if !name2.isEmpty { result += "_" + String(String.UnicodeScalarView(name2)) }
        return result + "_" + label
    }
}
