import CutoverPlan
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Everything in an output folder before a run replaces it: every file, folder, symlink, pipe or
/// other node, with its mode, read with `lstat` and never through a link. `OutputWriter` carries
/// over from this list whatever it did not generate, so it is taken before anything moves; taking
/// it also refuses a folder with a mount point inside (swapping the folder away and deleting the
/// old tree would delete the mounted files).
struct ExistingTree {
    enum Kind: Equatable {
        case regular, folder, symlink, other
    }

    struct Entry {
        var path: String
        var kind: Kind
        var mode: mode_t
        /// For folders: nothing inside.
        var isEmpty: Bool
    }

    /// A folder comes before what it holds.
    var entries: [Entry] = []
    var folderMode: mode_t = 0o755
    private var kinds: [String: Kind] = [:]

    func kind(of path: String) -> Kind? { kinds[path] }

    /// Reads the tree under `folder`; `display` names it in messages.
    static func scan(_ folder: String, display: String) throws -> ExistingTree {
        var tree = ExistingTree()
        var top = stat()
        guard lstat(folder, &top) == 0 else { throw CutoverError.cannotReadFile(display, IOErrorText.reason(errno: errno)) }
        tree.folderMode = top.st_mode & 0o7777
        let parent = (folder as NSString).deletingLastPathComponent
        var parentInfo = stat()
        if lstat(parent.isEmpty ? "." : parent, &parentInfo) == 0, parentInfo.st_dev != top.st_dev {
            throw mountPoint(display)
        }
        if let mount = MountPoints.within(folder).first {
            let real = realpath(folder, nil).map { pointer in defer { free(pointer) }; return String(cString: pointer) } ?? folder
            let inside = mount == real ? "" : String(mount.dropFirst(real.count + 1))
            throw mountPoint(inside.isEmpty ? display : display + "/" + inside)
        }
        try tree.visit(folder: folder, relative: "", device: top.st_dev, display: display)
        return tree
    }

    private static func mountPoint(_ display: String) -> CutoverError {
        .unsafeOutput("'\(display)' is a mount point; cutover replaces the output folder as a whole and will not "
            + "touch a mounted file system: unmount it or move it out of the output folder")
    }

    private mutating func visit(folder: String, relative: String, device: dev_t, display: String) throws {
        let path = relative.isEmpty ? folder : folder + "/" + relative
        guard let directory = opendir(path) else {
            throw CutoverError.cannotReadFile(relative.isEmpty ? display : display + "/" + relative, IOErrorText.reason(errno: errno))
        }
        var children: [(String, stat)] = []
        while let entry = readdir(directory) {
            let name = withUnsafePointer(to: entry.pointee.d_name) { pointer in
                pointer.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name == "." || name == ".." { continue }
            let child = relative.isEmpty ? name : relative + "/" + name
            var info = stat()
            guard lstat(folder + "/" + child, &info) == 0 else {
                closedir(directory)
                throw CutoverError.cannotReadFile(display + "/" + child, IOErrorText.reason(errno: errno))
            }
            children.append((child, info))
        }
        closedir(directory)
        children.sort { $0.0 < $1.0 }
        for (child, info) in children {
            let kind: Kind
            switch info.st_mode & S_IFMT {
            case S_IFREG: kind = .regular
            case S_IFDIR: kind = .folder
            case S_IFLNK: kind = .symlink
            default: kind = .other
            }
            if kind == .folder && info.st_dev != device { throw Self.mountPoint(display + "/" + child) }
            let index = entries.count
            entries.append(Entry(path: child, kind: kind, mode: info.st_mode & 0o7777, isEmpty: false))
            kinds[child] = kind
            if kind == .folder {
                let before = entries.count
                try visit(folder: folder, relative: child, device: device, display: display)
                entries[index].isEmpty = entries.count == before
            }
        }
    }
}
