/// An example of an operation, run as a test (`OperationExampleTests`): on its engine, over its base
/// schema, the changes validate without errors, are planned, and every up/down pair passes `verify`
/// on a real server.
package struct OperationExample: Sendable {
    var engine: MigrationSpec.Engine
    /// The base schema (`schema.sql` beside the spec).
    var schema: String
    /// The spec's `changes:` entries, indented as `Snippets.spec` expects.
    var changes: String
    /// The rule the example must report instead (an operation the engine does not have, e.g. CUT085);
    /// such an example is not planned or verified.
    var refusal: RuleID? = nil

    /// The smallest valid spec with these changes.
    var spec: String {
        Snippets.spec(database: (engine == .postgresql ? Snippets.pgDatabase : Snippets.mysqlDatabase) + "    schema: schema.sql\n", changes: changes)
    }

    /// The base schemas the examples share: pricing (PostgreSQL, MySQL) and customers with subscriptions.
    package static let pricing = Snippets.pricingSchema
    package static let pricingMySQL = "CREATE TABLE pricing (\n    id     bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,\n    amount integer NOT NULL\n) ENGINE=InnoDB;\n"
    package static func subscriptions(_ engine: MigrationSpec.Engine) -> String {
        let key = engine == .postgresql ? "bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY" : "bigint NOT NULL AUTO_INCREMENT PRIMARY KEY"
        let end = engine == .postgresql ? ");\n" : ") ENGINE=InnoDB;\n"
        return "CREATE TABLE customers (\n    id \(key)\n\(end)\nCREATE TABLE subscriptions (\n    id          \(key),\n    customer_id bigint NOT NULL\n\(end)"
            + "CREATE INDEX subscriptions_customer_idx ON subscriptions (customer_id);\n"
    }

    package init(engine: MigrationSpec.Engine, schema: String, changes: String, refusal: RuleID? = nil) {  // memberwise, for the targets above
        self.engine = engine
        self.schema = schema
        self.changes = changes
        self.refusal = refusal
    }
}
