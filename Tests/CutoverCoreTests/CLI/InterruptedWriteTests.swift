import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A `generate` killed with SIGKILL at any moment leaves the previous tree intact or the new one
/// complete, never a mix (the writer swaps a staged folder in with one rename).
@Suite(.serialized) struct InterruptedWriteTests {
    func snapshot(_ folder: URL) throws -> [String: Data] {
        var result: [String: Data] = [:]
        guard let enumerator = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey]) else { return result }
        while let url = enumerator.nextObject() as? URL {
            guard (try url.resourceValues(forKeys: [.isRegularFileKey])).isRegularFile == true else { continue }
            result[String(url.path.dropFirst(folder.path.count))] = try Data(contentsOf: url)
        }
        return result
    }

    /// Two versions of one spec whose outputs differ in many files.
    func specs(in sandbox: URL) throws -> (URL, URL) {
        let source = try String(contentsOf: TestPaths.examples.appendingPathComponent("pricing-tiers.yaml"), encoding: .utf8)
        let schema = TestPaths.examples.appendingPathComponent("pricing-tiers.schema.sql")
        try FileManager.default.copyItem(at: schema, to: sandbox.appendingPathComponent("pricing-tiers.schema.sql"))
        let old = sandbox.appendingPathComponent("old.yaml"), new = sandbox.appendingPathComponent("new.yaml")
        try Data(source.utf8).write(to: old)
        let changed = source
            .replacingOccurrences(of: "lockTimeout: 2s", with: "lockTimeout: 3s")
            .replacingOccurrences(of: "replicas: 6", with: "replicas: 7")
        try Data(changed.utf8).write(to: new)
        return (old, new)
    }

    @Test func killedRunsLeaveOldOrNewTree() throws {
        let sandbox = TestPaths.temporaryFolder("kill")
        defer { try? FileManager.default.removeItem(at: sandbox) }
        let (old, new) = try specs(in: sandbox)
        let oldOut = sandbox.appendingPathComponent("expected-old"), newOut = sandbox.appendingPathComponent("expected-new")
        #expect(try CLIRun.run(["generate", old.path, "-o", oldOut.path]).status == 0)
        #expect(try CLIRun.run(["generate", new.path, "-o", newOut.path]).status == 0)
        let oldTree = try snapshot(oldOut.appendingPathComponent("pricing-tiers"))
        let newTree = try snapshot(newOut.appendingPathComponent("pricing-tiers"))
        #expect(oldTree != newTree)

        var generator = SystemRandomNumberGenerator()
        var sawOld = 0, sawNew = 0
        for _ in 0..<25 {
            let out = sandbox.appendingPathComponent("out")
            try? FileManager.default.removeItem(at: out)
            #expect(try CLIRun.run(["generate", old.path, "-o", out.path]).status == 0)
            let process = Process()
            process.executableURL = TestPaths.binary
            process.arguments = ["generate", new.path, "-o", out.path]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            usleep(UInt32.random(in: 0...25_000, using: &generator))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let tree = try snapshot(out.appendingPathComponent("pricing-tiers"))
            if tree == oldTree { sawOld += 1 } else if tree == newTree { sawNew += 1 } else {
                Issue.record("a killed run left a mixed tree: \(Set(tree.keys).symmetricDifference(oldTree.keys).sorted())")
            }
            // The next run cleans up whatever staging folder the killed one left.
            #expect(try CLIRun.run(["generate", new.path, "-o", out.path]).status == 0)
            #expect(try snapshot(out.appendingPathComponent("pricing-tiers")) == newTree)
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: out.path).filter { $0.hasPrefix(".") }
            #expect(leftovers.isEmpty, "staging left behind: \(leftovers)")
        }
        #expect(sawOld + sawNew == 25)
    }
}
