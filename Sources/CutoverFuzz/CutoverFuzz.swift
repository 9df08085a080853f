import CutoverPlan
import CutoverEmit
import CutoverCore
import Foundation

/// libFuzzer entry: every input goes through the whole pipeline (decode, parse, validate, plan,
/// emit), and through the SQL lexer as a script of each engine. Any crash, hang or sanitizer report
/// is a bug: hostile input must only produce diagnostics.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    FuzzHarness.run(bytes)
    return 0
}

enum FuzzHarness {
    static let compiler = Compiler()

    /// No `kind:` anywhere: not a spec.
    static func isSQLOnly(_ bytes: [UInt8]) -> Bool {
        let needle = Array("kind:".utf8)
        guard bytes.count >= needle.count else { return true }
        for start in 0...(bytes.count - needle.count) where bytes[start] == needle[0] {
            if Array(bytes[start..<(start + needle.count)]) == needle { return false }
        }
        return true
    }

    /// The lexer's own invariants: statements in order inside the text, findings inside the text,
    /// and stripping `\restrict` lines keeps the line count.
    static func lex(_ text: String) {
        let count = text.utf8.count
        for engine in [MigrationSpec.Engine.postgresql, .mysql] {
            let result = SQLLexer.scan(text, engine: engine)
            var previous = -1
            for statement in result.statements {
                precondition(statement.offset > previous && statement.offset < count, "statement offset out of order")
                precondition(statement.line >= 1 && statement.column >= 1)
                previous = statement.offset
            }
            for command in result.commands { precondition(command.offset >= 0 && command.offset < count) }
            for problem in result.problems { precondition(problem.offset >= 0 && problem.offset <= count) }
            _ = try? GeneratedSQLGuard.check(text, engine: engine, file: "fuzz.sql")
            // The base schema reader on the same text: views, triggers, partitions, executable comments.
            _ = SchemaReader(engine: engine).read(text)
        }
        let stripped = SQLLexer.removingDumpRestrictLines(text)
        precondition(stripped.utf8.filter { $0 == 0x0A }.count == text.utf8.filter { $0 == 0x0A }.count)
    }

    static func run(_ bytes: [UInt8]) {
        lex(String(decoding: bytes, as: UTF8.self))
        // Inputs that cannot be a spec exercise the lexer only, so SQL-shaped inputs run fast.
        guard bytes.count < 9 || !isSQLOnly(bytes) else { return }
        let result = compiler.check(bytes, path: "fuzz-input.yaml")
        guard let validated = result.validated else { return }
        _ = compiler.emit(compiler.plan(validated))
    }
}

#if FUZZING_ENGINE
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
) -> CInt

/// SwiftPM links an executable target's entry point as `<Target>_main`; hand it to libFuzzer's driver.
@_cdecl("CutoverFuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments) { data, size in fuzzOneInput(data, size) }
}
#else
/// Without libFuzzer the target replays inputs, e.g. a crash file: `CutoverFuzz crash-1234`.
@main
struct Replay {
    static func main() throws {
        for path in CommandLine.arguments.dropFirst() {
            FuzzHarness.run([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))))
            print("ok \(path)")
        }
    }
}
#endif
