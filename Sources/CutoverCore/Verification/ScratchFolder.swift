import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A private temporary folder for one verification run (servers, sockets, step files). When
/// cutover runs as root the folder is made traversable (0711) so the `postgres` user can reach the
/// server folder inside it, which that user owns; nothing in it is readable by others.
public final class ScratchFolder: @unchecked Sendable {
    public let path: String
    private let lock = NSLock()

    public init(prefix: String = "cutover-verify", environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        var base = environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        if base.hasSuffix("/") && base.count > 1 { base.removeLast() }
        if geteuid() == 0 && !ScratchFolder.traversableByOthers(base) { base = "/tmp" }
        // Unix socket paths are limited to 107 bytes; servers put theirs two levels down.
        if base.utf8.count + prefix.utf8.count > 70 { base = "/tmp" }
        var template = Array("\(base)/\(prefix)-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        guard made != nil else { throw VerificationError.system("mkdtemp in \(base)", errno) }
        path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if geteuid() == 0 { chmod(path, 0o711) }
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
