/// Failures that are not the user's spec: I/O and internal errors.
public enum CutoverError: Error, CustomStringConvertible, Sendable {
    case cannotRead(String)
    /// A path and a short reason from `IOErrorText`.
    case cannotReadFile(String, String)
    case cannotWrite(String, String)
    /// Another cutover run holds the output folder's lock past the wait.
    case busy(String)
    case unsafeOutput(String)
    case internalError(String)

    public var description: String {
        switch self {
        case .cannotRead(let path): return "cannot read '\(path)'"
        case .cannotReadFile(let path, let reason): return "cannot read '\(path)': \(reason)"
        case .busy(let reason): return reason
        case .cannotWrite(let path, let reason): return "cannot write '\(path)': \(reason)"
        case .unsafeOutput(let reason): return "refusing to write: \(reason)"
        case .internalError(let reason): return "internal error: \(reason)"
        }
    }
}
