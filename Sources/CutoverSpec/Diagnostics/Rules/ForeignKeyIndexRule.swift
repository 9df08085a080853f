extension RuleID {
    public static let foreignKeyIndex = RuleID("CUT079")
}

/// CUT079 `foreign-key-index`: on MySQL, dropIndex of the last index a foreign key can use.
package enum ForeignKeyIndexRule: RuleUnit {
    static let schema = """
        CREATE TABLE customers (id bigint NOT NULL AUTO_INCREMENT, PRIMARY KEY (id)) ENGINE=InnoDB;
        CREATE TABLE orders (
          id bigint NOT NULL AUTO_INCREMENT,
          customer_id bigint NOT NULL,
          PRIMARY KEY (id),
          KEY orders_customer_idx (customer_id),
          CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id)
        ) ENGINE=InnoDB;

        """

    package static let rule = Rule(
        id: .foreignKeyIndex, name: "foreign-key-index", severity: .error, checkedBy: [.references],
        summary: "on MySQL, dropIndex of the last index a foreign key can use",
        rationale: "InnoDB needs, on the referencing and on the referenced table, an index whose leading columns are the foreign key's columns in order, and refuses to drop the last such index (ERROR 1553, `needed in a foreign key constraint`) when the contract Job runs, after the app's rollout. Drop the foreign key first (dropConstraint, listed before the dropIndex), or create an index that starts with the same columns in an earlier change.",
        triggering: [RuleExample(Snippets.spec(database: Snippets.mysqlDatabase + "    schema: schema.sql\n",
                                               changes: "    - dropIndex:\n        name: orders_customer_idx\n        table: orders\n"),
                                 files: ["schema.sql": schema]).expecting((19, 15))],
        nonTriggering: [
            RuleExample(Snippets.spec(database: Snippets.mysqlDatabase + "    schema: schema.sql\n",
                                      changes: "    - dropConstraint:\n        name: orders_customer_fk\n        table: orders\n    - dropIndex:\n        name: orders_customer_idx\n        table: orders\n"),
                        files: ["schema.sql": schema]),
            RuleExample(Snippets.spec(database: Snippets.mysqlDatabase + "    schema: schema.sql\n",
                                      changes: "    - dropIndex:\n        name: orders_customer_idx\n        table: orders\n"),
                        files: ["schema.sql": schema.replacingOccurrences(of: "  KEY orders_customer_idx (customer_id),\n",
                                                                          with: "  KEY orders_customer_idx (customer_id),\n  KEY orders_customer_id_idx (customer_id, id),\n")]),
        ])
}

extension Message {
    public static func indexNeededByForeignKey(_ index: String, keys: [String]) -> String {
        "MySQL cannot drop index '\(index)': it is the last index foreign key \(keys.map { "'\($0)'" }.joined(separator: ", ")) can use (ERROR 1553 in the contract Job); drop the foreign key first, or create an index that starts with its columns before this change"
    }
}
