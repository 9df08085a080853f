import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A private temporary folder for one verification run (servers, sockets, step files). When
/// cutover runs as root the folder is made traversable (0711) so the `postgres` user can reach the
/// server folder inside it, which that user owns; nothing in it is readable by others.
///
/// The folder holds a marker, `.cutover-owner`, with the PID and start time of the process that
/// made it. A run that was killed (SIGKILL: no clean-up ran; its servers died with it through their
/// parent-death signal) leaves its folder behind; the next run with the same prefix in the same
/// place removes every such folder whose marker names a process that no longer exists, and
/// nothing else (no marker, another owner, a symlink: left alone). `--keep` removes the marker, so
/// a kept folder is never swept.
public final class ScratchFolder: @unchecked Sendable {
    public let path: String
    /// The folder `path` was made in, where a killed run's folders are looked for.
    let base: String
    let prefix: String
    private let lock = NSLock()

    public init(prefix: String = "cutover-verify", environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        var base = environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        if base.hasSuffix("/") && base.count > 1 { base.removeLast() }
        if geteuid() == 0 && !ScratchFolder.traversableByOthers(base) { base = "/tmp" }
        // Unix socket paths are limited to 107 bytes; servers put theirs two levels down.
        if base.utf8.count + prefix.utf8.count > 70 { base = "/tmp" }
        self.base = base
        self.prefix = prefix
        Self.sweep(base, prefix: prefix)
        var template = Array("\(base)/\(prefix)-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        guard made != nil else { throw VerificationError.system("mkdtemp in \(base)", errno) }
        path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if geteuid() == 0 { chmod(path, 0o711) }
        let marker = "\(getpid()) \(Self.startTime(getpid()) ?? 0)\n"
        FileManager.default.createFile(atPath: "\(path)/\(Self.markerName)", contents: Data(marker.utf8),
                                       attributes: [.posixPermissions: 0o600])
    }

    static let markerName = ".cutover-owner"

    /// Keeps the folder for good: without its marker no later run sweeps it.
    public func release() {
        try? FileManager.default.removeItem(atPath: file(Self.markerName))
    }

    /// A process's start time in clock ticks since boot (Linux, /proc/PID/stat field 22), which
    /// tells a live owner from an unrelated process that reuses its PID.
    static func startTime(_ pid: pid_t) -> UInt64? {
        #if os(Linux)
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 19 ? UInt64(fields[19]) : nil
        #else
        return nil
        #endif
    }

    /// Where a run on a --database-url server notes what it created there, so that after a SIGKILL
    /// the next run on the same server can drop it (`ExternalLeftovers`).
    static let externalRecordName = "external-databases"

    /// Removes `base/prefix-*` folders of this user whose marker names a process that is gone,
    /// except those that note scratch databases on a --database-url server: the next run on that
    /// server drops the databases, then the folder.
    static func sweep(_ base: String, prefix: String) {
        for folder in deadFolders(base, prefix: prefix)
        where !FileManager.default.fileExists(atPath: "\(folder)/\(externalRecordName)") {
            try? FileManager.default.removeItem(atPath: folder)
        }
    }

    /// `base/prefix-*` folders of this user (real folders, not links) whose marker names a process
    /// that is gone (or a PID now used by a process started at another time).
    static func deadFolders(_ base: String, prefix: String) -> [String] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: base) else { return [] }
        var dead: [String] = []
        for entry in entries.sorted() where entry.hasPrefix(prefix + "-") && entry.count == prefix.count + 7 {
            let folder = "\(base)/\(entry)"
            var info = stat()
            guard lstat(folder, &info) == 0, info.st_mode & S_IFMT == S_IFDIR, info.st_uid == geteuid() else { continue }
            guard let text = try? String(contentsOfFile: "\(folder)/\(markerName)", encoding: .utf8) else { continue }
            let parts = text.split(whereSeparator: { $0 == " " || $0 == "\n" })
            guard parts.count == 2, let pid = pid_t(parts[0]), pid > 0, let started = UInt64(parts[1]) else { continue }
            let alive = !ProcessState.isGone(pid) && (startTime(pid).map { $0 == started } ?? true)
            if !alive { dead.append(folder) }
        }
        return dead
    }

    /// True when every folder from `/` down to `path` lets others pass through (o+x).
    static func traversableByOthers(_ path: String) -> Bool {
        var current = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        while true {
            var info = stat()
            guard stat(current, &info) == 0, info.st_mode & 0o001 != 0 else { return false }
            if current == "/" { return true }
            current = (current as NSString).deletingLastPathComponent
            if current.isEmpty { return true }
        }
    }

    public func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    /// Deletes the folder and everything in it; safe to repeat (after an interrupt it runs again
    /// once the servers that wrote into it have stopped).
    public func remove() {
        lock.lock(); defer { lock.unlock() }
        try? FileManager.default.removeItem(atPath: path)
    }
}
