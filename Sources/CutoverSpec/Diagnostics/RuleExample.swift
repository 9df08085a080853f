/// A spec in a rule's documentation, with the files it needs beside it (a schema file, or a second
/// spec), and for a triggering example the places the rule must report, 1-based line:column.
public struct RuleExample: Sendable {
    /// Where a triggering example must report its rule: in the spec, or in a file beside it.
    public struct Place: Sendable, Hashable, CustomStringConvertible {
        public var line: Int
        public var column: Int
        /// The file beside the spec the diagnostic is located in; nil for the spec itself.
        public var file: String?

        public var description: String { (file.map { "\($0)@" } ?? "") + "\(line):\(column)" }
    }

    public var spec: String
    public var files: [String: String]
    public var expected: [Place]

    public init(_ spec: String, files: [String: String] = [:]) {
        self.spec = spec
        self.files = files
        self.expected = []
    }

    /// The same example, reporting its rule at exactly these places: `(12, 11)`, or `(3, 1, in: "schema.sql")`.
    package func expecting(_ places: (Int, Int)...) -> RuleExample {
        var copy = self
        copy.expected = places.map { Place(line: $0.0, column: $0.1, file: nil) }
        return copy
    }

    func expecting(_ line: Int, _ column: Int, in file: String) -> RuleExample {
        var copy = self
        copy.expected = [Place(line: line, column: column, file: file)]
        return copy
    }
}
