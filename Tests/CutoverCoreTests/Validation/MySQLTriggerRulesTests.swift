@testable import CutoverPlan
@testable import CutoverSpec
import Foundation
import Testing

/// CUT110 and CUT111 (trial 14i MUST-FIX 1 and 2): what MySQL's BEFORE INSERT / UPDATE sync and fill
/// triggers cannot see, for each expression the MySQL lowering puts in a trigger.
@Suite struct MySQLTriggerRulesTests {
    static let schema = """
        CREATE TABLE accounts (
            id    bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,
            email varchar(191) NOT NULL
        ) ENGINE=InnoDB;
        CREATE TABLE posts (
            id         bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,
            title      varchar(255) NOT NULL,
            word_count int NOT NULL DEFAULT 0,
            note       varchar(40) NULL
        ) ENGINE=InnoDB;
        CREATE TABLE tickets (
            code varchar(20) NOT NULL PRIMARY KEY,
            seq  bigint NOT NULL AUTO_INCREMENT,
            UNIQUE KEY tickets_seq (seq)
        ) ENGINE=InnoDB;
        CREATE TABLE comments (
            id        bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,
            post_id   bigint NOT NULL,
            author_id bigint NULL,
            editor_id bigint NULL,
            code      varchar(20) NULL,
            KEY comments_post_id (post_id),
            KEY comments_author_id (author_id),
            KEY comments_editor_id (editor_id),
            KEY comments_code (code),
            CONSTRAINT comments_post_fk FOREIGN KEY (post_id) REFERENCES posts (id) ON DELETE CASCADE,
            CONSTRAINT comments_author_fk FOREIGN KEY (author_id) REFERENCES accounts (id) ON DELETE SET NULL,
            CONSTRAINT comments_editor_fk FOREIGN KEY (editor_id) REFERENCES accounts (id) ON DELETE RESTRICT,
            CONSTRAINT comments_code_fk FOREIGN KEY (code) REFERENCES tickets (code) ON UPDATE CASCADE
        ) ENGINE=InnoDB;
        """

    func rules(_ changes: String, engine: String = "mysql", app: String = "") throws -> [String] {
        let spec = """
            apiVersion: cutover.dev/v1alpha1
            kind: Migration
            metadata:
              name: t
              namespace: blog
            spec:
              database:
                engine: \(engine)
                version: "\(engine == "mysql" ? "8.0" : "15")"
                cluster: blog-db
                name: blog
                credentialsSecret: blog-db-credentials
                schema: schema.sql
              app:
                name: blog-api
                image: ghcr.io/acme/blog-api:v9.0.0
            \(app)  changes:
            \(changes)
            """
        let diagnostics = try ValidationHarness.check(spec, files: ["schema.sql": Self.schema])
        return diagnostics.filter { $0.severity == .error }.map { "\($0.rule.rawValue) \($0.location.line)" }
    }

    @Test func autoIncrementReadBeforeInsert() throws {
        // addColumn up (the trial's slug), dropColumn down (the new version's inserts).
        #expect(try rules("    - addColumn: {table: posts, column: {name: slug, type: varchar(191)}, up: \"CONCAT('post-', id)\"}") == ["CUT110 18"])
        #expect(try rules("    - addColumn: {table: posts, column: {name: slug, type: varchar(191)}, up: \"LOWER(title)\"}") == [])
        #expect(try rules("    - dropColumn: {table: posts, column: word_count, down: \"id % 7\"}") == ["CUT110 18"])
        // alterColumn: the fill of a nullable column made NOT NULL, a type change's up through the copy.
        #expect(try rules("    - alterColumn: {table: posts, column: note, nullable: false, up: \"CONCAT('n', id)\"}") == ["CUT110 18"])
        #expect(try rules("    - alterColumn: {table: posts, column: word_count, type: bigint, up: \"word_count + id * 0\"}") == ["CUT110 18"])
        // down is in the insert trigger only with the version databases (two-way sync).
        #expect(try rules("    - alterColumn: {table: posts, column: word_count, type: bigint, down: \"word_count + id * 0\"}") == ["CUT110 18"])
        #expect(try rules("    - alterColumn: {table: posts, column: word_count, type: bigint, down: \"word_count + id * 0\"}",
                          app: "    versionSchemas: none\n") == [])
        // The AUTO_INCREMENT column itself copied by a rename; a primary key's rename is CUT049 alone.
        #expect(try rules("    - renameColumn: {table: tickets, from: seq, to: number}") == ["CUT110 18"])
        #expect(try rules("    - renameColumn: {table: posts, from: id, to: post_id}") == ["CUT049 18"])
        // PostgreSQL applies the sequence default before BEFORE triggers.
        #expect(try rules("    - addColumn: {table: posts, column: {name: slug, type: varchar(191)}, up: \"CONCAT('post-', id)\"}", engine: "postgresql")
                .allSatisfy { !$0.hasPrefix("CUT110") })
    }

    @Test func foreignKeyActionsFireNoTrigger() throws {
        // The trial's rename of a SET NULL key's column; ON UPDATE CASCADE too; an up computed from one.
        #expect(try rules("    - renameColumn: {table: comments, from: author_id, to: user_id}") == ["CUT111 18"])
        #expect(try rules("    - renameColumn: {table: comments, from: code, to: ticket_code}") == ["CUT111 18"])
        #expect(try rules("    - addColumn: {table: comments, column: {name: anonymous, type: tinyint(1)}, up: \"author_id IS NULL\"}") == ["CUT111 18"])
        #expect(try rules("    - dropColumn: {table: comments, column: editor_id, down: \"author_id\"}") == ["CUT111 18"])
        // A type change through a copy (not an integer retype CUT107 refuses): the copy misses the cascade.
        #expect(try rules("    - alterColumn: {table: comments, column: code, type: varchar(24), up: \"UPPER(code)\"}") == ["CUT111 18"])
        // ON DELETE CASCADE deletes the row, RESTRICT changes nothing: fine.
        #expect(try rules("    - renameColumn: {table: comments, from: post_id, to: article_id}") == [])
        #expect(try rules("    - renameColumn: {table: comments, from: editor_id, to: reviewer_id}") == [])
        // A key the spec adds earlier counts (addForeignKey, and an added column's references read by a later up).
        #expect(try rules("""
                - addForeignKey: {name: comments_editor_null_fk, table: comments, columns: [editor_id], references: {table: accounts, columns: [id]}, onDelete: set null}
                - renameColumn: {table: comments, from: editor_id, to: reviewer_id}
            """) == ["CUT111 19"])
        #expect(try rules("""
                - addColumn: {table: posts, column: {name: owner_id, type: bigint, references: {table: accounts, column: id, onDelete: set null}}}
                - addColumn: {table: posts, column: {name: orphan, type: tinyint(1)}, up: \"owner_id IS NULL\"}
            """) == ["CUT111 19"])
        // PostgreSQL runs its actions as updates that fire the sync triggers.
        #expect(try rules("    - renameColumn: {table: comments, from: author_id, to: user_id}", engine: "postgresql").allSatisfy { !$0.hasPrefix("CUT111") })
    }
}
