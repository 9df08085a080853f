import Foundation
import Yams

/// Building blocks for Kubernetes YAML as Yams nodes, and the one serializer every manifest goes
/// through. Mappings keep the order they are built in; strings that a YAML 1.1 reader would take for
/// something else ("yes", "8080", "0.0005", "on", "") are single-quoted so they stay strings.
public enum ManifestYAML {
    /// A string scalar: plain when that reads back as the same string, single-quoted otherwise, and a
    /// literal block when it spans lines.
    public static func string(_ value: String) -> Node {
        if contains(value, 0x0A) {
            // A literal block keeps lines as they are; a line too long for yamllint's 200 columns goes
            // double-quoted instead, which the serializer folds at spaces. (libyaml itself falls back
            // to double quotes for text a block cannot hold, such as trailing spaces.)
            return Node(value, YAMLTags.str, longestLine(value) > maxLiteralLineLength ? .doubleQuoted : .literal)
        }
        if needsQuotes(value) { return Node(value, YAMLTags.str, .singleQuoted) }
        return Node(value, YAMLTags.str, .any)
    }

    /// Lines longer than this leave literal blocks (the block is indented by up to 40 columns).
    public static let maxLiteralLineLength = 150

    /// The length in characters of the longest line, lines split at "\n" characters. One pass over
    /// the bytes; only a line with non-ASCII bytes and more bytes than the limit is counted in
    /// characters, and text with "\r" (where "\r\n" is one character) takes the slow path.
    /// Whether the text has this byte (memchr over the UTF-8, not a walk of the UTF8View).
    static func contains(_ value: String, _ byte: UInt8) -> Bool {
        var text = value
        return text.withUTF8 { bytes in
            guard let base = bytes.baseAddress else { return false }
            return memchr(base, Int32(byte), bytes.count) != nil
        }
    }

    static func longestLine(_ value: String) -> Int {
        if contains(value, 0x0D) {
            return value.split(separator: "\n", omittingEmptySubsequences: false).map(\.count).max() ?? 0
        }
        var text = value
        return text.withUTF8 { bytes -> Int in
            guard let base = bytes.baseAddress else { return 0 }
            var longest = 0
            var start = 0
            while start <= bytes.count {
                let rest = bytes.count - start
                let end = rest == 0 ? start : (memchr(base + start, 0x0A, rest).map { UnsafeRawPointer($0) - UnsafeRawPointer(base) } ?? bytes.count)
                var length = end - start
                // Characters never outnumber bytes, so only a line longer in bytes needs counting.
                if length > maxLiteralLineLength && !UnsafeBufferPointer(rebasing: bytes[start..<end]).allSatisfy({ $0 < 0x80 }) {
                    length = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self).count
                }
                longest = max(longest, length)
                start = end + 1
            }
            return longest
        }
    }

    public static func int(_ value: Int) -> Node { Node(String(value), YAMLTags.int, .plain) }

    public static func bool(_ value: Bool) -> Node { Node(value ? "true" : "false", YAMLTags.bool, .plain) }

    /// A mapping in the given key order; nil values are left out.
    public static func mapping(_ pairs: [(String, Node?)]) -> Node {
        Node(pairs.compactMap { key, value in value.map { (string(key), $0) } }, YAMLTags.map, .block)
    }

    /// A mapping of strings, in the given order (callers sort where the source is a dictionary).
    public static func stringMapping(_ pairs: [(key: String, value: String)]) -> Node {
        mapping(pairs.map { ($0.key, string($0.value)) })
    }

    public static func sequence(_ items: [Node]) -> Node { Node(items, YAMLTags.seq, .block) }

    public static func strings(_ items: [String]) -> Node { sequence(items.map(string)) }

    /// True when a plain scalar would not read back as this string (YAML 1.1 booleans, numbers,
    /// null, timestamps, `<<`, `=`, the single letters y/n) or is empty.
    public static func needsQuotes(_ value: String) -> Bool {
        if value.isEmpty { return true }
        if ["y", "Y", "n", "N"].contains(value) { return true }
        switch resolvesAsString(value) {
        case true?: return false
        case false?: return true
        case nil:
            // Yams' own representer single-quotes exactly the strings its resolver would read as non-strings.
            return value.represented().style == .singleQuoted
        }
    }

    private static let wordsThatAreNotStrings: Set<String> = [
        "yes", "Yes", "YES", "no", "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE",
        "on", "On", "ON", "off", "Off", "OFF", "null", "Null", "NULL",
    ]

    /// What Yams' default resolver (bool, int, float, merge, null, timestamp, value; regular
    /// expressions) would say without running it: true for a string, false for another type, nil when
    /// only the regular expressions can tell. Every rule starts with one of `yYnNtTfFoO~<=.+-` or a
    /// digit (or matches the empty string); the number and timestamp rules use only the characters of `numeric`; the words are the
    /// bool and null rules' only matches that start with a letter.
    static func resolvesAsString(_ value: String) -> Bool? {
        let utf8 = value.utf8
        guard let first = utf8.first else { return nil }
        // ICU's `$` also matches before a final line terminator (\n \v \f \r, U+0085, U+2028,
        // U+2029): text with one of those, or any non-ASCII byte, goes the slow way.
        func plainASCII() -> Bool { utf8.allSatisfy { $0 < 0x80 && !(0x0A...0x0D).contains($0) } }
        switch first {
        case UInt8(ascii: "y"), UInt8(ascii: "Y"), UInt8(ascii: "n"), UInt8(ascii: "N"), UInt8(ascii: "t"), UInt8(ascii: "T"),
             UInt8(ascii: "f"), UInt8(ascii: "F"), UInt8(ascii: "o"), UInt8(ascii: "O"):
            if utf8.allSatisfy({ ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) }) {
                return !wordsThatAreNotStrings.contains(value)
            }
            return plainASCII() ? true : nil
        case UInt8(ascii: "~"), UInt8(ascii: "<"), UInt8(ascii: "="), UInt8(ascii: "."), UInt8(ascii: "+"), UInt8(ascii: "-"),
             UInt8(ascii: "0")...UInt8(ascii: "9"):
            guard plainASCII() else { return nil }
            for byte in utf8 where !numeric[Int(byte)] { return true }
            return nil
        case 0x0A...0x0D, 0xC2, 0xE2:
            // A lone line terminator is the null rule's empty match followed by `$`'s final terminator.
            return nil
        default:
            return true
        }
    }

    /// Every character the int, float and timestamp rules can match, and `~<=`, which only the slow
    /// path may judge.
    private static let numeric: [Bool] = {
        var table = [Bool](repeating: false, count: 256)
        for byte in "0123456789_+-.:xXoObBaAcCdDeEfFiInNTtZ \t~<=".utf8 { table[Int(byte)] = true }
        return table
    }()

    /// One YAML document: the header comment line(s), then the node; LF endings and a trailing newline.
    public static func document(_ node: Node, header: String) -> String {
        String(decoding: documentBytes(node, header: header), as: UTF8.self)
    }

    /// `document` as UTF-8 bytes.
    static func documentBytes(_ node: Node, header: String, width: Int = 100, reserve: Int = 0) -> [UInt8] {
        // libyaml breaks a quoted line only at the first space past `width`, so a line can run on by
        // one unbreakable SQL token (a quoted 64-character name with its escapes); 100 keeps even that
        // under yamllint's 200 once Helm indents the chart's ConfigMap.
        // Yams only throws for events libyaml rejects; the nodes built here are always well-formed.
        let body = (try? Yams.serialize(node: node, indent: 2, width: width, allowUnicode: true, lineBreak: .ln)) ?? ""
        var bytes = Array(header.utf8)
        bytes.reserveCapacity(bytes.count + max(reserve, body.utf8.count) + 1)
        bytes += body.utf8
        // `String.hasSuffix("\n")` is false after "\r\n" (one Character), so a newline follows then too.
        if bytes.last != 0x0A || (bytes.count >= 2 && bytes[bytes.count - 2] == 0x0D) { bytes.append(0x0A) }
        return bytes
    }

    /// Formats a ratio or a number of seconds without an exponent: 0.0005, 5, 2.5.
    public static func number(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
        var text = String(describing: value)
        if text.contains("e") || text.contains("E") {
            text = decimalText(value)
        }
        return text
    }

    private static func decimalText(_ value: Double) -> String {
        // 17 significant digits are enough for any Double; trim the trailing zeros.
        var digits = ""
        var remainder = abs(value)
        let integer = remainder.rounded(.towardZero)
        remainder -= integer
        var fraction = ""
        for _ in 0..<20 {
            remainder *= 10
            let digit = Int(remainder.rounded(.towardZero))
            fraction += String(digit)
            remainder -= Double(digit)
            if remainder <= 1e-18 { break }
        }
        while fraction.hasSuffix("0") { fraction.removeLast() }
        digits = String(Int(integer)) + (fraction.isEmpty ? "" : "." + fraction)
        return (value < 0 ? "-" : "") + digits
    }
}
