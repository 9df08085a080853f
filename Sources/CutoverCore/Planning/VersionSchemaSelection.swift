/// How an app version selects its schema of views (`PostgreSQLVersionSchemas`): the search_path it
/// sets, first its version's schema, then `public`, where every table without a view (untouched, or
/// created by the migration) and every other object still resolves. One place, so the runbook, the
/// ConfigMap and rehearse's traffic say the same.
public enum VersionSchemaSelection {
    /// `pricing_tiers_new,public`: the value of search_path.
    public static func searchPath(_ schema: String) -> String { "\(schema),public" }

    /// `PGOPTIONS` for libpq-based clients (psql, psycopg, libpq drivers): the server applies it at connect.
    public static func pgOptions(_ schema: String) -> String { "-c search_path=\(searchPath(schema))" }

    /// The statement a session runs when its driver takes no connection options.
    public static func searchPathStatement(_ schema: String) -> String {
        "SET search_path = " + searchPath(schema).split(separator: ",").map { SQLNames(engine: .postgresql).quote(String($0)) }.joined(separator: ", ")
    }
}
