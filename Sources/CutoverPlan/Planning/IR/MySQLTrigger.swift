/// A BEFORE/AFTER row trigger cutover creates on MySQL, as a value: the plan orders triggers of one
/// table and event (`MySQLTriggerOrder` sets `precedes`) before `StatementRendering` writes the text.
public struct MySQLTrigger: Sendable, Equatable {
    public enum Timing: String, Sendable { case before = "BEFORE", after = "AFTER" }
    public enum Event: String, Sendable { case insert = "INSERT", update = "UPDATE", delete = "DELETE" }

    public var name: String
    public var timing: Timing
    public var event: Event
    public var table: String
    /// What follows `FOR EACH ROW` on the next line: `  SET …;`, or `BEGIN … END;;` when `delimited`.
    public var body: String
    /// A BEGIN … END body: the statement comes inside `DELIMITER ;;` … `DELIMITER ;` (mysql client).
    public var delimited: Bool
    /// `PRECEDES <trigger>`: the trigger fires before that one (MySQL fires in creation order otherwise).
    public var precedes: String?
    /// The columns the body assigns (`SET NEW.x = …`), as the recipe states them.
    public var writes: Set<String>
    /// The columns whose value the body computes from, other than those it writes (an `up` reading
    /// `email`): a trigger that writes one of them must fire first (`MySQLTriggerOrder`).
    public var reads: Set<String>

    public init(name: String, timing: Timing, event: Event, table: String, body: String, delimited: Bool = false, precedes: String? = nil,
                writes: Set<String> = [], reads: Set<String> = []) {
        self.name = name
        self.timing = timing
        self.event = event
        self.table = table
        self.body = body
        self.delimited = delimited
        self.precedes = precedes
        self.writes = writes
        self.reads = reads.subtracting(writes)
    }

    /// Triggers of one table and one timing + event fire in one order.
    var slot: String { "\(table)\u{0}\(timing.rawValue) \(event.rawValue)" }
}
