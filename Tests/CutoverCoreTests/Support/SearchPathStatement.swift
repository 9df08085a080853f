@testable import CutoverPlan

extension VersionSchemaSelection {
    /// The statement an app's session runs in the server tests to take a version's search_path, the same
    /// list as the ConfigMap's `PGOPTIONS` (rehearse connects with that value itself).
    static func searchPathStatement(_ schema: String, base: String = "public") -> String {
        "SET search_path = " + searchPath(schema, base: base)
    }
}
