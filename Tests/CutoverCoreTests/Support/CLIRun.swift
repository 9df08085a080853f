import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs the built `cutover` binary and captures what a user would see.
struct CLIRun {
    var status: Int32
    var signaled: Bool
    var stdout: String
    var stderr: String
    var seconds: Double

    static func run(_ arguments: [String], environment: [String: String] = [:], currentDirectory: URL? = nil) throws -> CLIRun {
        let process = Process()
        process.executableURL = TestPaths.binary
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = "1"
        for (key, value) in environment { env[key] = value }
        process.environment = env
        if let currentDirectory { process.currentDirectoryURL = currentDirectory }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let start = Date()
        try process.run()
        // Read before waiting so a full pipe cannot block the child.
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return CLIRun(status: process.terminationStatus, signaled: process.terminationReason == .uncaughtSignal,
                      stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self),
                      seconds: Date().timeIntervalSince(start))
    }

    /// Largest resident set of any child process so far, in bytes (Linux reports kilobytes).
    static var peakChildRSS: Int {
        var usage = rusage()
        getrusage(RUSAGE_CHILDREN.rawValue, &usage)
        return usage.ru_maxrss * 1024
    }
}

extension CLIRun {
    /// Runs the binary as `nobody` (through setpriv), for the tests of permission errors, which
    /// root would not get.
    static func runAs(nobody arguments: [String], currentDirectory: URL) throws -> CLIRun {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
        process.arguments = ["--reuid=65534", "--regid=65534", "--clear-groups", "--", TestPaths.binary.path] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        process.environment = environment
        process.currentDirectoryURL = currentDirectory
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let start = Date()
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return CLIRun(status: process.terminationStatus, signaled: process.terminationReason == .uncaughtSignal,
                      stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self),
                      seconds: Date().timeIntervalSince(start))
    }
}
