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
///
/// Files arrive one at a time (`FileSource`): each is checked, written and hashed as it comes, so the
/// tree is never held in memory; the manifest is written last from the collected hashes.
public struct OutputWriter: Sendable {
    /// Folders cutover owns inside an output folder: any file in them that cutover did not generate
    /// changes what helm, kustomize or migrate would apply, so `--check` reports it as extra.
    public static let ownedFolders = ["sql", "flyway", "liquibase", "chart", "manifests"]

    /// Hands every file of a migration to the sink, in any order (`Compiler.emit(_:to:)`).
    public typealias FileSource = ((OutputFile) throws -> Void) throws -> Void

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

    // MARK: - Lists of files

    public func pendingChanges(_ files: [OutputFile], name: String, root: URL) throws -> [(path: String, change: PendingChange)] {
        try pendingChanges(name: name, root: root) { sink in for file in files { try sink(file) } }
    }

    public func drift(_ files: [OutputFile], name: String, root: URL) throws -> [Drift] {
        try drift(name: name, root: root) { sink in for file in files { try sink(file) } }
    }

    public func write(_ files: [OutputFile], name: String, root: URL) throws {
        try write(name: name, root: root) { sink in for file in files { try sink(file) } }
    }

    // MARK: - Streams of files

    /// The files `write` would create, rewrite or remove; user files are never touched, so never listed.
    public func pendingChanges(name: String, root: URL, files: FileSource) throws -> [(path: String, change: PendingChange)] {
        let folder = root.appendingPathComponent(name).path
        var result: [(String, PendingChange)] = []
        var manifest = ManifestBuilder()
        func compare(_ file: OutputFile) {
            switch sameContents(file, atPath: folder + "/" + file.path) {
            case true?: break
            case false?: result.append(("\(name)/\(file.path)", .update))
            case nil: result.append(("\(name)/\(file.path)", .create))
            }
        }
        try files { file in
            try checkRelativePath(file.path)
            manifest.add(file)
            compare(file)
        }
        let generated = manifest.finish()
        compare(OutputFile(path: GeneratedManifest.fileName, bytes: generated.encodedBytes()))
        let expectedPaths = Set(generated.files.map(\.path) + [GeneratedManifest.fileName])
        for path in GeneratedManifest.read(in: URL(fileURLWithPath: folder))?.files.map(\.path) ?? [] where !expectedPaths.contains(path) {
            result.append(("\(name)/\(path)", .remove))
        }
        return result.sorted { $0.0 < $1.0 }
    }

    /// What differs between the files cutover would write and what is on disk.
    public func drift(name: String, root: URL, files: FileSource) throws -> [Drift] {
        let folderURL = root.appendingPathComponent(name)
        let folder = folderURL.path
        var result: [Drift] = []
        var manifest = ManifestBuilder()
        func compare(_ file: OutputFile) {
            switch sameContents(file, atPath: folder + "/" + file.path) {
            case true?: break
            case false?: result.append(Drift(path: "\(name)/\(file.path)", kind: .stale))
            case nil: result.append(Drift(path: "\(name)/\(file.path)", kind: .missing))
            }
        }
        try files { file in
            try checkRelativePath(file.path)
            manifest.add(file)
            compare(file)
        }
        let generated = manifest.finish()
        compare(OutputFile(path: GeneratedManifest.fileName, bytes: generated.encodedBytes()))
        let expectedPaths = Set(generated.files.map(\.path) + [GeneratedManifest.fileName])
        let previous = Set(GeneratedManifest.read(in: folderURL)?.files.map(\.path) ?? [])
        for path in try listFiles(in: folder) where !expectedPaths.contains(path) {
            let owned = Self.ownedFolders.contains { path.hasPrefix($0 + "/") }
            if owned || previous.contains(path) { result.append(Drift(path: "\(name)/\(path)", kind: .extra)) }
        }
        return result.sorted { ($0.path, $0.kind) < ($1.path, $1.kind) }
    }

    public func write(name: String, root: URL, files: FileSource) throws {
        try checkPathComponent(name)
        let fm = FileManager.default
        try fm.createDirectory(at: root, withIntermediateDirectories: true)
        let folder = root.appendingPathComponent(name)
        if isSymlink(folder.path) { throw CutoverError.unsafeOutput("'\(folder.path)' is a symbolic link") }
        var isDirectory: ObjCBool = false
        let exists = fm.fileExists(atPath: folder.path, isDirectory: &isDirectory)
        if exists && !isDirectory.boolValue { throw CutoverError.unsafeOutput("'\(folder.path)' exists and is not a folder") }

        let staging = root.appendingPathComponent(".\(name).cutover-staging")
        try removeIfPresent(staging)
        try fm.createDirectory(at: staging, withIntermediateDirectories: false)
        do {
            // The files go to a writer thread in batches: it creates, writes and hashes each one while
            // this thread makes the next ones.
            let writer = try StagingWriter(folder: staging.path)
            var batch: [OutputFile] = []
            var batchBytes = 0
            do {
                try files { file in
                    try checkRelativePath(file.path)
                    batchBytes += file.byteCount
                    batch.append(file)
                    if batch.count >= 64 || batchBytes >= 1 << 20 {
                        try writer.add(batch, bytes: batchBytes)
                        batch = []
                        batchBytes = 0
                    }
                }
                try writer.add(batch, bytes: batchBytes)
            } catch {
                _ = try? writer.finish()
                throw error
            }
            let generated = GeneratedManifest(entries: try writer.finish())
            try put(OutputFile(path: GeneratedManifest.fileName, bytes: generated.encodedBytes()), in: staging.path, hash: false)
            if exists {
                let generatedBefore = Set(GeneratedManifest.read(in: folder)?.files.map(\.path) ?? [])
                let generatedNow = Set(generated.files.map(\.path))
                for path in try listFiles(in: folder.path) where !generatedBefore.contains(path) && path != GeneratedManifest.fileName {
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

    /// Collects each file's path and SHA-256 for the manifest.
    private struct ManifestBuilder {
        var entries: [GeneratedManifest.Entry] = []

        mutating func add(_ file: OutputFile) {
            var hasher = SHA256()
            file.withBytes { hasher.update($0) }
            add(file.path, sha256: hasher.finalizeHex())
        }

        mutating func add(_ path: String, sha256: String) {
            entries.append(GeneratedManifest.Entry(path: path, sha256: sha256))
        }

        func finish() -> GeneratedManifest {
            GeneratedManifest(entries: entries)
        }
    }

    /// The writer thread of `write`: files arrive in batches, each is created under the staging
    /// folder (`openat` on a cached descriptor of its folder, so the kernel resolves one name, not the
    /// whole path), written and hashed. At most `maxQueuedBytes` wait at a time, so a large tree never
    /// sits in memory (most queued bytes are SQL text the emitters share anyway; the bound is for
    /// the documents built after them); the first error stops the thread and is rethrown to the
    /// producer.
    private final class StagingWriter: @unchecked Sendable {
        static let maxQueuedBytes = 128 << 20

        private let condition = NSCondition()
        private var batches: [[OutputFile]] = []
        private var batchBytes: [Int] = []
        private var queuedBytes = 0
        private var closed = false
        private var running = true
        private var failure: Error?
        private var entries: [GeneratedManifest.Entry] = []
        private let folder: String
        private let rootDescriptor: Int32
        private var folders: [Substring: Int32] = [:]

        init(folder: String) throws {
            self.folder = folder
            rootDescriptor = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            guard rootDescriptor >= 0 else { throw CutoverError.cannotWrite(folder, String(cString: strerror(errno))) }
            folders[""] = rootDescriptor
            let thread = Thread { [self] in run() }
            thread.stackSize = 1 << 20
            thread.start()
        }

        deinit {
            for descriptor in folders.values { close(descriptor) }
        }

        /// Queues a batch; waits while too much is queued. Throws the writer's error, if any.
        func add(_ batch: [OutputFile], bytes: Int) throws {
            condition.lock()
            defer { condition.unlock() }
            while queuedBytes > Self.maxQueuedBytes && failure == nil { condition.wait() }
            if let failure { throw failure }
            guard !batch.isEmpty else { return }
            batches.append(batch)
            batchBytes.append(bytes)
            queuedBytes += bytes
            condition.broadcast()
        }

        /// Waits for every queued file; returns the manifest entries or throws the first error.
        func finish() throws -> [GeneratedManifest.Entry] {
            condition.lock()
            defer { condition.unlock() }
            closed = true
            condition.broadcast()
            while running { condition.wait() }
            if let failure { throw failure }
            return entries
        }

        private func run() {
            while true {
                condition.lock()
                while batches.isEmpty && !closed { condition.wait() }
                if batches.isEmpty || failure != nil {
                    running = false
                    condition.broadcast()
                    condition.unlock()
                    return
                }
                let batch = batches.removeFirst()
                let bytes = batchBytes.removeFirst()
                condition.unlock()
                var written: [GeneratedManifest.Entry] = []
                written.reserveCapacity(batch.count)
                var error: Error?
                for file in batch {
                    do {
                        written.append(GeneratedManifest.Entry(path: file.path, sha256: try write(file)))
                    } catch let caught {
                        error = caught
                        break
                    }
                }
                condition.lock()
                entries += written
                queuedBytes -= bytes
                if let error {
                    failure = error
                    batches.removeAll()
                    running = false
                    condition.broadcast()
                    condition.unlock()
                    return
                }
                condition.broadcast()
                condition.unlock()
            }
        }

        private func write(_ file: OutputFile) throws -> String {
            let path = file.path
            var directory = rootDescriptor
            var name = Substring(path)
            if let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) {
                directory = try descriptor(of: path[..<slash])
                name = path[path.utf8.index(after: slash)...]
            }
            let descriptor = openat(directory, String(name), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o644)
            guard descriptor >= 0 else { throw CutoverError.cannotWrite(folder + "/" + path, String(cString: strerror(errno))) }
            defer { close(descriptor) }
            return try OutputWriter.writeAll(file, to: descriptor, path: folder + "/" + path)
        }

        /// The descriptor of a folder under the staging folder, creating it (and its parents) once.
        private func descriptor(of relative: Substring) throws -> Int32 {
            if let known = folders[relative] { return known }
            var parent = rootDescriptor
            var name = relative
            if let slash = relative.utf8.lastIndex(of: UInt8(ascii: "/")) {
                parent = try descriptor(of: relative[..<slash])
                name = relative[relative.utf8.index(after: slash)...]
            }
            let path = folder + "/" + relative
            if mkdirat(parent, String(name), 0o755) != 0 && errno != EEXIST {
                throw CutoverError.cannotWrite(path, String(cString: strerror(errno)))
            }
            let descriptor = openat(parent, String(name), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard descriptor >= 0 else { throw CutoverError.cannotWrite(path, String(cString: strerror(errno))) }
            folders[relative] = descriptor
            return descriptor
        }
    }

    // MARK: - Files

    /// Plain open/write/close, hashing the bytes on the way: no fsync per file (Foundation's
    /// `Data.write` syncs every file, which dominated large trees). Durability comes from the single
    /// rename that publishes the tree. Returns the SHA-256 of the contents.
    @discardableResult
    private func put(_ file: OutputFile, in folder: String, hash: Bool = true) throws -> String {
        let path = folder + "/" + file.path
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw CutoverError.cannotWrite(path, String(cString: strerror(errno))) }
        defer { close(descriptor) }
        return try Self.writeAll(file, to: descriptor, path: path, hash: hash)
    }

    /// Writes the file's bytes to the descriptor, returning their SHA-256.
    fileprivate static func writeAll(_ file: OutputFile, to descriptor: Int32, path: String, hash: Bool = true) throws -> String {
        var hasher = SHA256()
        try file.withBytes { bytes in
            if hash { hasher.update(bytes) }
            var written = 0
            while written < bytes.count {
                #if canImport(Glibc)
                let result = Glibc.write(descriptor, bytes.baseAddress! + written, bytes.count - written)
                #else
                let result = Darwin.write(descriptor, bytes.baseAddress! + written, bytes.count - written)
                #endif
                if result < 0 {
                    if errno == EINTR { continue }
                    throw CutoverError.cannotWrite(path, String(cString: strerror(errno)))
                }
                written += result
            }
        }
        return hash ? hasher.finalizeHex() : ""
    }

    /// True when the regular file at `path` holds exactly the file's contents, false when it
    /// differs, nil when there is no such file (or it is a symbolic link, which is never followed).
    private func sameContents(_ file: OutputFile, atPath path: String) -> Bool? {
        guard !isSymlink(path), let data = FileManager.default.contents(atPath: path) else { return nil }
        return file.withBytes { expected in
            data.count == expected.count && data.withUnsafeBytes { actual in
                expected.count == 0 || memcmp(actual.baseAddress!, expected.baseAddress!, expected.count) == 0
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
        if isSymlink(from.path) {
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

    /// Regular files and symlinks under `folder`, relative and sorted, without descending into
    /// symlinked folders. Reads each directory once (readdir's entry types; lstat only where the
    /// filesystem gives none).
    private func listFiles(in folder: String) throws -> [String] {
        guard !isSymlink(folder), FileManager.default.fileExists(atPath: folder) else { return [] }
        var result: [String] = []
        var pending = [""]
        while let relative = pending.popLast() {
            let path = relative.isEmpty ? folder : folder + "/" + relative
            guard let directory = opendir(path) else {
                throw CutoverError.cannotRead(path)
            }
            defer { closedir(directory) }
            while let entry = readdir(directory) {
                let entryName = withUnsafePointer(to: entry.pointee.d_name) { pointer in
                    pointer.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
                }
                if entryName == "." || entryName == ".." { continue }
                let child = relative.isEmpty ? entryName : relative + "/" + entryName
                var isFolder: Bool
                let type = Int(entry.pointee.d_type)
                switch type {
                case Int(DT_DIR): isFolder = true
                case Int(DT_REG), Int(DT_LNK): isFolder = false
                default:
                    var info = stat()
                    isFolder = lstat(folder + "/" + child, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
                }
                if isFolder { pending.append(child) } else { result.append(child) }
            }
        }
        return result.sorted()
    }

    private func removeIfPresent(_ url: URL) throws {
        if isSymlink(url.path) || FileManager.default.fileExists(atPath: url.path) {
            try FileManager.default.removeItem(at: url)
        }
    }

    private func isSymlink(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFLNK
    }

    private func checkPathComponent(_ name: String) throws {
        guard !name.isEmpty, name != ".", name != "..", !name.hasPrefix("."),
              name.unicodeScalars.allSatisfy({ $0.isASCII && (ASCII.alnum($0) || "-_.".unicodeScalars.contains($0)) }) else {
            throw CutoverError.unsafeOutput("'\(name)' is not a safe file name")
        }
    }

    /// Relative, `/`-separated, every component non-empty, not `.` or `..`, of ASCII letters, digits
    /// and `-_.` only. One pass over the bytes.
    private func checkRelativePath(_ path: String) throws {
        guard !path.hasPrefix("/") else { throw CutoverError.unsafeOutput("'\(path)' is absolute") }
        var componentLength = 0
        var dots = 0
        var safe = true
        for byte in path.utf8 {
            switch byte {
            case UInt8(ascii: "/"):
                if componentLength == 0 || dots == componentLength && componentLength <= 2 { safe = false }
                componentLength = 0
                dots = 0
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"):
                componentLength += 1
            case UInt8(ascii: "."):
                componentLength += 1
                dots += 1
            default:
                safe = false
            }
            if !safe { break }
        }
        if componentLength == 0 || dots == componentLength && componentLength <= 2 { safe = false }
        guard safe else { throw CutoverError.unsafeOutput("'\(path)' is not a safe relative path") }
    }
}

private func < (lhs: (String, OutputWriter.DriftKind), rhs: (String, OutputWriter.DriftKind)) -> Bool {
    lhs.0 != rhs.0 ? lhs.0 < rhs.0 : lhs.1 < rhs.1
}
