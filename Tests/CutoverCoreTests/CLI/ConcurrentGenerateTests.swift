import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Two `generate` runs into one folder at once, twenty rounds: every user file survives with its
/// contents and mode (regular files, a symlink, a pipe, empty folders, a private folder, a file in
/// a generated folder), generated folders and files keep the modes the user gave them, the tree is
/// one run's whole output, and no staging or lock file is left. Before the lock and the unique
/// staging names, 18-99 of 300 user files were lost within ~40 rounds.
@Suite(.serialized) struct ConcurrentGenerateTests {
    struct UserNode: Equatable {
        var kind: mode_t
        var mode: mode_t
        var contents: String
    }

    /// Everything under `folder` that is not in `generated`, by kind, mode and contents.
    static func userNodes(_ folder: URL, excluding generated: Set<String>) throws -> [String: UserNode] {
        var result: [String: UserNode] = [:]
        var pending = [""]
        while let relative = pending.popLast() {
            let path = relative.isEmpty ? folder.path : folder.path + "/" + relative
            for name in try FileManager.default.contentsOfDirectory(atPath: path) {
                let child = relative.isEmpty ? name : relative + "/" + name
                var info = stat()
                guard lstat(folder.path + "/" + child, &info) == 0 else { continue }
                let kind = info.st_mode & S_IFMT
                if kind == S_IFDIR { pending.append(child) }
                if generated.contains(child) || child == ".cutover-manifest.json" { continue }
                var contents = ""
                if kind == S_IFREG { contents = String(decoding: try Data(contentsOf: URL(fileURLWithPath: folder.path + "/" + child)), as: UTF8.self) }
                if kind == S_IFLNK { contents = try FileManager.default.destinationOfSymbolicLink(atPath: folder.path + "/" + child) }
                result[child] = UserNode(kind: kind, mode: info.st_mode & 0o7777, contents: contents)
            }
        }
        return result
    }

    static func generatedPaths(_ folder: URL) throws -> Set<String> {
        let data = try Data(contentsOf: folder.appendingPathComponent(".cutover-manifest.json"))
        let object = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        let files = (object["files"] as! [[String: Any]]).map { $0["path"] as! String }
        var paths = Set(files)
        for file in files {
            var parts = file.split(separator: "/").dropLast()
            while !parts.isEmpty { paths.insert(parts.joined(separator: "/")); parts = parts.dropLast() }
        }
        return paths
    }

    static func generatedContents(_ folder: URL) throws -> [String: Data] {
        var result: [String: Data] = [:]
        for path in try generatedPaths(folder) {
            var info = stat()
            if lstat(folder.path + "/" + path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG {
                result[path] = try Data(contentsOf: folder.appendingPathComponent(path))
            }
        }
        return result
    }

    /// Adds 300 user files and the other kinds of node a user keeps next to generated output.
    static func addUserNodes(_ folder: URL) throws {
        let fm = FileManager.default
        for index in 0..<300 {
            let sub = folder.appendingPathComponent("notes/\(index % 10)")
            try fm.createDirectory(at: sub, withIntermediateDirectories: true)
            let file = sub.appendingPathComponent("note-\(index).md")
            try Data("note \(index)\n".utf8).write(to: file)
            chmod(file.path, [0o600, 0o640, 0o755][index % 3])
        }
        try fm.createDirectory(at: folder.appendingPathComponent("empty"), withIntermediateDirectories: true)
        try fm.createDirectory(at: folder.appendingPathComponent("deep/er/empty"), withIntermediateDirectories: true)
        try fm.createDirectory(at: folder.appendingPathComponent("private"), withIntermediateDirectories: true)
        try Data("secret\n".utf8).write(to: folder.appendingPathComponent("private/key.txt"))
        chmod(folder.appendingPathComponent("private").path, 0o700)
        chmod(folder.appendingPathComponent("deep/er/empty").path, 0o750)
        try fm.createSymbolicLink(atPath: folder.appendingPathComponent("latest").path, withDestinationPath: "notes/0/note-0.md")
        try fm.createSymbolicLink(atPath: folder.appendingPathComponent("dangling").path, withDestinationPath: "../nowhere")
        #expect(mkfifo(folder.appendingPathComponent("pipe").path, 0o620) == 0)
        chmod(folder.appendingPathComponent("pipe").path, 0o620)
        try Data("ours\n".utf8).write(to: folder.appendingPathComponent("sql/TEAM-NOTES.md"))
        // The user narrowed a generated folder and a generated file, and the folder itself.
        chmod(folder.appendingPathComponent("sql").path, 0o700)
        chmod(folder.appendingPathComponent("plan.json").path, 0o600)
        chmod(folder.path, 0o700)
    }

    static func mode(_ path: String) -> mode_t {
        var info = stat()
        return lstat(path, &info) == 0 ? info.st_mode & 0o7777 : 0
    }

    @Test func userFilesSurviveTwentyRoundsOfTwoConcurrentRuns() throws {
        let sandbox = TestPaths.temporaryFolder("concurrent")
        defer { try? FileManager.default.removeItem(at: sandbox) }
        let (old, new) = try InterruptedWriteTests().specs(in: sandbox)
        let expectedOld = sandbox.appendingPathComponent("expected-old"), expectedNew = sandbox.appendingPathComponent("expected-new")
        #expect(try CLIRun.run(["generate", old.path, "-o", expectedOld.path]).status == 0)
        #expect(try CLIRun.run(["generate", new.path, "-o", expectedNew.path]).status == 0)
        let oldTree = try Self.generatedContents(expectedOld.appendingPathComponent("pricing-tiers"))
        let newTree = try Self.generatedContents(expectedNew.appendingPathComponent("pricing-tiers"))
        #expect(oldTree != newTree)

        let out = sandbox.appendingPathComponent("out")
        let folder = out.appendingPathComponent("pricing-tiers")
        #expect(try CLIRun.run(["generate", old.path, "-o", out.path]).status == 0)
        try Self.addUserNodes(folder)
        let generated = try Self.generatedPaths(folder)
        let before = try Self.userNodes(folder, excluding: generated)
        #expect(before.count > 300)

        for round in 0..<20 {
            var runs: [Process] = []
            let errors = [Pipe(), Pipe()]
            let order: [URL] = round % 2 == 0 ? [old, new] : [new, old]
            for index in 0..<2 {
                let spec = order[index]
                let process = Process()
                process.executableURL = TestPaths.binary
                process.arguments = ["generate", spec.path, "-o", out.path]
                process.standardOutput = FileHandle.nullDevice
                process.standardError = errors[index]
                try process.run()
                runs.append(process)
            }
            for (index, process) in runs.enumerated() {
                let message = String(decoding: errors[index].fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                process.waitUntilExit()
                #expect(process.terminationStatus == 0, "round \(round): \(message)")
            }
            let after = try Self.userNodes(folder, excluding: generated)
            let lost = Set(before.keys).subtracting(after.keys)
            #expect(lost.isEmpty, "round \(round): lost \(lost.count) user files: \(lost.sorted().prefix(10))")
            for (path, node) in before where after[path] != nil && after[path] != node {
                Issue.record("round \(round): \(path) changed from \(node) to \(after[path]!)")
            }
            let tree = try Self.generatedContents(folder)
            #expect(tree == oldTree || tree == newTree, "round \(round): the generated files are a mix of two runs")
            #expect(Self.mode(folder.path) == 0o700, "round \(round): folder mode widened")
            #expect(Self.mode(folder.appendingPathComponent("sql").path) == 0o700, "round \(round): sql/ mode widened")
            #expect(Self.mode(folder.appendingPathComponent("plan.json").path) == 0o600, "round \(round): plan.json mode widened")
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: out.path).filter { $0.hasPrefix(".") }
            #expect(leftovers.isEmpty, "round \(round): left behind \(leftovers)")
        }
    }

    /// A `git init` inside the output folder keeps working after a regeneration: every folder
    /// git made (empty ones included), its hooks' modes and its objects are carried over.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/git")))
    func gitRepositoryInsideTheOutputKeepsWorking() throws {
        let sandbox = TestPaths.temporaryFolder("git")
        defer { try? FileManager.default.removeItem(at: sandbox) }
        let (old, new) = try InterruptedWriteTests().specs(in: sandbox)
        let out = sandbox.appendingPathComponent("out")
        let folder = out.appendingPathComponent("pricing-tiers")
        #expect(try CLIRun.run(["generate", old.path, "-o", out.path]).status == 0)
        func git(_ arguments: [String]) throws -> (Int32, String) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/git")
            process.arguments = ["-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "init.defaultBranch=main"] + arguments
            process.currentDirectoryURL = folder
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = pipe
            try process.run()
            let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            return (process.terminationStatus, text)
        }
        #expect(try git(["init", "-q"]).0 == 0)
        #expect(try git(["add", "-A"]).0 == 0)
        #expect(try git(["commit", "-qm", "generated"]).0 == 0)
        let gitFolders = try Self.userNodes(folder, excluding: []).filter { $0.key.hasPrefix(".git/") && $0.value.kind == S_IFDIR }
        #expect(try CLIRun.run(["generate", new.path, "-o", out.path]).status == 0)
        let afterFolders = try Self.userNodes(folder, excluding: []).filter { $0.key.hasPrefix(".git/") && $0.value.kind == S_IFDIR }
        #expect(Set(gitFolders.keys).subtracting(afterFolders.keys).isEmpty, "git folders dropped")
        let fsck = try git(["fsck", "--strict"])
        #expect(fsck.0 == 0, "\(fsck.1)")
        let status = try git(["status", "--porcelain"])
        #expect(status.0 == 0, "\(status.1)")
        #expect(status.1.contains(" M README.md") || status.1.contains(" M "), "the new run's changes should show: \(status.1)")
        #expect(try git(["commit", "-qam", "regenerated"]).0 == 0)
        #expect(try git(["status", "--porcelain"]).1.isEmpty)
    }
}
