@testable import CutoverPlan
@testable import CutoverSpec
@testable import CutoverCore
import Foundation

/// Runs the front end on spec text written to a fresh temporary folder, with any files it needs beside it.
enum ValidationHarness {
    static func check(_ spec: String, files: [String: String] = [:], name: String = "spec.yaml") throws -> [Diagnostic] {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cutover-validation-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for (file, text) in files {
            try Data(text.utf8).write(to: folder.appendingPathComponent(file))
        }
        let path = folder.appendingPathComponent(name).path
        try Data(spec.utf8).write(to: URL(fileURLWithPath: path))
        return try Compiler().check(fileAt: path).diagnostics
    }

    /// The package root, found from this file's path.
    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
    }

    static func files(in folder: String, ending suffix: String) -> [String] {
        let url = packageRoot.appendingPathComponent(folder)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
        return names.filter { $0.hasSuffix(suffix) }.sorted()
    }

    /// `CUT0NN line:column`, the format of the `.expected` files.
    static func summary(_ diagnostics: [Diagnostic]) -> [String] {
        Diagnostic.sorted(diagnostics.filter { $0.severity != .note })
            .map { "\($0.rule.rawValue) \($0.location.line):\($0.location.column)" }
    }
}
