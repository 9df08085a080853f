import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs the built `cutover` binary under `/usr/bin/time` and reads its peak resident set from there,
/// so the figure is this run's alone: not the largest of every child the test process has waited
/// for (`getrusage(RUSAGE_CHILDREN)`), and not the test process's own either. A child spawned
/// straight from here (posix_spawn shares this process's memory until exec) carries this process's
/// high-water mark into its `ru_maxrss`, which with every suite running at once passed 200 MB.
struct MeasuredRun {
    var status: Int32
    var stdout: String
    var stderr: String
    /// Peak resident set, in bytes.
    var maxRSS: Int

    static func run(_ arguments: [String]) throws -> MeasuredRun {
        let folder = TestPaths.temporaryFolder("measured")
        defer { try? FileManager.default.removeItem(at: folder) }
        let outPath = folder.appendingPathComponent("stdout").path, errPath = folder.appendingPathComponent("stderr").path
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let rssPath = folder.appendingPathComponent("maxrss").path
        let argv = (["/usr/bin/time", "-f", "%M", "-o", rssPath, TestPaths.binary.path] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in envp { free(pointer) } }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, "/usr/bin/time", &actions, nil, argv, envp)
        guard spawned == 0 else { throw HarnessError("posix_spawn failed: \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let exitStatus = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return MeasuredRun(status: exitStatus,
                           stdout: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
                           stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "",
                           maxRSS: Self.kilobytes(rssPath) * 1024)
    }

    /// GNU time's `%M` (KiB); a line "Command exited with non-zero status N" may come first.
    static func kilobytes(_ path: String) -> Int {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }.last ?? Int.max / 2048
    }
}
