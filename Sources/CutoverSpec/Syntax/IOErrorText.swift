import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one place where system and Foundation failures become sentences a user can act on
/// (`cannot write 'out/x': a file is in the way`), so no message shows an errno number or a raw
/// `Error Domain=NSCocoaErrorDomain Code=516` dump.
public enum IOErrorText {
    /// A short reason for an errno value.
    public static func reason(errno code: Int32) -> String {
        switch code {
        case EEXIST, ENOTDIR: return "a file is in the way"
        case EISDIR: return "a folder is in the way"
        case EACCES, EPERM: return "permission denied"
        case EROFS: return "the file system is read-only"
        case ENOSPC: return "no space left on the device"
        case EDQUOT: return "disk quota exceeded"
        case ELOOP: return "it is a symlink (cutover never follows links there)"
        case ENOENT: return "no such file or folder"
        case ENAMETOOLONG: return "the name is too long"
        case EXDEV: return "it is on another file system (a mount point)"
        case EBUSY: return "it is busy (a mount point?)"
        case EMLINK: return "too many links"
        case ENOTEMPTY: return "the folder is not empty"
        case EIO: return "an input/output error on the device"
        case EMFILE, ENFILE: return "too many open files"
        case ENXIO, ENODEV: return "it is not a regular file"
        default: return String(cString: strerror(code))
        }
    }

    /// A short reason for any error thrown while reading or writing files.
    public static func reason(_ error: Error) -> String {
        if let error = error as? CutoverError { return error.description }
        if let error = error as? POSIXError { return reason(errno: error.code.rawValue) }
        if let error = error as? CocoaError {
            if let underlying = error.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
                return reason(errno: Int32(underlying.code))
            }
            switch error.code {
            case .fileWriteFileExists: return "a file is in the way"
            case .fileWriteNoPermission, .fileReadNoPermission: return "permission denied"
            case .fileWriteVolumeReadOnly: return "the file system is read-only"
            case .fileWriteOutOfSpace: return "no space left on the device"
            case .fileNoSuchFile, .fileReadNoSuchFile: return "no such file or folder"
            case .fileReadTooLarge: return "the file is too large"
            case .fileReadInvalidFileName, .fileWriteInvalidFileName: return "the name is not valid"
            default: break
            }
        }
        let nsError = error as NSError
        if nsError.domain == NSPOSIXErrorDomain { return reason(errno: Int32(nsError.code)) }
        return "an unexpected I/O failure (\(nsError.domain) \(nsError.code))"
    }
}
