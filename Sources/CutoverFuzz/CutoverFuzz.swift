import CutoverCore
import Foundation

/// libFuzzer entry: every input goes through the whole pipeline (decode, parse, validate, plan,
/// emit). Any crash, hang or sanitizer report is a bug: hostile input must only produce diagnostics.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    FuzzHarness.run(bytes)
    return 0
}

enum FuzzHarness {
    static let compiler = Compiler()

    static func run(_ bytes: [UInt8]) {
        let result = compiler.check(bytes, path: "fuzz-input.yaml")
        guard let validated = result.validated else { return }
        _ = compiler.emit(compiler.plan(validated))
    }
}

#if !FUZZING_ENGINE
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
