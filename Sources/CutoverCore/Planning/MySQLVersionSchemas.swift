/// Why MySQL plans have no version schemas (issue #14), and what the new version may not rely on
/// instead. On PostgreSQL (`PostgreSQLVersionSchemas`) each app version selects a schema of views
/// with its search_path, unchanged tables fall through to `public`, the views follow contract's
/// renames (they store column numbers) and the sync trigger of a retyped column tells the writers
/// apart by the session's search_path. MySQL (MariaDB 10.11 checked, `MySQLVersionSchemaTests`):
/// - a connection selects one database, so each version would need a database holding a view of
///   every table, not only the changed ones;
/// - a trigger runs in its table's database: `DATABASE()`, and the process list's `db`, show that
///   one, not the database the writer selected, so the sync of a retyped column cannot tell which
///   version wrote a row (telling them apart by which column changed works for UPDATE, not for an
///   INSERT that leaves the column to its default);
/// - a view names its columns: when contract swaps a retyped column and its copy (rename both, under
///   LOCK TABLES so no write lands between), the new version's view (`rating_new AS rating`) is
///   invalid (ER_VIEW_INVALID, 1356) until it is created again, and CREATE VIEW is refused while
///   the swap holds its locks (ER_LOCK_OR_ACTIVE_TRANSACTION, 1192): the new version's statements
///   would fail in between, against the rule that its statements succeed from its first pod on;
/// - the new version could not stay on the views either: the app must be redeployed once more, to
///   the base database, before they can be dropped.
/// So `app.versionSchemas` is `none` on MySQL (the default there; `views` is refused, CUT068): both
/// versions use the tables, and the plan README names the retyped columns that keep their old type
/// under the name until contract. A safe MySQL design needs a second rename-like step (see
/// docs/architecture.md) and a redeploy between two contract stages.
enum MySQLVersionSchemas {
    /// The type changes that go through a hidden copy column (`MySQLAlterColumn.rewrite`): the same
    /// type and an in-place VARCHAR widening change the column itself, so the new version sees the
    /// new type at once. Without a base schema every type change counts (the old type is unknown).
    static func hiddenCopies(_ context: LoweringContext) -> [AlterColumn] {
        guard context.engine == .mysql, context.spec.strategy == .expandContract else { return [] }
        var context = context
        var copies: [AlterColumn] = []
        for change in context.spec.changes {
            if let alter = change.operation.unit(AlterColumn.self), let type = alter.type?.value {
                let old = context.column(alter.table.value, alter.column.value)
                if let old, SQLTypeFacts.isSameType(old.type, type) || SQLTypeFacts.isMySQLInPlaceWidening(old, of: context.schema.table(alter.table.value), to: type) {
                    // changes in place: the new version sees the new type from expand on
                } else {
                    copies.append(alter)
                }
            }
            context.apply(change.operation)
        }
        return copies
    }
}
