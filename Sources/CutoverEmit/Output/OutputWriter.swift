import CutoverPlan
import CutoverSystem
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes one migration's files into `root/<name>/` atomically and safely:
/// - one run at a time per folder (`OutputLock`);
/// - the new tree is built in a uniquely named sibling staging folder on the same filesystem and
///   swapped in with one rename, so a killed run leaves the old tree or the new one, never a mix;
/// - everything the user keeps is carried over (`CarryOver`); only regular files listed in the
///   previous manifest are replaced; a mount point inside the folder is refused (`ExistingTree`);
/// - paths come from validated names, are checked again here, and symlinks are never followed;
///   manifest entries outside the folder are ignored by every mode.
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

    /// How long `write` waits for another run's lock on the same output folder.
    public var lockTimeout: Double
    /// Told once, with a line for the user, when `write` finds another run holding the lock.
    public var waiting: (@Sendable (String) -> Void)?

    public init(lockTimeout: Double = 120, waiting: (@Sendable (String) -> Void)? = nil) {
        self.lockTimeout = lockTimeout
        self.waiting = waiting
    }

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
        let (compared, expectedPaths) = try compareToDisk(folder: folder, files: files)
        for (path, same) in compared where same != true { result.append(("\(name)/\(path)", same == nil ? .create : .update)) }
        // Only what `write` would really remove: listed paths inside the folder (`readManifest`
        // drops `..` and absolute ones) that reach a regular file without passing a symlink.
        let previous = try Self.readManifest(in: folder, display: Self.displayPath(folder))
        for path in previous?.files.map(\.path) ?? [] where !expectedPaths.contains(path) && Self.isRegularFileInside(folder, path) {
            result.append(("\(name)/\(path)", .remove))
        }
        return result.sorted { $0.0 < $1.0 }
    }

    /// What differs between the files cutover would write and what is on disk.
    public func drift(name: String, root: URL, files: FileSource) throws -> [Drift] {
        let folder = root.appendingPathComponent(name).path
        var result: [Drift] = []
        let (compared, expectedPaths) = try compareToDisk(folder: folder, files: files)
        for (path, same) in compared where same != true { result.append(Drift(path: "\(name)/\(path)", kind: same == nil ? .missing : .stale)) }
        let previous = Set((try Self.readManifest(in: folder, display: Self.displayPath(folder)))?.files.map(\.path) ?? [])
        for path in try listFiles(in: folder) where !expectedPaths.contains(path) {
            let owned = Self.ownedFolders.contains { path.hasPrefix($0 + "/") }
            if owned || previous.contains(path) { result.append(Drift(path: "\(name)/\(path)", kind: .extra)) }
        }
        return result.sorted { ($0.path, $0.kind) < ($1.path, $1.kind) }
    }

    /// What `pendingChanges` and `drift` both do: every file `write` would write, the manifest last, held
    /// against the folder (`same`: true for the same bytes, false for other bytes, nil for no file), in
    /// order; and the paths the new manifest lists, itself included.
    private func compareToDisk(folder: String, files: FileSource) throws -> (compared: [(path: String, same: Bool?)], expected: Set<String>) {
        var manifest = ManifestBuilder()
        var compared: [(path: String, same: Bool?)] = []
        try files { file in
            try checkRelativePath(file.path)
            compared.append((file.path, try sameContents(file, sha256: manifest.add(file), in: folder, relative: file.path)))
        }
        let generated = manifest.finish()
        let manifestFile = OutputFile(path: GeneratedManifest.fileName, bytes: generated.encodedBytes())
        compared.append((manifestFile.path, try sameContents(manifestFile, sha256: SHA256.hex(manifestFile.contents), in: folder, relative: manifestFile.path)))
        return (compared, Set(generated.files.map(\.path) + [GeneratedManifest.fileName]))
    }

    /// Writes the tree and returns how many files cutover wrote (the manifest included).
    ///
    /// In order, nothing moving until the last step: the folder's lock is taken (`OutputLock`);
    /// leftovers of a killed run are swept; the old tree is listed (`ExistingTree`, which refuses a
    /// mount point inside); the new files go to a staging folder with a unique name; everything
    /// in the old tree that is not a regular file listed in the old manifest is carried over, with
    /// its mode (hard links keep files, pipes and symlinks as they are; folders are recreated
    /// with their modes, empty ones included); then one `renameat2` exchange swaps the trees.
    @discardableResult
    public func write(name: String, root: URL, files: FileSource) throws -> Int {
        try checkPathComponent(name)
        try Self.makeFolder(root.path)
        let folder = root.appendingPathComponent(name).path
        let display = Self.displayPath(folder)
        let lock = try OutputLock.acquire(path: root.appendingPathComponent(".\(name).cutover-lock").path,
                                          display: display, timeout: lockTimeout, waiting: waiting)
        defer { lock.release() }
        var rootInfo = stat()
        guard stat(root.path, &rootInfo) == 0 else { throw CutoverError.cannotWrite(Self.displayPath(root.path), IOErrorText.reason(errno: errno)) }
        sweepLeftovers(of: name, in: root.path, device: rootInfo.st_dev)

        var info = stat()
        let exists = lstat(folder, &info) == 0
        if exists && (info.st_mode & S_IFMT) == S_IFLNK {
            throw CutoverError.cannotWrite(display, "it is a symlink; cutover never writes through links: remove the link")
        }
        if exists && (info.st_mode & S_IFMT) != S_IFDIR { throw CutoverError.cannotWrite(display, "a file is in the way") }
        let existing = exists ? try ExistingTree.scan(folder, display: display) : nil
        let previous = exists ? try Self.readManifest(in: folder, display: display) : nil
        // Only regular files cutover listed count as its own: anything else at a listed path
        // (a folder, a symlink, a pipe the user put there) is the user's.
        let generatedBefore = Set((previous?.files.map(\.path) ?? []).filter { existing?.kind(of: $0) == .regular })

        let staging = root.appendingPathComponent(".\(name).cutover-staging-\(Self.randomSuffix())").path
        guard mkdir(staging, 0o755) == 0 else { throw CutoverError.cannotWrite(Self.displayPath(staging), IOErrorText.reason(errno: errno)) }
        do {
            // The files go to a writer thread in batches: it creates, writes and hashes each one while
            // this thread makes the next ones.
            let writer = try StagingWriter(folder: staging, display: display)
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
            try put(OutputFile(path: GeneratedManifest.fileName, bytes: generated.encodedBytes()), in: staging, display: display, hash: false)
            if let existing {
                try CarryOver(from: folder, to: staging, display: display, tree: existing,
                              generatedBefore: generatedBefore, generatedNow: Set(generated.files.map(\.path))).run()
                try swap(staging, folder)
                // The old tree, now under the staging name: what it still holds is cutover's own
                // stale files and second links of what was carried over. A failure here leaves it
                // for the next run's sweep rather than failing a run whose new tree is in place.
                try? Self.removeTree(staging, device: rootInfo.st_dev)
            } else {
                guard rename(staging, folder) == 0 else {
                    throw CutoverError.cannotWrite(display, IOErrorText.reason(errno: errno))
                }
            }
            return generated.files.count + 1
        } catch {
            try? Self.removeTree(staging, device: rootInfo.st_dev)
            throw error
        }
    }

    /// Removes staging and old trees a killed run left for this migration (names this writer
    /// makes, nothing else; the lock is held, so no live run is using them). An old tree whose
    /// folder is missing (a run killed between the two renames of the fallback swap) goes back.
    private func sweepLeftovers(of name: String, in root: String, device: dev_t) {
        let prefix = ".\(name).cutover-"
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [] where entry.hasPrefix(prefix) {
            let rest = entry.dropFirst(prefix.count)
            let kind: String
            if rest == "staging" || rest == "old" {
                kind = String(rest)
            } else if let dash = rest.firstIndex(of: "-"), ["staging", "old"].contains(rest[..<dash]),
                      rest[rest.index(after: dash)...].count == 16,
                      rest[rest.index(after: dash)...].allSatisfy({ $0.isHexDigit && !$0.isUppercase }) {
                kind = String(rest[..<dash])
            } else {
                continue
            }
            let path = root + "/" + entry
            var info = stat()
            if kind == "old", lstat(root + "/" + name, &info) != 0, rename(path, root + "/" + name) == 0 { continue }
            // Not fatal: this run's staging name is its own, and a leftover that cannot go (a
            // mount inside it) is better left than a run refused forever.
            try? Self.removeTree(path, device: device)
        }
    }

    private static func randomSuffix() -> String {
        var generator = SystemRandomNumberGenerator()
        let value = generator.next() as UInt64
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// `mkdir -p` with clear messages: `-o` naming a file, or a read-only parent, says so.
    static func makeFolder(_ path: String) throws {
        var info = stat()
        if stat(path, &info) == 0 {
            guard (info.st_mode & S_IFMT) == S_IFDIR else { throw CutoverError.cannotWrite(displayPath(path), "a file is in the way") }
            return
        }
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty && parent != path { try makeFolder(parent) }
        if mkdir(path, 0o755) != 0 && errno != EEXIST {
            throw CutoverError.cannotWrite(displayPath(path), IOErrorText.reason(errno: errno))
        }
    }

    /// A path as the user would write it: relative to the working folder when inside it.
    public static func displayPath(_ path: String) -> String {
        let current = FileManager.default.currentDirectoryPath
        if current != "/" && path.hasPrefix(current + "/") { return String(path.dropFirst(current.count + 1)) }
        return path
    }

    /// The manifest of an existing folder: nil when absent or not valid JSON (nothing then counts
    /// as generated); an error when it is not a regular file or larger than any manifest cutover
    /// writes. Entries that are not safe relative paths (`..`, absolute) are dropped.
    static func readManifest(in folder: String, display: String) throws -> GeneratedManifest? {
        let path = folder + "/" + GeneratedManifest.fileName
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        let shown = display + "/" + GeneratedManifest.fileName
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw CutoverError.cannotReadFile(shown, "it is not a regular file; cutover wrote it as one: remove it")
        }
        switch try BoundedFile.read(path, limit: GeneratedManifest.maxBytes, followSymlinks: false, regularOnly: true, display: shown) {
        case .tooLarge(let size):
            throw CutoverError.cannotReadFile(shown, "it is \(size ?? GeneratedManifest.maxBytes + 1) bytes, over the \(GeneratedManifest.maxBytes) bytes of any manifest cutover writes; remove it")
        case .bytes(let bytes):
            guard var manifest = try? JSONDecoder().decode(GeneratedManifest.self, from: Data(bytes)) else { return nil }
            manifest.files.removeAll { !isSafeRelativePath($0.path) }
            return manifest
        }
    }

    /// Collects each file's path and SHA-256 for the manifest.
    private struct ManifestBuilder {
        var entries: [GeneratedManifest.Entry] = []

        /// Returns the file's SHA-256.
        @discardableResult
        mutating func add(_ file: OutputFile) -> String {
            var hasher = SHA256()
            file.withBytes { hasher.update($0) }
            let hex = hasher.finalizeHex()
            add(file.path, sha256: hex)
            return hex
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
        /// The output folder as messages name it (the staging name means nothing to a user).
        private let display: String
        private let rootDescriptor: Int32
        private var folders: [Substring: Int32] = [:]

        init(folder: String, display: String) throws {
            self.folder = folder
            self.display = display
            rootDescriptor = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            guard rootDescriptor >= 0 else { throw CutoverError.cannotWrite(display, IOErrorText.reason(errno: errno)) }
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
            guard descriptor >= 0 else { throw CutoverError.cannotWrite(display + "/" + path, IOErrorText.reason(errno: errno)) }
            defer { close(descriptor) }
            return try OutputWriter.writeAll(file, to: descriptor, path: display + "/" + path)
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
            let path = display + "/" + relative
            if mkdirat(parent, String(name), 0o755) != 0 && errno != EEXIST {
                throw CutoverError.cannotWrite(path, IOErrorText.reason(errno: errno))
            }
            let descriptor = openat(parent, String(name), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard descriptor >= 0 else { throw CutoverError.cannotWrite(path, IOErrorText.reason(errno: errno)) }
            folders[relative] = descriptor
            return descriptor
        }
    }

    // MARK: - Files

    /// Plain open/write/close, hashing the bytes on the way: no fsync per file (Foundation's
    /// `Data.write` syncs every file, which dominated large trees). Durability comes from the single
    /// rename that publishes the tree. Returns the SHA-256 of the contents.
    @discardableResult
    private func put(_ file: OutputFile, in folder: String, display: String, hash: Bool = true) throws -> String {
        let descriptor = open(folder + "/" + file.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw CutoverError.cannotWrite(display + "/" + file.path, IOErrorText.reason(errno: errno)) }
        defer { close(descriptor) }
        return try Self.writeAll(file, to: descriptor, path: display + "/" + file.path, hash: hash)
    }

    /// Writes the file's bytes to the descriptor, returning their SHA-256.
    static func writeAll(_ file: OutputFile, to descriptor: Int32, path: String, hash: Bool = true) throws -> String {
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
                    throw CutoverError.cannotWrite(path, IOErrorText.reason(errno: errno))
                }
                written += result
            }
        }
        return hash ? hasher.finalizeHex() : ""
    }

    /// True when the regular file at `relative` under `folder` holds exactly the file's contents,
    /// false when it differs, nil when there is no such regular file. Compares the size first, then
    /// the SHA-256 of the file read in 64 KiB blocks, so a 2 GiB file in the way costs no memory.
    /// The path is opened one component at a time with `O_NOFOLLOW`: a symlinked folder on the way
    /// makes the file missing, it is never read through.
    private func sameContents(_ file: OutputFile, sha256: String, in folder: String, relative: String) throws -> Bool? {
        guard let descriptor = Self.openInside(folder, relative) else { return nil }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        guard Int(info.st_size) == file.byteCount else { return false }
        var hasher = SHA256()
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = buffer.withUnsafeMutableBytes { systemRead(descriptor, $0.baseAddress!, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw CutoverError.cannotReadFile(Self.displayPath(folder + "/" + relative), IOErrorText.reason(errno: errno))
            }
            if count == 0 { break }
            buffer.withUnsafeBytes { hasher.update(UnsafeRawBufferPointer(rebasing: $0[..<count])) }
        }
        return hasher.finalizeHex() == sha256
    }

    /// Opens `relative` under `folder` for reading without following any symlink on the way (nor
    /// blocking on a pipe); nil when something on the way is missing, a symlink or not a folder.
    static func openInside(_ folder: String, _ relative: String) -> Int32? {
        var current = open(folder, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard current >= 0 else { return nil }
        let components = relative.split(separator: "/")
        for (index, component) in components.enumerated() {
            let last = index == components.count - 1
            let next = openat(current, String(component), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | (last ? O_NONBLOCK : O_DIRECTORY))
            close(current)
            guard next >= 0 else { return nil }
            current = next
        }
        return current
    }

    /// True when `relative` under `folder` is a regular file reached without passing a symlink.
    static func isRegularFileInside(_ folder: String, _ relative: String) -> Bool {
        guard let descriptor = openInside(folder, relative) else { return false }
        defer { close(descriptor) }
        var info = stat()
        return fstat(descriptor, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
    }

    /// Exchanges the two folders in one step (Linux renameat2 RENAME_EXCHANGE); where the filesystem
    /// cannot, falls back to two renames, leaving the old tree under a leftover name for an instant
    /// (a run killed then gets it back from the next run's sweep).
    private func swap(_ staging: String, _ folder: String) throws {
        if cutover_exchange_paths(staging, folder) == 0 { return }
        let old = (folder as NSString).deletingLastPathComponent + "/.\((folder as NSString).lastPathComponent).cutover-old-\(Self.randomSuffix())"
        guard rename(folder, old) == 0 else {
            throw CutoverError.cannotWrite(Self.displayPath(folder), IOErrorText.reason(errno: errno))
        }
        guard rename(staging, folder) == 0 else {
            let failure = errno
            _ = rename(old, folder)
            throw CutoverError.cannotWrite(Self.displayPath(folder), IOErrorText.reason(errno: failure))
        }
        var info = stat()
        if lstat(old, &info) == 0 { try? Self.removeTree(old, device: info.st_dev) }
    }

    /// Deletes a tree cutover made (staging, or an old tree after the swap) with `lstat` and
    /// `unlink`/`rmdir`, never following a link and never entering another file system: a mount
    /// that appeared since the scan is left alone, and the error says so.
    static func removeTree(_ path: String, device: dev_t) throws {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        guard (info.st_mode & S_IFMT) == S_IFDIR else {
            if unlink(path) != 0 && errno != ENOENT { throw CutoverError.cannotWrite(displayPath(path), IOErrorText.reason(errno: errno)) }
            return
        }
        guard info.st_dev == device else {
            throw CutoverError.unsafeOutput("'\(displayPath(path))' is a mount point; left in place")
        }
        // A folder the user made read-only (0500) is still emptied: only its entries go, and the
        // files in it live on as the links carried into the new tree.
        if (info.st_mode & 0o700) != 0o700 { _ = chmod(path, (info.st_mode & 0o7777) | 0o700) }
        if let names = try? FileManager.default.contentsOfDirectory(atPath: path) {
            for name in names { try removeTree(path + "/" + name, device: device) }
        }
        if rmdir(path) != 0 && errno != ENOENT { throw CutoverError.cannotWrite(displayPath(path), IOErrorText.reason(errno: errno)) }
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
        guard Self.isSafeRelativePath(path) else {
            throw CutoverError.unsafeOutput(path.hasPrefix("/") ? "'\(path)' is absolute" : "'\(path)' is not a safe relative path")
        }
    }

    static func isSafeRelativePath(_ path: String) -> Bool {
        guard !path.hasPrefix("/") else { return false }
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
        return safe
    }
}

private func < (lhs: (String, OutputWriter.DriftKind), rhs: (String, OutputWriter.DriftKind)) -> Bool {
    lhs.0 != rhs.0 ? lhs.0 < rhs.0 : lhs.1 < rhs.1
}
