import CutoverSystem
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes one migration's files into `root/<name>/` atomically and safely:
/// - the new tree is built in a sibling staging folder on the same filesystem and swapped in with one
///   rename, so a killed run leaves the old tree or the new one, never a mix;
/// - files the user added are carried over; only files listed in the previous manifest are replaced;
/// - paths come from validated names, are checked again here, and symlinks are never followed.
public struct OutputWriter: Sendable {
    /// Folders cutover owns inside an output folder: any file in them that cutover did not generate
    /// changes what helm, kustomize or migrate would apply, so `--check` reports it as extra.
    public static let ownedFolders = ["sql", "flyway", "liquibase", "chart", "manifests"]

    public enum DriftKind: String, Sendable, Comparable {
        case stale, missing, extra
        public static func < (lhs: DriftKind, rhs: DriftKind) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    public struct Drift: Sendable, Equatable {
        public var path: String
        public var kind: DriftKind
    }

    /// What `write` would do to one file, for `--dry-run`.
    public enum PendingChange: String, Sendable {
        case create, update, remove
    }

    public init() {}

    /// The files `write` would create, rewrite or remove; user files are never touched, so never listed.
    public func pendingChanges(_ files: [OutputFile], name: String, root: URL) throws -> [(path: String, change: PendingChange)] {
        let folder = root.appendingPathComponent(name)
        let expected = try withManifest(files)
        var result: [(String, PendingChange)] = []
        for file in expected {
            let url = folder.appendingPathComponent(file.path)
            if let data = try? Data(contentsOf: url), !isSymlink(url) {
                if data != Data(file.contents.utf8) { result.append(("\(name)/\(file.path)", .update)) }
            } else {
                result.append(("\(name)/\(file.path)", .create))
            }
        }
        let expectedPaths = Set(expected.map(\.path))
        for path in GeneratedManifest.read(in: folder)?.files.map(\.path) ?? [] where !expectedPaths.contains(path) {
            result.append(("\(name)/\(path)", .remove))
        }
        return result.sorted { $0.0 < $1.0 }
    }

    /// What differs between the files cutover would write and what is on disk.
    public func drift(_ files: [OutputFile], name: String, root: URL) throws -> [Drift] {
        let folder = root.appendingPathComponent(name)
        let expected = try withManifest(files)
        var result: [Drift] = []
        let expectedPaths = Set(expected.map(\.path))
        for file in expected {
            let url = folder.appendingPathComponent(file.path)
            guard let data = try? Data(contentsOf: url), !isSymlink(url) else {
                result.append(Drift(path: "\(name)/\(file.path)", kind: .missing))
                continue
            }
            if data != Data(file.contents.utf8) { result.append(Drift(path: "\(name)/\(file.path)", kind: .stale)) }
        }
        let previous = Set(GeneratedManifest.read(in: folder)?.files.map(\.path) ?? [])
        for path in try listFiles(in: folder) where !expectedPaths.contains(path) {
            let owned = Self.ownedFolders.contains { path.hasPrefix($0 + "/") }
            if owned || previous.contains(path) { result.append(Drift(path: "\(name)/\(path)", kind: .extra)) }
        }
        return result.sorted { ($0.path, $0.kind) < ($1.path, $1.kind) }
    }

    public func write(_ files: [OutputFile], name: String, root: URL) throws {
        try checkPathComponent(name)
        let fm = FileManager.default
        try fm.createDirectory(at: root, withIntermediateDirectories: true)
        let folder = root.appendingPathComponent(name)
        if isSymlink(folder) { throw CutoverError.unsafeOutput("'\(folder.path)' is a symbolic link") }
        var isDirectory: ObjCBool = false
        let exists = fm.fileExists(atPath: folder.path, isDirectory: &isDirectory)
        if exists && !isDirectory.boolValue { throw CutoverError.unsafeOutput("'\(folder.path)' exists and is not a folder") }

        let staging = root.appendingPathComponent(".\(name).cutover-staging")
        try removeIfPresent(staging)
        try fm.createDirectory(at: staging, withIntermediateDirectories: false)
        do {
            let all = try withManifest(files)
            var knownFolders: Set<String> = [staging.path]
            for file in all { try put(file.contents, at: file.path, in: staging, knownFolders: &knownFolders) }
            if exists {
                let generatedBefore = Set(GeneratedManifest.read(in: folder)?.files.map(\.path) ?? [])
                let generatedNow = Set(all.map(\.path))
                for path in try listFiles(in: folder) where !generatedBefore.contains(path) && path != GeneratedManifest.fileName {
                    if generatedNow.contains(path) {
                        throw CutoverError.unsafeOutput("'\(name)/\(path)' was not generated by cutover and would be overwritten; move it away")
                    }
                    try carryOver(path, from: folder, to: staging)
                }
                try swap(staging, folder)
                try removeIfPresent(staging)
            } else {
                guard rename(staging.path, folder.path) == 0 else {
                    throw CutoverError.cannotWrite(folder.path, String(cString: strerror(errno)))
                }
            }
        } catch {
            try? removeIfPresent(staging)
            throw error
        }
    }

    private func withManifest(_ files: [OutputFile]) throws -> [OutputFile] {
        for file in files { try checkRelativePath(file.path) }
        let manifest = OutputFile(path: GeneratedManifest.fileName, contents: GeneratedManifest(files: files).encoded())
        return (files + [manifest]).sorted { $0.path < $1.path }
    }

    /// Plain open/write/close: no fsync per file (Foundation's `Data.write` syncs every file, which
    /// dominated large trees). Durability comes from the single rename that publishes the tree.
    private func put(_ contents: String, at path: String, in folder: URL, knownFolders: inout Set<String>) throws {
        let url = folder.appendingPathComponent(path)
        let parent = url.deletingLastPathComponent().path
        if !knownFolders.contains(parent) {
            try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
            knownFolders.insert(parent)
        }
        let descriptor = open(url.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw CutoverError.cannotWrite(url.path, String(cString: strerror(errno))) }
        defer { close(descriptor) }
        let bytes = Array(contents.utf8)
        let total = bytes.count
        var written = 0
        try bytes.withUnsafeBytes { buffer in
            while written < total {
                #if canImport(Glibc)
                let result = Glibc.write(descriptor, buffer.baseAddress! + written, total - written)
                #else
                let result = Darwin.write(descriptor, buffer.baseAddress! + written, total - written)
                #endif
                if result < 0 {
                    if errno == EINTR { continue }
                    throw CutoverError.cannotWrite(url.path, String(cString: strerror(errno)))
                }
                written += result
            }
        }
    }

    /// A user's file moves into the new tree as a hard link (same filesystem), or as a copy; a
    /// symlink is recreated as a symlink, never followed.
    private func carryOver(_ path: String, from source: URL, to destination: URL) throws {
        let from = source.appendingPathComponent(path)
        let to = destination.appendingPathComponent(path)
        let fm = FileManager.default
        try fm.createDirectory(at: to.deletingLastPathComponent(), withIntermediateDirectories: true)
        if isSymlink(from) {
            let target = try fm.destinationOfSymbolicLink(atPath: from.path)
            try fm.createSymbolicLink(atPath: to.path, withDestinationPath: target)
        } else if link(from.path, to.path) != 0 {
            try fm.copyItem(at: from, to: to)
        }
    }

    /// Exchanges the two folders in one step (Linux renameat2 RENAME_EXCHANGE); where the filesystem
    /// cannot, falls back to two renames, leaving the old tree under the staging name for an instant.
    private func swap(_ staging: URL, _ folder: URL) throws {
        if cutover_exchange_paths(staging.path, folder.path) == 0 { return }
        let old = folder.deletingLastPathComponent().appendingPathComponent(".\(folder.lastPathComponent).cutover-old")
        try removeIfPresent(old)
        guard rename(folder.path, old.path) == 0, rename(staging.path, folder.path) == 0 else {
            throw CutoverError.cannotWrite(folder.path, String(cString: strerror(errno)))
        }
        try removeIfPresent(old)
    }

    /// Regular files and symlinks under `folder`, relative, without descending into symlinked folders.
    private func listFiles(in folder: URL) throws -> [String] {
        let fm = FileManager.default
        guard !isSymlink(folder), fm.fileExists(atPath: folder.path) else { return [] }
        var result: [String] = []
        var pending = [""]
        while let relative = pending.popLast() {
            let url = relative.isEmpty ? folder : folder.appendingPathComponent(relative)
            for entry in try fm.contentsOfDirectory(atPath: url.path).sorted() {
                let path = relative.isEmpty ? entry : "\(relative)/\(entry)"
                let child = folder.appendingPathComponent(path)
                var isDirectory: ObjCBool = false
                if !isSymlink(child), fm.fileExists(atPath: child.path, isDirectory: &isDirectory), isDirectory.boolValue {
                    pending.append(path)
                } else {
                    result.append(path)
                }
            }
        }
        return result.sorted()
    }

    private func removeIfPresent(_ url: URL) throws {
        if isSymlink(url) || FileManager.default.fileExists(atPath: url.path) {
            try FileManager.default.removeItem(at: url)
        }
    }

    private func isSymlink(_ url: URL) -> Bool {
        var info = stat()
        return lstat(url.path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFLNK
    }

    private func checkPathComponent(_ name: String) throws {
        guard !name.isEmpty, name != ".", name != "..", !name.hasPrefix("."),
              name.unicodeScalars.allSatisfy({ $0.isASCII && (ASCII.alnum($0) || "-_.".unicodeScalars.contains($0)) }) else {
            throw CutoverError.unsafeOutput("'\(name)' is not a safe file name")
        }
    }

    private func checkRelativePath(_ path: String) throws {
        guard !path.hasPrefix("/") else { throw CutoverError.unsafeOutput("'\(path)' is absolute") }
        for component in path.split(separator: "/", omittingEmptySubsequences: false) {
            let part = String(component)
            guard !part.isEmpty, part != ".", part != "..",
                  part.unicodeScalars.allSatisfy({ $0.isASCII && (ASCII.alnum($0) || "-_.".unicodeScalars.contains($0)) }) else {
                throw CutoverError.unsafeOutput("'\(path)' is not a safe relative path")
            }
        }
    }
}

private func < (lhs: (String, OutputWriter.DriftKind), rhs: (String, OutputWriter.DriftKind)) -> Bool {
    lhs.0 != rhs.0 ? lhs.0 < rhs.0 : lhs.1 < rhs.1
}
