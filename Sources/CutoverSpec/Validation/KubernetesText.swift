/// Checks for the Kubernetes-facing strings of a spec, matching the API server's own name rules.
public enum KubernetesText {
    public static func labelProblem(_ text: String, maxLength: Int) -> String? {
        if text.isEmpty { return "it is empty" }
        if text.unicodeScalars.contains(where: { !$0.isASCII }) { return "it has a non-ASCII character" }
        if text.utf8.count > maxLength { return "it is longer than \(maxLength) characters" }
        if let bad = text.unicodeScalars.first(where: { !(ASCII.lower($0) || ASCII.digit($0) || $0 == "-") }) {
            return "'\(bad.escaped(asASCII: true))' is not a lower-case letter, digit or '-'"
        }
        if text.hasPrefix("-") || text.hasSuffix("-") { return "it must start and end with a letter or digit" }
        return nil
    }

    public static func subdomainProblem(_ text: String) -> String? {
        if text.utf8.count > 253 { return "it is longer than 253 characters" }
        if text.isEmpty { return "it is empty" }
        for part in text.split(separator: ".", omittingEmptySubsequences: false) {
            if let problem = labelProblem(String(part), maxLength: 63) { return problem }
        }
        return nil
    }

    public static func labelKeyProblem(_ text: String) -> String? {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2 else { return "it has more than one '/'" }
        if parts.count == 2, let problem = subdomainProblem(String(parts[0])) { return "its prefix: \(problem)" }
        return labelValueProblem(String(parts.last!), allowEmpty: false)
    }

    public static func labelValueProblem(_ text: String) -> String? {
        labelValueProblem(text, allowEmpty: true)
    }

    private static func labelValueProblem(_ text: String, allowEmpty: Bool) -> String? {
        if text.isEmpty { return allowEmpty ? nil : "it is empty" }
        if text.utf8.count > 63 { return "it is longer than 63 characters" }
        let scalars = Array(text.unicodeScalars)
        if let bad = scalars.first(where: { !($0.isASCII && (ASCII.alnum($0) || "-_.".unicodeScalars.contains($0))) }) {
            return "'\(bad.escaped(asASCII: true))' is not a letter, digit, '-', '_' or '.'"
        }
        if !ASCII.alnum(scalars.first!) || !ASCII.alnum(scalars.last!) {
            return "it must start and end with a letter or digit"
        }
        return nil
    }

    public static func urlProblem(_ text: String) -> String? {
        guard text.hasPrefix("http://") || text.hasPrefix("https://") else { return "it must start with http:// or https://" }
        let rest = text.drop(while: { $0 != "/" }).dropFirst(2)
        let authority = rest.prefix(while: { $0 != "/" && $0 != "?" && $0 != "#" })
        if authority.isEmpty { return "it has no host" }
        if authority.contains("@") { return "it carries credentials; use a Secret" }
        if text.unicodeScalars.contains(where: { !$0.isASCII || $0.value <= 0x20 || "\"'`<>\\{}|^".unicodeScalars.contains($0) }) {
            return "it has a character that is not allowed in a URL"
        }
        return nil
    }

    /// A container image reference: registry/path[:tag][@digest], lower-case path, no spaces.
    public static func imageProblem(_ text: String) -> String? {
        if text.isEmpty { return "it is empty" }
        if text.utf8.count > 512 { return "it is longer than 512 characters" }
        var name = Substring(text)
        if let at = name.firstIndex(of: "@") {
            let digest = name[name.index(after: at)...]
            guard digest.hasPrefix("sha256:"), digest.count == 71,
                  digest.dropFirst(7).unicodeScalars.allSatisfy({ ASCII.digit($0) || ("a"..."f").contains($0) }) else {
                return "its digest must be 'sha256:' and 64 hex digits"
            }
            name = name[..<at]
        }
        let lastSlash = name.lastIndex(of: "/")
        if let colon = name.lastIndex(of: ":"), lastSlash.map({ colon > $0 }) ?? true {
            let tag = name[name.index(after: colon)...]
            guard !tag.isEmpty, tag.count <= 128,
                  tag.unicodeScalars.allSatisfy({ $0.isASCII && (ASCII.alnum($0) || "_.-".unicodeScalars.contains($0)) }) else {
                return "its tag '\(tag)' is not valid"
            }
            name = name[..<colon]
        }
        let components = name.split(separator: "/", omittingEmptySubsequences: false)
        for (index, component) in components.enumerated() {
            if component.isEmpty { return "it has an empty path component" }
            let isRegistry = index == 0 && components.count > 1 && (component.contains(".") || component.contains(":") || component == "localhost")
            let allowed: (Unicode.Scalar) -> Bool = isRegistry
                ? { $0.isASCII && (ASCII.alnum($0) || ".-:".unicodeScalars.contains($0)) }
                : { ASCII.lower($0) || ASCII.digit($0) || "._-".unicodeScalars.contains($0) }
            if !component.unicodeScalars.allSatisfy(allowed) {
                return "'\(component)' must be lower-case letters, digits, '.', '_' or '-'"
            }
        }
        return nil
    }

    public static func isQuantity(_ text: String) -> Bool {
        let suffixes = ["Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "m", "k", "M", "G", "T", "P", "E", ""]
        for suffix in suffixes where text.hasSuffix(suffix) {
            let number = text.dropLast(suffix.count)
            if isDecimal(number) { return true }
        }
        return false
    }

    public static func isVersion(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return (1...3).contains(parts.count) && parts.allSatisfy { !$0.isEmpty && $0.count <= 4 && $0.unicodeScalars.allSatisfy(ASCII.digit) }
    }

    private static func isDecimal(_ text: Substring) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), !parts[0].isEmpty, parts[0].count <= 15 else { return false }
        return parts.allSatisfy { !$0.isEmpty && $0.unicodeScalars.allSatisfy(ASCII.digit) }
    }

    /// The schema path is read from disk, so it must stay inside the spec's folder.
    public static func relativePathProblem(_ text: String) -> String? {
        if text.isEmpty { return "it is empty" }
        if text.hasPrefix("/") || text.hasPrefix("~") { return "it must be relative to the spec file" }
        if text.contains("\\") { return "use '/' as the separator" }
        if text.unicodeScalars.contains(where: { $0.value < 0x20 }) { return "it has a control character" }
        if text.split(separator: "/").contains("..") { return "it must not leave the spec's folder ('..')" }
        return nil
    }
}

/// A positive duration in milliseconds, from '500ms', '2s', '5m' or '1h'.
public struct Duration: Sendable, Hashable, Comparable, Codable {
    public var milliseconds: Int

    public init(milliseconds: Int) { self.milliseconds = milliseconds }

    public static func parse(_ text: String) -> Duration? {
        let units: [(String, Int)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000)]
        for (unit, factor) in units where text.hasSuffix(unit) {
            let number = text.dropLast(unit.count)
            guard !number.isEmpty, number.count <= 9, number.unicodeScalars.allSatisfy(ASCII.digit),
                  let value = Int(number), value > 0 else { continue }
            return Duration(milliseconds: value * factor)
        }
        return nil
    }

    public var seconds: Int { (milliseconds + 999) / 1000 }

    /// The shortest exact spelling, e.g. 120000 ms is '2m'.
    public var text: String {
        if milliseconds % 3_600_000 == 0 { return "\(milliseconds / 3_600_000)h" }
        if milliseconds % 60_000 == 0 { return "\(milliseconds / 60_000)m" }
        if milliseconds % 1000 == 0 { return "\(milliseconds / 1000)s" }
        return "\(milliseconds)ms"
    }

    public static func < (lhs: Duration, rhs: Duration) -> Bool { lhs.milliseconds < rhs.milliseconds }
}

/// Names derived from `metadata.name`: the name is capped so that the longest suffix cutover appends
/// (`-` plus at most 22 characters) keeps every Kubernetes name within 63 characters.
public enum MigrationNames {
    public static let maxLength = 40
    public static let maxSuffixLength = 23
}
