import Foundation

/// Renders diagnostics for people (text, with a caret excerpt and optional colour) and for tools
/// (JSON, SARIF 2.1.0 for code scanning, GitHub Actions workflow commands).
public struct DiagnosticFormatter: Sendable {
    public enum Format: String, Sendable, CaseIterable {
        case text, json, sarif, github
    }

    public var format: Format
    public var color: Bool
    public var excerpts: Bool
    /// The rules JSON and SARIF name: every rule, injected from above Validation (`RuleRegistry.table`;
    /// `DiagnosticFormatter(format:color:excerpts:)` is declared there).
    package var rules: RuleTable

    package init(format: Format, rules: RuleTable, color: Bool = false, excerpts: Bool = false) {
        self.format = format
        self.rules = rules
        self.color = color
        self.excerpts = excerpts
    }

    /// `sources` maps a file path to its text, for excerpts.
    public func render(_ diagnostics: [Diagnostic], sources: [String: SourceFile] = [:]) -> String {
        let sorted = Diagnostic.sorted(diagnostics)
        switch format {
        case .text: return sorted.map { text($0, source: sources[$0.file]) }.joined()
        case .github: return sorted.map(github).joined()
        case .json: return json(sorted)
        case .sarif: return sarif(sorted)
        }
    }

    private func text(_ d: Diagnostic, source: SourceFile?) -> String {
        let severity = d.severity.rawValue
        let painted: String
        if color {
            let code = d.severity == .error ? "31" : d.severity == .warning ? "33" : "36"
            painted = "\u{1B}[1;\(code)m\(severity):\u{1B}[0m"
        } else {
            painted = "\(severity):"
        }
        var out = "\(Self.printable(d.file)):\(d.location.line):\(d.location.column): \(painted) \(Self.printable(d.message)) [\(d.rule.rawValue)]\n"
        if excerpts, let line = source?.line(d.location.line), line.count <= 300 {
            let visible = Self.printable(String(line.map { $0 == "\t" ? " " : $0 }))
            let pad = String(repeating: " ", count: max(0, d.location.column - 1))
            out += "  \(visible)\n  \(pad)\(color ? "\u{1B}[1;32m^\u{1B}[0m" : "^")\n"
        }
        return out
    }

    private func github(_ d: Diagnostic) -> String {
        let command = d.severity == .error ? "error" : d.severity == .warning ? "warning" : "notice"
        func escapeData(_ s: String) -> String {
            s.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\r", with: "%0D").replacingOccurrences(of: "\n", with: "%0A")
        }
        func escapeProperty(_ s: String) -> String {
            escapeData(s).replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
        }
        return "::\(command) file=\(escapeProperty(Self.printable(d.file))),line=\(d.location.line),col=\(d.location.column),title=\(d.rule.rawValue)::\(escapeData(Self.printable(d.message)))\n"
    }

    /// User text echoed to a terminal must not drive it: control characters, C1 controls and
    /// direction overrides are shown as escapes (`\u{1B}`), never sent raw.
    static func printable(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            let v = scalar.value
            let unsafe = v < 0x20 || v == 0x7F || (0x80...0x9F).contains(v) || (0x202A...0x202E).contains(v)
                || (0x2066...0x2069).contains(v) || v == 0x200E || v == 0x200F || v == 0xFEFF
            if unsafe {
                out += "\\u{" + String(v, radix: 16, uppercase: true) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    private struct JSONDiagnostic: Encodable {
        var file: String
        var line: Int
        var column: Int
        var severity: String
        var rule: String
        var name: String
        var message: String
    }

    private func json(_ diagnostics: [Diagnostic]) -> String {
        let items = diagnostics.map {
            JSONDiagnostic(file: $0.file, line: $0.location.line, column: $0.location.column, severity: $0.severity.rawValue,
                           rule: $0.rule.rawValue, name: rules.rule($0.rule).name, message: $0.message)
        }
        return encode(items)
    }

    private func sarif(_ diagnostics: [Diagnostic]) -> String {
        let rules = self.rules.rules.map { rule -> [String: Any] in
            [
                "id": rule.id.rawValue,
                "name": rule.name,
                "shortDescription": ["text": rule.summary],
                "defaultConfiguration": ["level": sarifLevel(rule.severity)],
            ]
        }
        let results = diagnostics.map { d -> [String: Any] in
            [
                "ruleId": d.rule.rawValue,
                "level": sarifLevel(d.severity),
                "message": ["text": d.message],
                "locations": [[
                    "physicalLocation": [
                        "artifactLocation": ["uri": d.file],
                        "region": ["startLine": d.location.line, "startColumn": d.location.column],
                    ],
                ]],
            ]
        }
        let log: [String: Any] = [
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
            "runs": [[
                "tool": ["driver": [
                    "name": "cutover",
                    "version": CutoverVersion.current,
                    "informationUri": "https://cutover.dev",
                    "rules": rules,
                ]],
                "results": results,
            ]],
        ]
        let data = (try? JSONSerialization.data(withJSONObject: log, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    private func sarifLevel(_ severity: Diagnostic.Severity) -> String {
        switch severity {
        case .error: return "error"
        case .warning: return "warning"
        case .note: return "note"
        }
    }

    private func encode<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(value)) ?? Data(), as: UTF8.self) + "\n"
    }
}

public enum CutoverVersion {
    public static let current = "0.1.0"
}
