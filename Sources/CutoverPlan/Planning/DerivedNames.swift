/// The names cutover gives the objects it creates for one migration.
public struct DerivedNames: Sendable {
    public var names: SQLNames
    /// metadata.name with '-' replaced by '_'.
    public var migration: String

    public init(names: SQLNames, migrationName: String) {
        self.names = names
        self.migration = migrationName.replacingDashes()
    }

    /// Where dropColumn/dropTable (and retired columns of renames and rewrites) go: `_cutover_<mig>_<name>`.
    public func quarantine(_ name: String) -> String { names.fit("_cutover_\(migration)_\(name)") }
    /// Where the view or table of a MySQL renameTable waits for one statement during its atomic swap.
    public func parked(_ name: String) -> String { names.fit("_cutover_\(migration)_\(name)_swap") }
    /// The copy column of a rewriting type change.
    public func rewriteCopy(_ column: String) -> String { names.fit("_cutover_\(migration)_\(column)_new") }
    /// The temporary `CHECK (col IS NOT NULL)` used to set NOT NULL without a long scan.
    public func notNullCheck(table: String, column: String) -> String { names.fit("\(table)_\(column)_not_null") }
    /// PostgreSQL sync trigger and its function.
    public func syncTrigger(table: String, column: String) -> String { names.fit("_cutover_\(table)_\(column)_sync") }
    /// MySQL sync triggers, one per event.
    public func insertTrigger(table: String, column: String) -> String { names.fit("_cutover_\(table)_\(column)_ins") }
    public func updateTrigger(table: String, column: String) -> String { names.fit("_cutover_\(table)_\(column)_upd") }
    /// The triggers that refuse NULL in a retyped MySQL column from contract's swap until its NOT NULL step.
    public func notNullGuardTrigger(table: String, column: String, insert: Bool) -> String {
        names.fit("_cutover_\(table)_\(column)_nn_\(insert ? "ins" : "upd")")
    }
    /// The keys (and filled values) of rows whose NULL a backfill filled in place, so the rollback can
    /// put the NULL back: the base schema's rows must come back as they were.
    public func fillLog(table: String, column: String) -> String { names.fit("_cutover_\(migration)_\(table)_\(column)_filled") }
    /// MySQL backfill procedure.
    public func procedure(_ verb: String, table: String, column: String) -> String {
        names.fit("_cutover_\(verb)_\(table)_\(column)")
    }
    /// The schema of views an app version selects with search_path (`versionSchemas: views`;
    /// `SQLNames.versionSchema`, which CUT103 also reads).
    public func versionSchema(new: Bool) -> String { names.versionSchema(migration: migration, new: new) }
    /// MySQL's database of views an app version selects (`MySQLVersionSchemas`): named per base
    /// database, `<base>_<migration>_new` / `_old`, since databases share one namespace per server
    /// (PostgreSQL's schemas live inside their database): staging and prod databases on one shared
    /// server running the same migration get databases of their own, so the second expand does not
    /// re-point the first one's views and one's purge does not drop the other's. Within MySQL's
    /// 64-character identifier limit: a longer `<base>_<migration>` keeps its head and a hash of the
    /// whole (`SQLNames.fit`, deterministic), the `_new`/`_old` suffix stays. The name comes from
    /// `database.name` (the Jobs' `DB_NAME`) at generate time, not from `DATABASE()` at run time:
    /// the swap's `LOCK TABLES` on the new version's view needs the name in the file (MySQL prepares
    /// no LOCK TABLES); a run against another database that meets views over another base in it is
    /// refused (`MySQLVersionSchemas.refuseForeign`, and preflight).
    public func versionDatabase(base: String, new: Bool) -> String {
        let suffix = new ? "_new" : "_old"
        return SQLNames.fit("\(base)_\(migration)", limit: names.maxIdentifierLength - suffix.utf8.count) + suffix
    }
    /// Blue-green publication, slot and subscription (one name for all three).
    public var replication: String { names.fit("cutover_\(migration)") }
    public var reverseReplication: String { names.fit("cutover_\(migration)_reverse") }
}
