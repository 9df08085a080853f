@testable import CutoverPlan
@testable import CutoverSpec
import Foundation
import Testing

/// CUT112 (trial 14i MUST-FIX 4): which steps MariaDB refuses online on a table with an indexed
/// VIRTUAL or a STORED generated column. The statements named here failed (and the others ran) when
/// the generated SQL was applied by hand on MariaDB 10.11.19 (fixture 231 and these specs).
@Suite struct MariaDBGeneratedColumnRulesTests {
    static let schema = """
        CREATE TABLE posts (
            id    BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
            title VARCHAR(255) NOT NULL,
            meta  JSON NULL,
            lang  VARCHAR(8) AS (json_unquote(json_extract(meta, '$.lang'))) VIRTUAL,
            KEY posts_lang (lang)
        ) ENGINE=InnoDB;
        CREATE TABLE pages (
            id        BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
            title     VARCHAR(255) NOT NULL,
            code      VARCHAR(20) NOT NULL,
            title_len INT AS (char_length(title)) PERSISTENT,
            summary   VARCHAR(255) NULL
        ) ENGINE=InnoDB;
        CREATE TABLE notes (
            id       BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
            body     TEXT NULL,
            kind     VARCHAR(20) NULL,
            body_len INT AS (char_length(body)) VIRTUAL
        ) ENGINE=InnoDB;
        """

    func warnings(_ changes: String, engine: String = "mysql", extra: String = "") throws -> [String] {
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
            \(extra)  changes:
            \(changes)
            """
        let diagnostics = try ValidationHarness.check(spec, files: ["schema.sql": Self.schema])
        return diagnostics.filter { $0.rule == .mariadbGeneratedColumnOnlineDDL }.map { "\($0.location.line) " + ($0.message.contains("STORED") ? "stored" : "virtual") }
    }

    @Test func indexedVirtualRefusesOnlineRebuilds() throws {
        #expect(try warnings("    - addColumn: {table: posts, column: {name: excerpt, type: text}}") == ["18 virtual"])
        #expect(try warnings("    - renameColumn: {table: posts, from: title, to: heading}") == ["18 virtual"])
        #expect(try warnings("    - alterColumn: {table: posts, column: title, type: varchar(300), up: \"TRIM(title)\"}") == ["18 virtual"])
        #expect(try warnings("    - dropColumn: {table: posts, column: title, down: \"'x'\"}") == ["18 virtual"])
        // In place on MariaDB too: an index, a default, a widening without `up`.
        #expect(try warnings("    - createIndex: {name: posts_title, table: posts, columns: [title]}") == [])
        #expect(try warnings("    - alterColumn: {table: posts, column: title, default: \"''\"}") == [])
        #expect(try warnings("    - alterColumn: {table: posts, column: title, type: varchar(300)}") == [])
    }

    @Test func storedRefusesOnlyAnInPlaceNotNull() throws {
        // MariaDB's PERSISTENT is STORED.
        #expect(try warnings("    - alterColumn: {table: pages, column: summary, nullable: false, up: \"LEFT(title, 10)\"}") == ["18 stored"])
        #expect(try warnings("    - renameColumn: {table: pages, from: code, to: slug}") == ["18 stored"])
        #expect(try warnings("    - addColumn: {table: pages, column: {name: kind, type: varchar(20), nullable: false}, up: \"'page'\"}") == ["18 stored"])
        #expect(try warnings("    - addColumn: {table: pages, column: {name: kind, type: varchar(20), nullable: false, default: \"'page'\"}}") == [])
        #expect(try warnings("    - renameColumn: {table: pages, from: summary, to: abstract}") == [])
        // A VIRTUAL column without an index changes nothing; nor does PostgreSQL.
        #expect(try warnings("    - alterColumn: {table: notes, column: kind, nullable: false, up: \"'note'\"}") == [])
        #expect(try warnings("    - addColumn: {table: posts, column: {name: excerpt, type: text}}", engine: "postgresql") == [])
    }
}
