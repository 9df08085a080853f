@testable import CutoverPlan
@testable import CutoverSpec
import Foundation
import Testing

/// dropPrimaryKey on MySQL: the server refuses to drop a key whose column is AUTO_INCREMENT, or that is
/// the only index a foreign key of the table can use (ERROR 1553); both are CUT084 at the table, and a
/// key with its own index beside it is fine.
@Suite struct DropPrimaryKeyMySQLTests {
    func diagnostics(_ schema: String) throws -> [Diagnostic] {
        let spec = Snippets.spec(database: Snippets.mysqlDatabase + "    schema: schema.sql\n", changes: "    - dropPrimaryKey:\n        table: links\n")
        return try ValidationHarness.check(spec, files: ["schema.sql": "CREATE TABLE parents (\n    id bigint NOT NULL PRIMARY KEY\n) ENGINE=InnoDB;\n" + schema])
    }

    @Test func autoIncrementKeyIsRefused() throws {
        let found = try diagnostics("CREATE TABLE links (\n    id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY\n) ENGINE=InnoDB;\n")
        #expect(found.map(\.rule) == [.dropPrimaryKey], "\(found.map(\.message))")
        #expect(found.first?.message.contains("AUTO_INCREMENT") == true)
    }

    @Test func keyThatIsTheIndexOfAForeignKeyIsRefused() throws {
        let found = try diagnostics("CREATE TABLE links (\n    parent_id bigint NOT NULL,\n    n int NOT NULL,\n    PRIMARY KEY (parent_id, n),\n"
                                    + "    CONSTRAINT links_parent_fk FOREIGN KEY (parent_id) REFERENCES parents (id)\n) ENGINE=InnoDB;\n")
        #expect(found.map(\.rule) == [.dropPrimaryKey], "\(found.map(\.message))")
        #expect(found.first?.message.contains("links_parent_fk") == true)
    }

    @Test func keyWithAnotherIndexForTheForeignKeyIsFine() throws {
        let found = try diagnostics("CREATE TABLE links (\n    parent_id bigint NOT NULL,\n    n int NOT NULL,\n    PRIMARY KEY (parent_id, n),\n"
                                    + "    KEY links_parent_idx (parent_id),\n    CONSTRAINT links_parent_fk FOREIGN KEY (parent_id) REFERENCES parents (id)\n) ENGINE=InnoDB;\n")
        #expect(!found.contains { $0.severity == .error }, "\(found.map(\.message))")
    }
}
