/// One key of `createIndex.columns`: a column name as before (`email`), or a mapping with exactly one of
/// `column` and `expression` and its order, NULLs placement and operator class
/// (`{expression: lower(email), opclass: text_pattern_ops}`). A plain name renders exactly as the
/// plain column list always did, so existing specs generate the same SQL.
public struct IndexKey: Sendable {
    public enum Target: Sendable {
        case column(Name)
        case expression(Located<String>)
    }

    /// Nil when the mapping names neither or both of `column` and `expression` (CUT090 reports it).
    public var target: Target?
    public var descending: Bool
    /// `first` or `last` (PostgreSQL), as written.
    public var nulls: Located<String>?
    public var opclass: Name?
    /// The `order: desc` value, to locate a refusal on a method without order.
    public var order: Located<String>?
    public var location: SourceLocation

    /// Whether the key is a bare column: nothing beyond the name, as in a plain list.
    var isPlainColumn: Bool {
        if case .column? = target { return !descending && nulls == nil && opclass == nil }
        return false
    }

    var column: Name? {
        if case .column(let name)? = target { return name }
        return nil
    }

    var expression: Located<String>? {
        if case .expression(let text)? = target { return text }
        return nil
    }

    package static let shape = ObjectShape("indexKey", "an index key: exactly one of column or expression, with its order", [
        Field("column", SpecShape.identifier, "indexed column", example: "created_at"),
        Field("expression", SpecShape.expression, "indexed expression (PostgreSQL; MySQL: refused, CUT091)", example: "lower(email)"),
        Field("order", .keyword(["asc", "desc"]), default: "asc", "sort order of the key"),
        Field("nulls", .keyword(["first", "last"]), "where NULLs sort (PostgreSQL); the server's default is last for asc, first for desc"),
        Field("opclass", SpecShape.identifier, "operator class (PostgreSQL), e.g. text_pattern_ops or gin_trgm_ops"),
    ])

    /// `columns` of createIndex: each item a column name or an `indexKey` mapping.
    static let listShape = Shape.list(.textOrObject(.sqlIdentifier, shape), minItems: 1)

    static func read(_ node: SyntaxNode, _ reader: SpecBuilder) -> IndexKey? {
        guard node.entries != nil else {
            return reader.name(node).map { IndexKey(target: .column($0), descending: false, location: $0.location) }
        }
        let column = reader.name(node["column"]), expression = reader.located(node["expression"])
        let target: Target? = switch (column, expression) {
        case (let column?, nil): .column(column)
        case (nil, let expression?): .expression(expression)
        default: nil
        }
        let order = reader.located(node["order"])
        return IndexKey(target: target, descending: order.map { Shape.keywordValue($0.value) == "desc" } ?? false,
                        nulls: reader.located(node["nulls"]), opclass: reader.name(node["opclass"]), order: order, location: node.location)
    }

    /// The key as PostgreSQL reads it: `"col" opclass DESC NULLS LAST`, an expression in parentheses.
    func postgres(_ n: SQLNames) -> String {
        var text: String
        switch target {
        case .column(let name)?: text = n.quote(name.value)
        case .expression(let expression)?: text = "(\(expression.value))"
        case nil: text = ""
        }
        if let opclass { text += " " + n.quote(opclass.value) }
        if descending { text += " DESC" }
        if let nulls { text += " NULLS " + Shape.keywordValue(nulls.value).uppercased() }
        return text
    }

    /// The key as MySQL reads it: a column, DESC when descending (the checks refused the rest).
    func mysql(_ n: SQLNames) -> String {
        (column.map { n.quote($0.value) } ?? "") + (descending ? " DESC" : "")
    }

    /// The key as the schema model lists it: the column, or the expression in parentheses (as a dump shows it).
    var schemaText: String {
        switch target {
        case .column(let name)?: name.value
        case .expression(let expression)?: "(\(expression.value))"
        case nil: ""
        }
    }
}
