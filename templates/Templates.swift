/// The static text cutover writes, compiled into the binary from the files beside this one.
public enum Templates {
    public enum File: Sendable, CaseIterable {
        case initPostgreSQL, initMySQL
        // The starters' base schemas, written beside a starter `cutover init -o` writes.
        case initSchemaPostgreSQL, initSchemaMySQL
        // Runner scripts the migration Jobs run from the SQL ConfigMap.
        case runPsql, runMysql, runFlyway, runLiquibase, checksumPsql, checksumMysql
        // Text several runner scripts share, written once (`Templates.text` expands `#include NAME`).
        case refusable
        // The snapshot Job's script (kubectl, not SQL).
        case takeSnapshot
        // Helm chart static files.
        case helmHelpers, helmIgnore, notesExpandContract, notesBlueGreen

        var bytes: [UInt8] {
            switch self {
            case .initPostgreSQL: return PackageResources.init_postgresql_yaml
            case .initMySQL: return PackageResources.init_mysql_yaml
            case .initSchemaPostgreSQL: return PackageResources.init_schema_postgresql_sql
            case .initSchemaMySQL: return PackageResources.init_schema_mysql_sql
            case .runPsql: return PackageResources.run_psql_sh
            case .runMysql: return PackageResources.run_mysql_sh
            case .runFlyway: return PackageResources.run_flyway_sh
            case .runLiquibase: return PackageResources.run_liquibase_sh
            case .refusable: return PackageResources.refusable_sh
            case .checksumPsql: return PackageResources.checksum_psql_sh
            case .checksumMysql: return PackageResources.checksum_mysql_sh
            case .takeSnapshot: return PackageResources.take_snapshot_sh
            case .helmHelpers: return PackageResources.helm_helpers_tpl
            case .helmIgnore: return PackageResources.helmignore_txt
            case .notesExpandContract: return PackageResources.notes_expand_contract_txt
            case .notesBlueGreen: return PackageResources.notes_blue_green_txt
            }
        }

        /// The runner script stored under this ConfigMap key, if the file is one.
        public static func script(named name: String) -> File? {
            switch name {
            case "run-psql.sh": return .runPsql
            case "run-mysql.sh": return .runMysql
            case "run-flyway.sh": return .runFlyway
            case "run-liquibase.sh": return .runLiquibase
            case "checksum-psql.sh": return .checksumPsql
            case "checksum-mysql.sh": return .checksumMysql
            default: return nil
            }
        }

        /// The fragment a runner script includes by this name (`#include refusable.sh`).
        static func fragment(named name: String) -> File? {
            switch name {
            case "refusable.sh": return .refusable
            default: return nil
            }
        }
    }

    /// The file's text, each line `#include NAME` replaced by that fragment's text: the flyway and
    /// liquibase runners share their refusal handling (`refusable.sh`: exit 65 on cutover's refusals),
    /// which had been copied into both; the scripts still ship whole, as before, so a Job's ConfigMap
    /// holds everything its runner runs and nothing is sourced at run time.
    public static func text(_ file: File) -> String {
        let text = String(decoding: file.bytes, as: UTF8.self)
        guard text.contains("\n#include ") else { return text }
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            guard line.hasPrefix("#include ") else { return String(line) }
            // A template naming a fragment that is not there is a mistake in cutover itself.
            guard let fragment = File.fragment(named: String(line.dropFirst("#include ".count))) else {
                preconditionFailure("template includes an unknown fragment: \(line)")
            }
            let included = Templates.text(fragment)
            return included.hasSuffix("\n") ? String(included.dropLast()) : included
        }.joined(separator: "\n")
    }
}
