extension RuleID {
    public static let mariadbGeneratedColumnOnlineDDL = RuleID("CUT112")
}

/// CUT112 `mariadb-generated-column-online-ddl`: on MariaDB a table with an indexed VIRTUAL generated
/// column refuses the online ALTERs cutover writes for most column changes, and one with a STORED
/// generated column refuses an in-place NOT NULL (warning; trial 14i MUST-FIX 4: the Jobs failed with
/// 1845 and 1846). Measured on MariaDB 10.11.19; MySQL 8 is not known to refuse them.
///
/// Reported by `MariaDBGeneratedColumnRules`, at the change.
package enum MariaDBGeneratedColumnOnlineDDLRule: RuleUnit {
    package static let rule = Rule(
        id: .mariadbGeneratedColumnOnlineDDL, name: "mariadb-generated-column-online-ddl", severity: .warning, checkedBy: [.dependents],
        summary: "on MariaDB, a table's indexed VIRTUAL or STORED generated column makes a step's online ALTER fail (warning)",
        rationale: "cutover's MySQL target runs on MariaDB too, and MariaDB (measured on 10.11) refuses online ALTERs on a table with generated columns that MySQL 8 is not known to refuse. With an indexed VIRTUAL generated column every ALTER that rebuilds the table refuses LOCK=NONE (error 1846, \"online rebuild with indexed virtual columns\") and ADD COLUMN refuses ALGORITHM=INSTANT (1845): the ADD COLUMN of an addColumn, a renameColumn (the new name) and a type change through a copy column (the copy), the relax of a NOT NULL column (alterColumn nullable: true, a dropColumn of a NOT NULL column without default) and the purge's DROP COLUMN fail, and so does the rollback of expand (DROP COLUMN). With a STORED generated column (indexed or not) making a column NOT NULL refuses ALGORITHM=INPLACE (1845, \"Try ALGORITHM=COPY\"): the NOT NULL step of an addColumn, a renameColumn of a NOT NULL column, an alterColumn with nullable: false and a type change whose column stays NOT NULL fails, as does a rollback that puts NOT NULL back. RENAME COLUMN, SET DEFAULT, CREATE INDEX and a VARCHAR widening within its length bytes are not affected. The phase's Job then fails half way through the migration on MariaDB. Drop the index on the virtual column in a migration of its own first (dropIndex) and create it again after, or run the failing step by hand in a quiet window with ALGORITHM=COPY (or LOCK=SHARED), which blocks writes to the table for the whole rebuild. Reported at the change, naming the table, the generated column and the statement; on MySQL 8 itself it can be ignored.",
        triggering: [RuleExample(Snippets.spec(database: Snippets.mysqlDatabase + "    schema: schema.sql\n", changes: addNote),
                                 files: ["schema.sql": indexedVirtual]).expecting((18, 7))],
        nonTriggering: [RuleExample(Snippets.spec(database: Snippets.mysqlDatabase + "    schema: schema.sql\n", changes: addNote),
                                    files: ["schema.sql": virtual]),
                        RuleExample(Snippets.spec(database: Snippets.mysqlDatabase + "    schema: schema.sql\n", changes: createIndex),
                                    files: ["schema.sql": indexedVirtual])])

    private static let addNote = "    - addColumn:\n        table: posts\n        column:\n          name: note\n          type: VARCHAR(40)\n"
    private static let createIndex = "    - createIndex:\n        name: posts_title\n        table: posts\n        columns: [title]\n"
    private static let indexedVirtual = """
        CREATE TABLE posts (
            id    bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,
            title varchar(255) NOT NULL,
            meta  json NULL,
            lang  varchar(8) AS (json_unquote(json_extract(meta, '$.lang'))) VIRTUAL,
            KEY posts_lang (lang)
        ) ENGINE=InnoDB;

        """
    private static let virtual = """
        CREATE TABLE posts (
            id    bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,
            title varchar(255) NOT NULL,
            meta  json NULL,
            lang  varchar(8) AS (json_unquote(json_extract(meta, '$.lang'))) VIRTUAL
        ) ENGINE=InnoDB;

        """
}

extension Message {
    /// `statement`: the step and its ALTER; `error`: what MariaDB answers.
    package static func mariadbGeneratedColumnDDL(table: String, generated: String, stored: Bool, statement: String, error: String) -> String {
        let kind = stored ? "the STORED generated column" : "the indexed VIRTUAL generated column"
        let fix = stored ? "run that step by hand in a quiet window with ALGORITHM=COPY (writes to the table wait for the whole rebuild)"
                         : "drop the index on '\(generated)' in a migration of its own first (dropIndex) and create it again after, or run that step by hand in a quiet window with LOCK=SHARED or ALGORITHM=COPY (writes wait for the whole rebuild)"
        return "on MariaDB, table '\(table)' has \(kind) '\(generated)': \(statement) fails there (\(error)) and its Job with it; \(fix); MySQL 8 is not known to refuse it"
    }
}
