/// What depends on columns of the base schema without being a column, index or constraint: views
/// (plain and materialized) and triggers. The lowering needs them because PostgreSQL refuses to change
/// the type of a column a view uses, a view keeps reading the column it was bound to after a swap,
/// and a MySQL trigger or view that names a renamed column fails on every use once the old one is gone.
public struct SchemaDependents: Sendable {
    /// A column of a table that a view or trigger names.
    public struct ColumnUse: Sendable, Hashable {
        public var table: String
        public var column: String

        public init(table: String, column: String) {
            self.table = table
            self.column = column
        }
    }

    public struct View: Sendable {
        public var name: String
        /// The whole statement as written, so that the lowering can recreate it exactly.
        public var definition: String
        public var materialized: Bool
        /// Tables and views it reads, in order of first mention.
        public var relations: [String]
        /// Columns of those tables it names (a superset: a name shared by two tables counts for both).
        public var columns: Set<ColumnUse>
        public var line: Int
    }

    public struct Trigger: Sendable {
        public enum Timing: String, Sendable { case before = "BEFORE", after = "AFTER", insteadOf = "INSTEAD OF" }
        public enum Event: String, Sendable { case insert = "INSERT", update = "UPDATE", delete = "DELETE", truncate = "TRUNCATE" }

        public var name: String
        public var table: String
        public var definition: String
        /// Columns it names, in its body, its `UPDATE OF` list, its arguments or its function's body.
        public var columns: Set<ColumnUse>
        public var line: Int
        /// When it fires (nil when the statement does not say in a way the reader knows).
        public var timing: Timing? = nil
        public var events: [Event] = []
        /// PostgreSQL `UPDATE OF a, b`: it fires only for an UPDATE that sets one of these.
        public var updateOf: [String] = []
        /// Once per row (MySQL always; PostgreSQL with FOR EACH ROW), not once per statement.
        public var forEachRow = false

        /// A row trigger that runs before every UPDATE of the table whatever columns it sets: it sees
        /// (and may rewrite) each row a backfill writes.
        public var firesBeforeEveryRowUpdate: Bool {
            timing == .before && events.contains(.update) && updateOf.isEmpty && forEachRow
        }
    }

    public var views: [View] = []
    public var triggers: [Trigger] = []

    public init(views: [View] = [], triggers: [Trigger] = []) {
        self.views = views
        self.triggers = triggers
    }

    public func view(_ name: String) -> View? { views.first { $0.name == name } }

    /// Views that use `table.column`, directly or through another view, in an order that creates each
    /// after the views it reads.
    public func views(using column: String, of table: String, mysql: Bool) -> [View] {
        views { view in view.columns.contains { DDLParser.same($0.table, table, mysql) && DDLParser.same($0.column, column, mysql) } }
    }

    /// Views for which `uses` holds, and the views that read them, directly or through others, in an
    /// order that creates each after the views it reads.
    public func views(where uses: (View) -> Bool) -> [View] {
        var affected: [String] = []
        var changed = true
        while changed {
            changed = false
            for view in views where !affected.contains(view.name) {
                let direct = uses(view)
                let indirect = view.relations.contains { affected.contains($0) }
                if direct || indirect {
                    affected.append(view.name)
                    changed = true
                }
            }
        }
        return views.filter { affected.contains($0.name) }
    }

    /// Triggers that name `table.column`.
    public func triggers(using column: String, of table: String, mysql: Bool) -> [Trigger] {
        triggers.filter { trigger in
            trigger.columns.contains { DDLParser.same($0.table, table, mysql) && DDLParser.same($0.column, column, mysql) }
        }
    }
}
