import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Every file cutover reads (spec, base schema, `.cutover-manifest.json`, generated files under
/// `--check`) goes through here: `fstat` first, then a read of at most `limit + 1` bytes, so a
/// 2 GiB (or endless, like /dev/zero) input costs a few megabytes, never its size.
public enum BoundedFile {
    public enum Contents: Equatable, Sendable {
        case bytes([UInt8])
        /// Over the limit; the size when the file says it (regular files), nil for a pipe or device.
        case tooLarge(Int?)
    }

    /// Reads a file by path. Symlinks are followed unless `followSymlinks` is false; only regular
    /// files are accepted when `regularOnly` is true (pipes and devices are read, capped, otherwise).
    /// Throws `CutoverError.cannotReadFile` with a short reason.
    public static func read(_ path: String, limit: Int, followSymlinks: Bool = true, regularOnly: Bool = false,
                            display: String? = nil) throws -> Contents {
        let flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | (followSymlinks ? 0 : O_NOFOLLOW)
        let descriptor = open(path, flags)
        guard descriptor >= 0 else { throw CutoverError.cannotReadFile(display ?? path, IOErrorText.reason(errno: errno)) }
        defer { close(descriptor) }
        return try read(descriptor: descriptor, limit: limit, regularOnly: regularOnly, display: display ?? path)
    }

    /// A UTF-8 text file of at most `limit` bytes; over the limit, or not UTF-8, is a
    /// `CutoverError.cannotReadFile` naming the path.
    public static func text(_ path: String, limit: Int) throws -> String {
        switch try read(path, limit: limit) {
        case .tooLarge(let size):
            throw CutoverError.cannotReadFile(path, size.map { "it is \($0) bytes, over the limit of \(limit)" } ?? "it gave more than the limit of \(limit) bytes")
        case .bytes(let bytes):
            guard let text = String(validating: bytes, as: UTF8.self) else { throw CutoverError.cannotReadFile(path, "it is not UTF-8 text") }
            return text
        }
    }

    /// Reads an open descriptor (the caller opened it, e.g. with `openat` and `O_NOFOLLOW`).
    static func read(descriptor: Int32, limit: Int, regularOnly: Bool, display: String) throws -> Contents {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw CutoverError.cannotReadFile(display, IOErrorText.reason(errno: errno)) }
        let type = info.st_mode & S_IFMT
        if type == S_IFDIR { throw CutoverError.cannotReadFile(display, "it is a folder") }
        if type == S_IFREG {
            if Int(info.st_size) > limit { return .tooLarge(Int(info.st_size)) }
        } else if regularOnly {
            throw CutoverError.cannotReadFile(display, "it is not a regular file")
        }
        // Blocking reads from here on (a pipe from the shell waits for its writer, as a user expects).
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) & ~O_NONBLOCK)
        let capacity = limit + 1
        var bytes: [UInt8]
        var count = 0
        if type == S_IFREG {
            // A regular file: one read into an array of its size, not zero-filled first (a 2 MB schema
            // file is then written once, by the kernel). The extra byte notices a file that grew.
            let want = min(capacity, Int(info.st_size) + 1)
            var failure: Int32 = 0
            bytes = [UInt8](unsafeUninitializedCapacity: want) { buffer, initialized in
                var filled = 0
                while filled < want {
                    let result = systemRead(descriptor, buffer.baseAddress! + filled, want - filled)
                    if result < 0 {
                        if errno == EINTR { continue }
                        failure = errno
                        break
                    }
                    if result == 0 { break }
                    filled += result
                }
                initialized = filled
            }
            if failure != 0 { throw CutoverError.cannotReadFile(display, IOErrorText.reason(errno: failure)) }
            count = bytes.count
            if count < want { return .bytes(bytes) }
        } else {
            bytes = [UInt8](repeating: 0, count: min(capacity, 1 << 16))
        }
        while count < capacity {
            if count == bytes.count { bytes += [UInt8](repeating: 0, count: min(capacity, bytes.count * 2) - bytes.count) }
            let result = bytes.withUnsafeMutableBytes { buffer in
                systemRead(descriptor, buffer.baseAddress! + count, buffer.count - count)
            }
            if result < 0 {
                if errno == EINTR { continue }
                throw CutoverError.cannotReadFile(display, IOErrorText.reason(errno: errno))
            }
            if result == 0 { break }
            count += result
        }
        if count > limit { return .tooLarge(type == S_IFREG ? max(count, Int(info.st_size)) : nil) }
        if count < bytes.count { bytes.removeSubrange(count...) }
        return .bytes(bytes)
    }
}

/// `read(2)`, named apart from the Swift methods called `read`.
package func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.read(descriptor, buffer, count)
    #else
    return Darwin.read(descriptor, buffer, count)
    #endif
}

extension Message {
    /// A pipe or device that gave more than the limit (its size is unknown).
    public static func streamTooLarge(limit: Int) -> String {
        "input is over the limit of \(limit) bytes (raise it with --max-bytes)"
    }
}
