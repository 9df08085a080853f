extension RuleID {
    public static let mysqlForeignKeyType = RuleID("CUT107")
}

/// CUT107 `mysql-foreign-key-type`: on MySQL, a type change of a foreign key's column to an integer
/// type other than the referenced column's. Was one of CUT049's meanings (trial 14e: CUT049 also
/// refuses a primary key's retype, and one id for both told the user little).
///
/// Reported by `AlterColumn.checkForeignKeyType` (the reference checks, at the change's `type`).
package enum MySQLForeignKeyTypeRule: RuleUnit {
    package static let rule = Rule(
        id: .mysqlForeignKeyType, name: "mysql-foreign-key-type", severity: .error, checkedBy: [.references],
        summary: "on MySQL, a foreign key's column retyped to an integer type the referenced column does not have",
        rationale: "InnoDB refuses a foreign key between integer columns of different types or signedness (INT and BIGINT, INT and INT UNSIGNED: error 3780 on MySQL 8, 150 on MariaDB). A type change goes through a copy column, and contract puts the foreign key back on the column in its new type: that statement would fail, with the old version gone and the new one serving. PostgreSQL compares integer types by value and is not affected. Keep the type, or retype the referenced column and the foreign key's columns together in an sql change.",
        triggering: [RuleExample(Snippets.spec(database: Snippets.mysqlDatabase + "    schema: schema.sql\n", changes: retype("BIGINT")),
                                 files: ["schema.sql": schema]).expecting((21, 15))],
        nonTriggering: [RuleExample(Snippets.spec(database: Snippets.mysqlDatabase + "    schema: schema.sql\n", changes: retype("INT")),
                                    files: ["schema.sql": schema]),
                        RuleExample(Snippets.spec(database: Snippets.pgDatabase + "    schema: schema.sql\n", changes: retype("bigint")),
                                    files: ["schema.sql": schemaPostgres])])

    private static func retype(_ type: String) -> String {
        "    - alterColumn:\n        table: stock_moves\n        column: item_id\n        type: \(type)\n"
    }
    private static let schema = """
        CREATE TABLE items (
            id int NOT NULL AUTO_INCREMENT PRIMARY KEY
        ) ENGINE=InnoDB;
        CREATE TABLE stock_moves (
            id      bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,
            item_id int NOT NULL,
            KEY stock_moves_item_id (item_id),
            CONSTRAINT stock_moves_item_fk FOREIGN KEY (item_id) REFERENCES items (id)
        ) ENGINE=InnoDB;

        """
    private static let schemaPostgres = """
        CREATE TABLE items (
            id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY
        );
        CREATE TABLE stock_moves (
            id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            item_id integer NOT NULL REFERENCES items (id)
        );
        CREATE INDEX stock_moves_item_id ON stock_moves (item_id);

        """
}

extension Message {
    public static func foreignKeyTypeMismatch(_ new: String, foreignKey: String, table: String, column: String, type: String) -> String {
        "foreign key '\(foreignKey)' references '\(table).\(column)' (\(type)); MySQL refuses a foreign key between integer columns of different types, so \(new) would fail when the key is put back: keep the type, or retype both columns together in an sql change"
    }
}
