/// Collects what the readings of one script find (deduplicated by place), the statements of the default
/// reading, and the fork budget; turns byte offsets into line:column once at the end.
package final class SQLLexRecorder {
    let bytes: UnsafeBufferPointer<UInt8>
    let collect: Bool
    private var commands: [Int: (SQLClientCommand.Kind, String, String?)] = [:]
    private var problems: [Int: (SQLLexProblem.Kind, String?)] = [:]
    private var statements: [(offset: Int, text: [UInt8])] = []
    /// Forks, and bytes read by the other readings, left before the script counts as too ambiguous.
    var forksLeft: Int
    var bytesLeft: Int
    private(set) var exhausted = false

    init(bytes: UnsafeBufferPointer<UInt8>, collect: Bool) {
        self.bytes = bytes
        self.collect = collect
        self.forksLeft = 256 + bytes.count
        self.bytesLeft = 16 * bytes.count + (1 << 20)
    }

    /// For a reading other than the default one: the offset it may read up to before the budget is spent.
    func limit(from start: Int) -> Int {
        bytesLeft > 0 ? start + bytesLeft : start
    }

    /// A reading other than the default one stopped at `end` (true when it stopped for the budget).
    func spent(from start: Int, to end: Int, stopped: Bool) {
        bytesLeft -= max(0, end - start)
        if stopped { exhaust() }
    }

    private func exhaust() {
        if !exhausted {
            exhausted = true
            problem(.tooAmbiguous, at: 0, assumption: nil)
        }
    }

    func command(_ kind: SQLClientCommand.Kind, at offset: Int, end: Int, assumption: String?) {
        guard commands[offset] == nil else { return }
        let name = String(decoding: bytes[offset..<max(offset, min(end, bytes.count))], as: UTF8.self)
        commands[offset] = (kind, name, assumption)
    }

    func problem(_ kind: SQLLexProblem.Kind, at offset: Int, assumption: String?) {
        guard problems[offset] == nil else { return }
        problems[offset] = (kind, assumption)
    }

    func statement(at offset: Int, text: [UInt8]) {
        statements.append((offset, text))
    }

    /// False once the budget is spent; the first time, records the problem.
    func takeFork() -> Bool {
        if forksLeft > 0 && bytesLeft > 0 {
            forksLeft -= 1
            return true
        }
        exhaust()
        return false
    }

    func result() -> SQLLexResult {
        var offsets = Array(commands.keys) + Array(problems.keys) + statements.map(\.offset)
        guard !offsets.isEmpty else { return SQLLexResult(statements: [], commands: [], problems: []) }
        offsets.sort()
        let positions = Self.lineColumns(of: offsets, in: bytes)
        let commandList = commands.keys.sorted().map { offset -> SQLClientCommand in
            let (kind, name, assumption) = commands[offset]!
            let (line, column) = positions[offset]!
            return SQLClientCommand(kind: kind, name: name, offset: offset, line: line, column: column, assumption: assumption)
        }
        let problemList = problems.keys.sorted().map { offset -> SQLLexProblem in
            let (kind, assumption) = problems[offset]!
            let (line, column) = positions[offset]!
            return SQLLexProblem(kind: kind, offset: offset, line: line, column: column, assumption: assumption)
        }
        let statementList = statements.map { entry -> SQLScriptStatement in
            let (line, column) = positions[entry.offset]!
            return SQLScriptStatement(text: String(decoding: entry.text, as: UTF8.self), offset: entry.offset, line: line, column: column)
        }
        return SQLLexResult(statements: statementList, commands: commandList, problems: problemList)
    }

    /// 1-based line and column (in Unicode scalars, as the YAML locations count) of each offset, in one
    /// pass over the text; `offsets` sorted.
    static func lineColumns(of offsets: [Int], in bytes: UnsafeBufferPointer<UInt8>) -> [Int: (Int, Int)] {
        var result: [Int: (Int, Int)] = [:]
        result.reserveCapacity(offsets.count)
        var line = 1
        var lineStart = 0
        var index = 0
        for offset in offsets where result[offset] == nil {
            let target = min(offset, bytes.count)
            while index < target {
                if bytes[index] == 0x0A {
                    line += 1
                    lineStart = index + 1
                }
                index += 1
            }
            var column = 1
            var scan = lineStart
            while scan < target {
                if bytes[scan] & 0xC0 != 0x80 { column += 1 }
                scan += 1
            }
            result[offset] = (line, column)
        }
        return result
    }
}
