/// The static text cutover writes, compiled into the binary from the files beside this one.
public enum Templates {
    public enum File: Sendable {
        case initPostgreSQL, initMySQL

        var bytes: [UInt8] {
            switch self {
            case .initPostgreSQL: return PackageResources.init_postgresql_yaml
            case .initMySQL: return PackageResources.init_mysql_yaml
            }
        }
    }

    public static func text(_ file: File) -> String { String(decoding: file.bytes, as: UTF8.self) }
}
