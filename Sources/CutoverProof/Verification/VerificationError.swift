import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why verification could not run at all (as opposed to a step that failed its checks).
public enum VerificationError: Error, CustomStringConvertible, Sendable {
    /// Neither server binaries nor a URL: nothing to verify on.
    case noServer(String)
    case cannotStart(String, String)
    case serverFailed(String)
    case badURL(String)
    case sessionFailed(String)
    case sqlFailed(String)
    case system(String, Int32)

    public var description: String {
        switch self {
        case .noServer(let reason): return reason
        case .cannotStart(let tool, let reason): return "cannot start \(tool): \(reason)"
        case .serverFailed(let reason): return reason
        case .badURL(let reason): return "--database-url: \(reason)"
        case .sessionFailed(let reason): return reason
        case .sqlFailed(let reason): return reason
        case .system(let call, let code): return "\(call) failed: \(String(cString: strerror(code)))"
        }
    }
}
