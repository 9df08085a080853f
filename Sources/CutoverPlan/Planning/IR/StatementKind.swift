/// What a statement does, stated as a value by the recipe that writes it (never read back from its
/// text): the facts the planner needs to decide a step's transaction and to reason about locks, and
/// the values a later pass may still change before the text is rendered (a MySQL trigger's order).
/// A statement without a fact the planner needs is `plain`.
public enum StatementKind: Sendable, Equatable {
    case plain
    /// CREATE or DROP INDEX CONCURRENTLY (PostgreSQL): refused inside a transaction block.
    case concurrentIndex
    /// ADD CONSTRAINT … NOT VALID, alone or in a catalog guard: a catalog update under a brief
    /// ACCESS EXCLUSIVE lock, no scan.
    case addNotValid
    /// VALIDATE CONSTRAINT: a scan under SHARE UPDATE EXCLUSIVE. It must not share a transaction with
    /// the ADD, or the scan would run under the ADD's ACCESS EXCLUSIVE lock.
    case validateConstraint
    /// A batched loop that commits each batch (PostgreSQL DO with COMMIT, MySQL START TRANSACTION …
    /// COMMIT per batch): it cannot run inside a transaction.
    case batchedLoop
    /// A MySQL trigger cutover creates, kept as a value so the planner can order it (`MySQLTriggerOrder`)
    /// and rendered last (`StatementRendering`).
    case mysqlTrigger(MySQLTrigger)
    /// DROP TRIGGER IF EXISTS of a MySQL trigger cutover created.
    case dropMySQLTrigger(name: String)
    /// A read-only check that refuses (raises, SIGNALs) when the change after it would fail half way
    /// or lose what the new app version wrote: a rollback's fit and key checks. A Job runs every such
    /// check of its files before the first of them changes anything (`JobRefusalChecks`).
    case refusalCheck
    /// The `sql` escape hatch: the user's text is all cutover has, so its facts are read from the text.
    case userSQL
    /// A DDL value of a recipe written once for both engines; `StatementRendering` replaces it with the
    /// engine's statements (it holds no fact the planner needs: guarded renames and views are transactional).
    case ddl(DDL)
    /// MySQL `ALTER TABLE … ALGORITHM=COPY, LOCK=SHARED` of `table` (adding a CHECK, narrowing a column):
    /// the server copies the whole table and blocks writes to it until the copy ends. The recipe says so
    /// here; warning CUT073 (`MySQLTableCopyRule`) and the plan README name every such step.
    case tableCopy(table: String)

    /// The step holding this statement cannot run in a transaction.
    func refusesTransaction(text: String) -> Bool {
        switch self {
        case .concurrentIndex, .batchedLoop: return true
        case .userSQL: return text.contains("\n    COMMIT;") || text.contains("CONCURRENTLY")
        default: return false
        }
    }

    func addsNotValid(text: String) -> Bool {
        self == .addNotValid || (self == .userSQL && text.contains("NOT VALID"))
    }

    func validates(text: String) -> Bool {
        self == .validateConstraint || (self == .userSQL && text.contains("VALIDATE CONSTRAINT"))
    }

    /// The strongest table lock the statement takes, when cutover knows it (nil: not stated).
    public var lock: TableLock? {
        switch self {
        case .concurrentIndex, .validateConstraint: return .shareUpdateExclusive
        case .addNotValid: return .accessExclusiveBrief
        case .mysqlTrigger, .dropMySQLTrigger: return .metadataBrief
        case .batchedLoop: return .rowLocksPerBatch
        case .tableCopy: return .tableCopyWritesBlocked
        case .plain, .userSQL, .ddl, .refusalCheck: return nil
        }
    }
}
