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
