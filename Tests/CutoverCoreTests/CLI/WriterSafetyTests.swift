@testable import CutoverEmit
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The output writer against what a user's folder or a hostile pull request can hold: a mount
/// point inside the output, `-o` naming a file, a read-only parent, `sql/` replaced by a symlink,
/// a tampered manifest, a second run holding the lock, a killed run's leftovers.
@Suite(.serialized) struct WriterSafetyTests {
    static let example = TestPaths.examples.appendingPathComponent("pricing-tiers.yaml")

    /// Runs mount(8); false when this sandbox does not allow it.
    static func mount(_ arguments: [String]) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/mount")
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }

    static func unmount(_ path: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/umount")
        process.arguments = [path]
        try? process.run()
        process.waitUntilExit()
    }

    /// Whether this machine lets the tests mount (root in a sandbox that allows it).
    static let canMount: Bool = {
        let probe = TestPaths.temporaryFolder("mount-probe")
        defer { try? FileManager.default.removeItem(at: probe) }
        guard geteuid() == 0, mount(["-t", "tmpfs", "cutover-probe", probe.path]) else { return false }
        unmount(probe.path)
        return true
    }()

    func generated(_ sandbox: URL) throws -> URL {
        let out = sandbox.appendingPathComponent("out")
        let run = try CLIRun.run(["generate", Self.example.path, "-o", out.path])
        #expect(run.status == 0, "\(run.stderr)")
        return out
    }

    func expectNoFoundationDump(_ text: String) {
        #expect(!text.contains("NSCocoaErrorDomain") && !text.contains("Error Domain=") && !text.contains("UserInfo="), "\(text)")
    }

    /// A tmpfs, and a bind mount of a folder of the same file system (same st_dev, so only
    /// /proc/self/mountinfo shows it), inside the output folder: refused before anything moves,
    /// the mounted files untouched.
    @Test(.enabled(if: canMount), arguments: ["tmpfs", "bind"])
    func mountPointInsideTheOutputIsRefused(_ kind: String) throws {
        let sandbox = TestPaths.temporaryFolder("mount")
        defer { try? FileManager.default.removeItem(at: sandbox) }
        let out = try generated(sandbox)
        let mountPoint = out.appendingPathComponent("pricing-tiers/data/cache")
        try FileManager.default.createDirectory(at: mountPoint, withIntermediateDirectories: true)
        let source = sandbox.appendingPathComponent("bind-source")
        try FileManager.default.createDirectory(at: source, withIntermediateDirectories: true)
        let mounted = kind == "tmpfs" ? Self.mount(["-t", "tmpfs", "cutover-test", mountPoint.path])
                                      : Self.mount(["--bind", source.path, mountPoint.path])
        try #require(mounted, "mount \(kind) failed")
        defer { Self.unmount(mountPoint.path) }
        let precious = mountPoint.appendingPathComponent("precious.txt")
        try Data("keep\n".utf8).write(to: precious)
        let readme = out.appendingPathComponent("pricing-tiers/README.md")
        try Data("edited\n".utf8).write(to: readme)

        let run = try CLIRun.run(["generate", Self.example.path, "-o", out.path], currentDirectory: sandbox)
        #expect(run.status == 1)
        #expect(run.stderr.contains("'out/pricing-tiers/data/cache' is a mount point"), "\(run.stderr)")
        #expect(try String(contentsOf: precious, encoding: .utf8) == "keep\n")
        #expect(try String(contentsOf: readme, encoding: .utf8) == "edited\n", "the old tree was replaced")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: out.path).filter { $0.hasPrefix(".") }
        #expect(leftovers.isEmpty, "\(leftovers)")
    }

    /// A full disk names the generated file (not the staging folder) and leaves nothing behind.
    @Test(.enabled(if: canMount))
    func fullDiskIsAClearError() throws {
        let sandbox = TestPaths.temporaryFolder("full")
        defer { try? FileManager.default.removeItem(at: sandbox) }
        try #require(Self.mount(["-t", "tmpfs", "-o", "size=64k", "cutover-full", sandbox.path]))
        defer { Self.unmount(sandbox.path) }
        let run = try CLIRun.run(["generate", Self.example.path, "-o", "out"], currentDirectory: sandbox)
        #expect(run.status == 1)
        #expect(run.stderr.range(of: #"error: cannot write 'out/pricing-tiers/[^']+': no space left on the device"#,
                                 options: .regularExpression) != nil, "\(run.stderr)")
        #expect(!run.stderr.contains("staging"), "\(run.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: sandbox.appendingPathComponent("out").path).isEmpty)
    }

    /// Where mounting is impossible the mountinfo parsing is still checked on a sample.
    @Test func mountinfoLinesGiveTheirMountPoints() {
        let sample = """
            22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
            41 22 0:35 / /work/out/a\\040b rw,nosuid shared:20 - tmpfs none rw
            42 22 8:1 /src /work/out/x\\134y rw,relatime shared:1 - ext4 /dev/sda1 rw

            """
        #expect(MountPoints.parse(sample) == ["/", "/work/out/a b", "/work/out/x\\y"])
    }

    @Test func outputNamingAFileIsAClearError() throws {
        let sandbox = TestPaths.temporaryFolder("o-file")
        defer { try? FileManager.default.removeItem(at: sandbox) }
        try Data("x\n".utf8).write(to: sandbox.appendingPathComponent("out"))
        for output in ["out", "out/deeper"] {
            let run = try CLIRun.run(["generate", Self.example.path, "-o", output], currentDirectory: sandbox)
            #expect(run.status == 1)
            #expect(run.stderr.contains("error: cannot write 'out': a file is in the way"), "\(run.stderr)")
            expectNoFoundationDump(run.stderr)
        }
    }

    /// A parent the user cannot write to. Root ignores modes, so as root the run drops to `nobody`.
    @Test(.enabled(if: geteuid() != 0 || FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")))
    func readOnlyParentIsAClearError() throws {
        let sandbox = TestPaths.temporaryFolder("ro")
        defer { chmod(sandbox.appendingPathComponent("locked").path, 0o755); try? FileManager.default.removeItem(at: sandbox) }
        chmod(sandbox.path, 0o755)
        let locked = sandbox.appendingPathComponent("locked")
        try FileManager.default.createDirectory(at: locked, withIntermediateDirectories: true)
        chmod(locked.path, 0o555)
        let spec = sandbox.appendingPathComponent("spec.yaml")
        try FileManager.default.copyItem(at: Self.example, to: spec)
        try FileManager.default.copyItem(at: TestPaths.examples.appendingPathComponent("pricing-tiers.schema.sql"),
                                         to: sandbox.appendingPathComponent("pricing-tiers.schema.sql"))
        let arguments = ["generate", spec.path, "-o", "locked/out"]
        let run: CLIRun
        if geteuid() == 0 {
            run = try CLIRun.runAs(nobody: arguments, currentDirectory: sandbox)
        } else {
            run = try CLIRun.run(arguments, currentDirectory: sandbox)
        }
        #expect(run.status == 1, "\(run.stderr)")
        #expect(run.stderr.contains("error: cannot write 'locked/out': permission denied"), "\(run.stderr)")
        expectNoFoundationDump(run.stderr)
    }

    /// As an unprivileged user (modes apply): a user folder made read-only (0500) is carried
    /// over with its mode, and the old tree is still removed (no leftover beside the output).
    @Test(.enabled(if: geteuid() != 0 || FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")))
    func readOnlyUserFolderIsKeptAndNothingIsLeftBehind() throws {
        let sandbox = TestPaths.temporaryFolder("ro-user")
        defer { try? FileManager.default.removeItem(at: sandbox) }
        let spec = sandbox.appendingPathComponent("spec.yaml")
        try FileManager.default.copyItem(at: Self.example, to: spec)
        try FileManager.default.copyItem(at: TestPaths.examples.appendingPathComponent("pricing-tiers.schema.sql"),
                                         to: sandbox.appendingPathComponent("pricing-tiers.schema.sql"))
        let root = geteuid() == 0
        func run(_ arguments: [String]) throws -> CLIRun {
            root ? try CLIRun.runAs(nobody: arguments, currentDirectory: sandbox) : try CLIRun.run(arguments, currentDirectory: sandbox)
        }
        func own(_ path: String) { if root { chown(path, 65534, 65534) } }
        own(sandbox.path)
        chmod(sandbox.path, 0o755)
        let first = try run(["generate", spec.path, "-o", "out"])
        #expect(first.status == 0, "\(first.stderr)")
        let folder = sandbox.appendingPathComponent("out/pricing-tiers/frozen")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data("kept\n".utf8).write(to: folder.appendingPathComponent("f.txt"))
        own(folder.path)
        own(folder.appendingPathComponent("f.txt").path)
        chmod(folder.path, 0o500)
        defer { chmod(folder.path, 0o755) }
        let second = try run(["generate", spec.path, "-o", "out"])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(try String(contentsOf: folder.appendingPathComponent("f.txt"), encoding: .utf8) == "kept\n")
        var info = stat()
        #expect(lstat(folder.path, &info) == 0 && info.st_mode & 0o7777 == 0o500)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: sandbox.appendingPathComponent("out").path)
        #expect(leftovers == ["pricing-tiers"], "\(leftovers)")
    }

    @Test func symlinkedSQLFolderIsAClearError() throws {
        let sandbox = TestPaths.temporaryFolder("sql-link")
        defer { try? FileManager.default.removeItem(at: sandbox) }
        let out = try generated(sandbox)
        let elsewhere = sandbox.appendingPathComponent("elsewhere")
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        let sql = out.appendingPathComponent("pricing-tiers/sql")
        try FileManager.default.removeItem(at: sql)
        try FileManager.default.createSymbolicLink(at: sql, withDestinationURL: elsewhere)
        let run = try CLIRun.run(["generate", Self.example.path, "-o", "out"], currentDirectory: sandbox)
        #expect(run.status == 1)
        #expect(run.stderr.contains("error: cannot write 'out/pricing-tiers/sql': it is a symlink"), "\(run.stderr)")
        expectNoFoundationDump(run.stderr)
        #expect(try FileManager.default.contentsOfDirectory(atPath: elsewhere.path).isEmpty, "wrote through the link")
        // The output folder itself as a symlink is refused the same way.
        let moved = sandbox.appendingPathComponent("real")
        try FileManager.default.moveItem(at: out.appendingPathComponent("pricing-tiers"), to: moved)
        try FileManager.default.createSymbolicLink(at: out.appendingPathComponent("pricing-tiers"), withDestinationURL: moved)
        let again = try CLIRun.run(["generate", Self.example.path, "-o", "out"], currentDirectory: sandbox)
        #expect(again.status == 1)
        #expect(again.stderr.contains("error: cannot write 'out/pricing-tiers': it is a symlink"), "\(again.stderr)")
    }

    /// Manifest entries that leave the folder (`..`, absolute, through a symlink) are never
    /// announced by --dry-run, never reported by --check and never removed by a write.
    @Test func tamperedManifestNeverReachesOutsideTheFolder() throws {
        let sandbox = TestPaths.temporaryFolder("tamper")
        defer { try? FileManager.default.removeItem(at: sandbox) }
        let out = try generated(sandbox)
        let folder = out.appendingPathComponent("pricing-tiers")
        let victim = sandbox.appendingPathComponent("victimfile")
        try Data("victim\n".utf8).write(to: victim)
        let outside = sandbox.appendingPathComponent("outside")
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        try Data("x\n".utf8).write(to: outside.appendingPathComponent("x.sql"))
        try FileManager.default.createSymbolicLink(at: folder.appendingPathComponent("escape"), withDestinationURL: outside)

        let manifestURL = folder.appendingPathComponent(".cutover-manifest.json")
        var manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: manifestURL)) as! [String: Any]
        var files = manifest["files"] as! [[String: Any]]
        for path in ["../../victimfile", "../victimfile", victim.path, "escape/x.sql", "sql/../../../victimfile"] {
            files.append(["path": path, "sha256": String(repeating: "0", count: 64)])
        }
        manifest["files"] = files
        try JSONSerialization.data(withJSONObject: manifest).write(to: manifestURL)

        let dryRun = try CLIRun.run(["generate", Self.example.path, "-o", "out", "--dry-run"], currentDirectory: sandbox)
        #expect(dryRun.status == 0, "\(dryRun.stderr)")
        for text in ["victimfile", "escape", "x.sql", ".."] { #expect(!dryRun.stdout.contains(text), "\(dryRun.stdout)") }
        let check = try CLIRun.run(["generate", Self.example.path, "-o", "out", "--check"], currentDirectory: sandbox)
        for text in ["victimfile", "escape", "x.sql", ".."] { #expect(!check.stdout.contains(text), "\(check.stdout)") }
        let write = try CLIRun.run(["generate", Self.example.path, "-o", "out"], currentDirectory: sandbox)
        #expect(write.status == 0, "\(write.stderr)")
        #expect(FileManager.default.fileExists(atPath: victim.path))
        #expect(FileManager.default.fileExists(atPath: outside.appendingPathComponent("x.sql").path))
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: folder.appendingPathComponent("escape").path)) == outside.path)
    }

    /// A second writer waits for the lock a bounded time, then fails with a message naming the
    /// folder; once the lock is free it writes. (flock locks conflict between two open files of
    /// one process too, so the test holds the lock itself.)
    @Test func secondWriterWaitsThenFailsClearly() throws {
        let sandbox = TestPaths.temporaryFolder("lock")
        defer { try? FileManager.default.removeItem(at: sandbox) }
        let files = [OutputFile(path: "a.txt", contents: "a\n")]
        let lockPath = sandbox.appendingPathComponent(".demo.cutover-lock").path
        let held = open(lockPath, O_RDWR | O_CREAT, 0o644)
        #expect(flock(held, LOCK_EX) == 0)
        let start = Date()
        let told = Told()
        #expect {
            try OutputWriter(lockTimeout: 0.5, waiting: { told.add($0) }).write(files, name: "demo", root: sandbox)
        } throws: { error in
            "\(error)".contains("another cutover run is writing it")
        }
        #expect(Date().timeIntervalSince(start) >= 0.5)
        #expect(told.lines.count == 1 && told.lines[0].contains("waiting for another cutover run"), "\(told.lines)")
        #expect(!FileManager.default.fileExists(atPath: sandbox.appendingPathComponent("demo").path))
        flock(held, LOCK_UN)
        close(held)
        try OutputWriter(lockTimeout: 0.5).write(files, name: "demo", root: sandbox)
        #expect(FileManager.default.fileExists(atPath: sandbox.appendingPathComponent("demo/a.txt").path))
        #expect(!FileManager.default.fileExists(atPath: lockPath), "the lock file stays behind")
    }

    /// Staging folders of a killed run are swept (only names the writer makes); an old tree
    /// whose folder is missing goes back in place instead of being deleted.
    @Test func leftoversOfAKilledRunAreSweptAndNothingElse() throws {
        let sandbox = TestPaths.temporaryFolder("sweep")
        defer { try? FileManager.default.removeItem(at: sandbox) }
        let files = [OutputFile(path: "a.txt", contents: "a\n")]
        let fm = FileManager.default
        for name in [".demo.cutover-staging", ".demo.cutover-staging-0123456789abcdef", ".demo.cutover-staging-notes", ".other.cutover-staging-0123456789abcdef"] {
            try fm.createDirectory(at: sandbox.appendingPathComponent(name + "/sql"), withIntermediateDirectories: true)
        }
        let old = sandbox.appendingPathComponent(".demo.cutover-old-00000000000000ff")
        try fm.createDirectory(at: old, withIntermediateDirectories: true)
        try Data("mine\n".utf8).write(to: old.appendingPathComponent("user.txt"))
        try OutputWriter().write(files, name: "demo", root: sandbox)
        let left = Set(try fm.contentsOfDirectory(atPath: sandbox.path))
        #expect(left == [".demo.cutover-staging-notes", ".other.cutover-staging-0123456789abcdef", "demo"], "\(left.sorted())")
        #expect(try String(contentsOf: sandbox.appendingPathComponent("demo/user.txt"), encoding: .utf8) == "mine\n")
    }
}

/// Lines a callback received, from any thread.
final class Told: @unchecked Sendable {
    private let lock = NSLock()
    private var received: [String] = []

    func add(_ line: String) { lock.lock(); received.append(line); lock.unlock() }
    var lines: [String] { lock.lock(); defer { lock.unlock() }; return received }
}
