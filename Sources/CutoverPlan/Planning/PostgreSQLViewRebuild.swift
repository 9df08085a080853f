import Foundation

/// The views of the base schema over a column whose type changes (PostgreSQL). The server refuses
/// `ALTER COLUMN … TYPE` on a column a view uses, and a view bound to a column goes on reading it after
/// a swap renames it to the quarantine name. So they are dropped before and created again after, in the
/// same transaction, from the definitions in the schema file (as pg_dump wrote them, schema-qualified):
/// a reader of the view waits on the lock for the length of the transaction instead of seeing an error.
/// Materialized views are refused by validation (CUT061); grants and comments on the views are not
/// recreated (the plan says so).
struct PostgreSQLViewRebuild {
    let views: [SchemaDependents.View]

    init(views: [SchemaDependents.View]) {
        self.views = views
    }

    init(_ context: LoweringContext, table: String, column: String) {
        views = context.views(using: column, of: table).filter { !$0.materialized }
    }

    /// The views over a column of enum type `enumType` in any table, or naming the type (a cast such as
    /// `'b'::st`), for the rebuild of the type in addEnumValue's down: the server refuses to retype a
    /// column a view uses, and to drop the renamed type while a view's cast still names it. A view whose
    /// text has the type's name as a word for another reason is dropped and created again too (harmless,
    /// in the same transaction).
    init(_ context: LoweringContext, enumType: String) {
        let columns = context.schema.tables.flatMap { table in
            table.columns.filter { AddEnumValue.sameType($0.type, enumType) }.map { (table: table.name, column: $0.name) }
        }
        let word = AddEnumValue.bareName(enumType)
        views = context.schema.dependents.views { view in
            columns.contains { column in
                view.columns.contains { DDLParser.same($0.table, column.table, false) && DDLParser.same($0.column, column.column, false) }
            } || Self.names(view.definition, word)
        }.filter { !$0.materialized }
    }

    /// Whether `text` has `word` as an identifier (any case; quoted or not).
    static func names(_ text: String, _ word: String) -> Bool {
        let escaped = NSRegularExpression.escapedPattern(for: word)
        return text.range(of: "(?<![A-Za-z0-9_$])\(escaped)(?![A-Za-z0-9_$])", options: [.regularExpression, .caseInsensitive]) != nil
    }

    var isEmpty: Bool { views.isEmpty }

    /// `DROP VIEW IF EXISTS`, dependents first.
    func drops(_ b: PostgreSQLBuilder) -> [String] {
        views.reversed().map { "DROP VIEW IF EXISTS \(Self.qualified($0.name, b));" }
    }

    /// The definitions as statements of their own.
    func creates() -> [String] {
        views.map { Self.statement($0.definition) }
    }

    /// The definitions inside a DO block: through EXECUTE of a literal, so nothing in a view's text
    /// can end the block's dollar quote.
    func executes(_ b: PostgreSQLBuilder) -> [String] {
        views.map { "EXECUTE \(b.lit($0.definition));" }
    }

    var names: String { views.map(\.name).joined(separator: ", ") }

    static func statement(_ definition: String) -> String {
        definition.hasSuffix(";") ? definition : definition + ";"
    }

    /// `sales.v` → `"sales"."v"`; a name in the spec's schema (read bare) is named as its tables are (`t`).
    static func qualified(_ name: String, _ b: PostgreSQLBuilder) -> String {
        name.contains(".") ? name.split(separator: ".", maxSplits: 1).map { b.q(String($0)) }.joined(separator: ".") : b.t(name)
    }
}
