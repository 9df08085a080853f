/// The lock a statement takes on its table, as the plan states it (the lock monitor of `rehearse` checks
/// what the servers really take).
public enum TableLock: String, Sendable, Equatable {
    /// SHARE UPDATE EXCLUSIVE (PostgreSQL): reads and writes go on; a concurrent build or VALIDATE.
    case shareUpdateExclusive = "SHARE UPDATE EXCLUSIVE"
    /// ACCESS EXCLUSIVE for a catalog update only (no scan, no rewrite), bounded by lock_timeout.
    case accessExclusiveBrief = "ACCESS EXCLUSIVE (catalog only)"
    /// A brief metadata lock (MySQL CREATE/DROP TRIGGER).
    case metadataBrief = "metadata lock (brief)"
    /// Row locks of one batch at a time, each batch committed.
    case rowLocksPerBatch = "row locks per batch"
    /// MySQL ALGORITHM=COPY, LOCK=SHARED: reads go on, writes wait for the whole copy of the table.
    case tableCopyWritesBlocked = "table copy (LOCK=SHARED: writes blocked)"
}
