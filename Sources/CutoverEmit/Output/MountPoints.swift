import CutoverPlan
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Mount points at or under a folder. A bind mount of a folder of the same file system has the
/// same `st_dev` as its parent, so comparing devices alone misses it; on Linux the kernel's own
/// list (/proc/self/mountinfo) names every mount point. Elsewhere only the device comparison in
/// `ExistingTree` applies.
enum MountPoints {
    /// Mount points equal to `folder` (after resolving symlinks) or inside it.
    static func within(_ folder: String) -> [String] {
        guard let resolved = realpath(folder, nil) else { return [] }
        let real = String(cString: resolved)
        free(resolved)
        guard case .bytes(let bytes)? = try? BoundedFile.read("/proc/self/mountinfo", limit: 64 << 20) else { return [] }
        return parse(String(decoding: bytes, as: UTF8.self)).filter { $0 == real || $0.hasPrefix(real == "/" ? "/" : real + "/") }
    }

    /// The mount point column (the fifth) of each line of mountinfo, octal escapes (`\040`) decoded.
    static func parse(_ mountinfo: String) -> [String] {
        mountinfo.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: false)
            guard fields.count > 4 else { return nil }
            return unescape(fields[4])
        }
    }

    private static func unescape(_ field: Substring) -> String {
        var bytes: [UInt8] = []
        let utf8 = Array(field.utf8)
        var index = 0
        while index < utf8.count {
            if utf8[index] == UInt8(ascii: "\\"), index + 3 < utf8.count,
               let value = UInt8(String(decoding: utf8[(index + 1)...(index + 3)], as: UTF8.self), radix: 8) {
                bytes.append(value)
                index += 4
            } else {
                bytes.append(utf8[index])
                index += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
