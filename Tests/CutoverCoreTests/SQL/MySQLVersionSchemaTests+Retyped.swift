@testable import CutoverPlan
@testable import CutoverSpec
@testable import CutoverEmit
@testable import CutoverCore
@testable import CutoverProof
import Foundation
import Testing
import CutoverTemplates

/// Issue #14 on MySQL, a retyped column that goes through a hidden copy: the new version reads and
/// writes it in the new type under the final name from expand on (`MySQLVersionSchemas`,
/// `MySQLAlterColumn.twoWaySync`), and contract's swap re-points its view with no window
/// (`MySQLVersionSchemas.swapView`, the runner's second session). On a real MariaDB 10.11, with the
/// generated files of `MySQLVersionSchemaTests.yaml` (`reviews.rating` VARCHAR(10) → INT).
/// In the suite of `MySQLVersionSchemaTests` (serialized): the same database names.
extension MySQLVersionSchemaTests {
    struct Server {
        var socket: String
        func sql(_ input: String, database: String?) throws -> (status: Int32, output: String) {
            let result = try MySQLOrphanCheckTests.client(socket, database: database, input: input)
            return (result.status, result.output.trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }

    static let retypeApp = "myretype_app"
    static let retypeCleanup = "DROP DATABASE IF EXISTS \(retypeApp); DROP DATABASE IF EXISTS shop_reviews_old; DROP DATABASE IF EXISTS shop_reviews_new;"

    /// The plan's SQL files, the server, and the base database loaded with the schema, `rows` rows
    /// and expand and backfill applied (the state while both versions serve).
    static func rolledOut(rows: Int) throws -> (server: Server, files: [OutputFile], folder: URL) {
        let url = try DatabaseHarness.shared.url(.mysql)
        let server = Server(socket: try #require(URLComponents(string: url)?.queryItems?.first { $0.name == "socket" }?.value))
        let (result, folder) = try Self.check(setting: "")
        let plan = Compiler().plan(try #require(result.validated))
        let files = Compiler().emit(plan).filter { $0.path.hasPrefix("sql/") }.sorted { $0.path < $1.path }
        let seed = rows > 0 ? "INSERT INTO reviews (rating, title, body) SELECT seq, CONCAT('seed ', seq), 'seeded' FROM seq_1_to_\(rows);" : ""
        let setup = try server.sql(retypeCleanup + " CREATE DATABASE \(retypeApp); USE \(retypeApp);\n" + Self.schema
                                   + "INSERT INTO reviews (rating, title, body) VALUES ('007', 'padded', 'kept as written');\n" + seed, database: nil)
        #expect(setup.status == 0, "\(setup.output)")
        try runFiles(server, files, [.preflight, .expand, .backfill], down: false)
        return (server, files, folder)
    }

    static func runFiles(_ server: Server, _ files: [OutputFile], _ phases: [Phase], down: Bool) throws {
        let chosen = files.filter { file in phases.contains { file.path.contains("_\($0.rawValue)_") } && file.path.hasSuffix(down ? ".down.sql" : ".up.sql") }
        for file in down ? chosen.reversed() : chosen {
            let ran = try server.sql(file.contents, database: retypeApp)
            #expect(ran.status == 0, "\(file.path): \(ran.output)")
        }
    }

    /// Both versions write, each in its own type; the other one reads the value in its own type. The
    /// backfill wrote `up` of every row into the copy without touching the old column ('007' stays
    /// '007': a trigger that copied every changed copy back with `down` would make it '7').
    @Test(.enabled(if: DatabaseHarness.shouldRun(.mysql), unavailable(.mysql)))
    func bothVersionsWriteInTheirOwnTypeAndReadTheOther() throws {
        let (server, _, folder) = try Self.rolledOut(rows: 0)
        defer { try? FileManager.default.removeItem(at: folder); _ = try? server.sql(Self.retypeCleanup, database: nil) }
        let typed = try server.sql("""
            SELECT column_type FROM information_schema.columns WHERE table_schema = 'shop_reviews_new' AND table_name = 'reviews' AND column_name = 'rating';
            SELECT column_type FROM information_schema.columns WHERE table_schema = 'shop_reviews_old' AND table_name = 'reviews' AND column_name = 'rating';
            """, database: nil)
        #expect(typed.output == "int(11)\nvarchar(10)", "the new version's view shows INT, the old one's VARCHAR: \(typed.output)")
        let padded = try server.sql("SELECT rating FROM reviews WHERE title = 'padded';", database: Self.retypeApp)
        #expect(padded.output == "007", "the backfill left the old column as written: \(padded.output)")
        let newPadded = try server.sql("SELECT rating + 1 FROM reviews WHERE title = 'padded';", database: "shop_reviews_new")
        #expect(newPadded.output == "8", "the new version reads the INT: \(newPadded.output)")

        let newInsert = try server.sql("INSERT INTO reviews (rating, title) VALUES (7, 'from new');", database: "shop_reviews_new")
        #expect(newInsert.status == 0, "\(newInsert.output)")
        let oldInsert = try server.sql("INSERT INTO reviews (rating, title) VALUES ('8', 'from old');", database: "shop_reviews_old")
        #expect(oldInsert.status == 0, "\(oldInsert.output)")
        let readByOld = try server.sql("SELECT rating FROM reviews WHERE title = 'from new';", database: "shop_reviews_old")
        #expect(readByOld.output == "7", "the old version reads the new version's insert: \(readByOld.output)")
        let readByNew = try server.sql("SELECT rating * 2 FROM reviews WHERE title = 'from old';", database: "shop_reviews_new")
        #expect(readByNew.output == "16", "the new version reads the old version's insert as INT: \(readByNew.output)")

        let newUpdate = try server.sql("UPDATE reviews SET rating = 9 WHERE title = 'from old';", database: "shop_reviews_new")
        #expect(newUpdate.status == 0, "\(newUpdate.output)")
        let oldUpdate = try server.sql("UPDATE reviews SET rating = '10' WHERE title = 'from new';", database: "shop_reviews_old")
        #expect(oldUpdate.status == 0, "\(oldUpdate.output)")
        let both = try server.sql("SELECT CONCAT(title, '=', rating) FROM reviews WHERE title LIKE 'from %' ORDER BY title;", database: "shop_reviews_old")
        #expect(both.output == "from new=10\nfrom old=9", "each update reached the other version: \(both.output)")
        let bothNew = try server.sql("SELECT CONCAT(title, '=', rating + 0) FROM reviews WHERE title LIKE 'from %' ORDER BY title;", database: "shop_reviews_new")
        #expect(bothNew.output == "from new=10\nfrom old=9", "\(bothNew.output)")
        // An update of another column changes neither.
        let other = try server.sql("UPDATE reviews SET text = 'edited' WHERE title = 'padded'; SELECT rating FROM reviews WHERE title = 'padded';", database: "shop_reviews_new")
        #expect(other.output == "7", "\(other.output)")
        let otherOld = try server.sql("SELECT rating FROM reviews WHERE title = 'padded';", database: "shop_reviews_old")
        #expect(otherOld.output == "007", "\(otherOld.output)")
    }

    /// Contract's swap and its rollback under the new version's traffic (4 writers through
    /// `shop_reviews_new`), 6 times each way. With the runner's second session (its `concurrent` function,
    /// taken from the template) no statement fails; without it (a plain client applying the file)
    /// statements that waited on the lock read the view's old definition and fail with 1356.
    @Test(.enabled(if: DatabaseHarness.shouldRun(.mysql), unavailable(.mysql)), arguments: [true, false])
    func theSwapLeavesNoWindowWithTheRunnersSecondSession(_ concurrent: Bool) throws {
        let (server, files, folder) = try Self.rolledOut(rows: 200)
        defer { try? FileManager.default.removeItem(at: folder); _ = try? server.sql(Self.retypeCleanup, database: nil) }
        try Self.runFiles(server, files, [.complete], down: false)
        let swapUp = try #require(files.first { $0.path.contains("rating_swap.up.sql") })
        let swapDown = try #require(files.first { $0.path.contains("rating_swap.down.sql") })
        try swapUp.contents.write(to: folder.appendingPathComponent("up.sql"), atomically: true, encoding: .utf8)
        try swapDown.contents.write(to: folder.appendingPathComponent("down.sql"), atomically: true, encoding: .utf8)

        let runner = Templates.text(.runMysql)
        let start = try #require(runner.range(of: "concurrent() {"))
        let end = try #require(runner.range(of: "\n}\n", range: start.upperBound..<runner.endIndex))
        let function = String(runner[start.lowerBound..<end.upperBound])
        let client = try LocalMariaDBServer.Tools.locate().client
        let script = """
            set -u
            cd '\(folder.path)'
            on() { shift; '\(client)' --no-defaults --user=root --socket='\(server.socket)' --database=\(Self.retypeApp) --batch "$@"; }
            \(function)
            apply() { # the runner's apply, without the connection id bookkeeping
              if [ \(concurrent ? 1 : 0) = 1 ]; then
                { printf 'SET @cutover_concurrent = 1;\\n'; cat "$1"; } | on db --unbuffered | concurrent db "$1"
              else
                on db < "$1"
              fi
            }
            for w in 1 2 3 4; do
              ( i=0; while [ ! -f stop ]; do i=$((i + 1)); echo "SELECT rating + 1 FROM reviews WHERE id = 1; INSERT INTO reviews (rating, title) VALUES ($i, 'w$w'); DO SLEEP(0.002);"; done \\
                | '\(client)' --no-defaults --user=root --socket='\(server.socket)' --database=shop_reviews_new --batch --force > /dev/null 2> w$w.err ) 2>/dev/null &
            done
            sleep 0.5
            failed=0
            for cycle in 1 2 3 4 5 6; do
              date +%s.%N >> times
              apply up.sql > up.out 2>&1 || { failed=1; cat up.out; }
              sleep 0.2
              apply down.sql > down.out 2>&1 || { failed=1; cat down.out; }
              sleep 0.2
            done
            touch stop
            wait
            echo "files failed: $failed"
            echo "cycles started: $(tr '\n' ' ' < times)"
            echo "1356: $(cat w*.err | grep -c 'ERROR 1356')"
            echo "other: $(cat w*.err | grep 'ERROR' | grep -vc 'ERROR 1356')"
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", script]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("files failed: 0"), "\(text)")
        #expect(text.contains("other: 0"), "\(text)")
        let rows = try server.sql("SELECT COUNT(*) > 1000 FROM reviews;", database: "shop_reviews_new")
        #expect(rows.output == "1", "the writers wrote: \(rows.output)")
        if concurrent {
            #expect(text.contains("1356: 0\n"), "no statement of the new version met its view invalid: \(text)")
        } else {
            #expect(!text.contains("1356: 0\n"), "must-fail: without the second session the statements that waited on the lock fail: \(text)")
        }
    }

    /// A SMALLINT retyped to VARCHAR(8) with a `down` that maps what the old type cannot hold to NULL
    /// (issue #14, M2): the new version writes 'A-12' then 'B-89' through its database of views. The
    /// sync trigger and the contract's copy-back compare the VARCHAR copy with the SMALLINT column: as
    /// numbers, strict mode fails the new version's UPDATE (1292 Truncated incorrect DECIMAL value) and
    /// the rollback of contract half way; as text, both go through and `down` refills the old column.
    /// Without `down`, the rollback is refused before it changes anything, with the remedy (S7).
    static func binSpec(down: Bool) -> String {
        """
        apiVersion: cutover.dev/v1alpha1
        kind: Migration
        metadata:
          name: bins
          namespace: stock
        spec:
          database:
            engine: mysql
            version: "8.0"
            cluster: stock-db
            name: stock
            credentialsSecret: stock-db
            schema: bins.schema.sql
          app:
            name: stock-api
            image: ghcr.io/acme/stock-api:v4.0.0
            versionSchemas: views
          runner:
            tool: mysql
          changes:
            - alterColumn:
                table: items
                column: bin
                type: VARCHAR(8)
        \(down ? "        down: \"CASE WHEN bin REGEXP '^-?[0-9]{1,4}$' THEN CAST(bin AS SIGNED) ELSE NULL END\"\n" : "")
        """
    }

    static let binApp = "mybins_app"

    static func binPlan(down: Bool, spec: String? = nil,
                        schema: String = "CREATE TABLE items (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, sku VARCHAR(32) NOT NULL, bin SMALLINT DEFAULT NULL) ENGINE=InnoDB;\n")
        throws -> (files: [OutputFile], old: String, new: String) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cutover-mybins-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try (spec ?? binSpec(down: down)).write(to: folder.appendingPathComponent("bins.yaml"), atomically: true, encoding: .utf8)
        try schema.write(to: folder.appendingPathComponent("bins.schema.sql"), atomically: true, encoding: .utf8)
        let result = try Compiler().check(fileAt: folder.appendingPathComponent("bins.yaml").path)
        let plan = Compiler().plan(try #require(result.validated, "\(result.diagnostics)"))
        let databases = try #require(VersionSchemaSelection.schemas(plan))
        return (Compiler().emit(plan).filter { $0.path.hasPrefix("sql/") }.sorted { $0.path < $1.path }, databases.old, databases.new)
    }

    @Test(.enabled(if: DatabaseHarness.shouldRun(.mysql), unavailable(.mysql)), arguments: [true, false])
    func intToVarcharComparesAsTextAndTheRollbackRefillsWithDown(_ down: Bool) throws {
        let url = try DatabaseHarness.shared.url(.mysql)
        let server = Server(socket: try #require(URLComponents(string: url)?.queryItems?.first { $0.name == "socket" }?.value))
        let (files, old, new) = try Self.binPlan(down: down)
        let cleanup = "DROP DATABASE IF EXISTS \(Self.binApp); DROP DATABASE IF EXISTS \(old); DROP DATABASE IF EXISTS \(new);"
        defer { _ = try? server.sql(cleanup, database: nil) }
        let setup = try server.sql(cleanup + " CREATE DATABASE \(Self.binApp); USE \(Self.binApp);\n"
                                   + "CREATE TABLE items (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, sku VARCHAR(32) NOT NULL, bin SMALLINT DEFAULT NULL) ENGINE=InnoDB;\n"
                                   + "INSERT INTO items (sku, bin) VALUES ('seed', 12), ('empty', NULL);", database: nil)
        #expect(setup.status == 0, "\(setup.output)")
        func run(_ phases: [Phase], down: Bool) throws -> [String] {
            let chosen = files.filter { file in phases.contains { file.path.contains("_\($0.rawValue)_") } && file.path.hasSuffix(down ? ".down.sql" : ".up.sql") }
            return try (down ? chosen.reversed() : chosen).compactMap { file in
                let ran = try server.sql(file.contents, database: Self.binApp)
                return ran.status == 0 ? nil : "\(file.path): \(ran.output)"
            }
        }
        #expect(try run([.preflight, .expand, .backfill], down: false) == [])

        // The rollout: the new version inserts, then updates to text no SMALLINT holds.
        // Without down, a value SMALLINT cannot hold fails the new version's statement by design (the
        // sync assigns it: strict mode, 1366), so that variant writes numbers until contract.
        let written = try server.sql(down ? "INSERT INTO items (sku, bin) VALUES ('new', 'A-12'); UPDATE items SET bin = 'B-89' WHERE sku = 'new';"
                                               + " UPDATE items SET bin = '7' WHERE sku = 'seed';"
                                          : "INSERT INTO items (sku, bin) VALUES ('new', '5'); UPDATE items SET bin = '7' WHERE sku = 'seed';", database: new)
        #expect(written.status == 0, "the new version's UPDATE of a VARCHAR value succeeds: \(written.output)")
        let readNew = try server.sql("SELECT CONCAT(sku, '=', COALESCE(bin, 'NULL')) FROM items ORDER BY id;", database: new)
        #expect(readNew.output == (down ? "seed=7\nempty=NULL\nnew=B-89" : "seed=7\nempty=NULL\nnew=5"), "\(readNew.output)")
        let readOld = try server.sql("SELECT CONCAT(sku, '=', COALESCE(bin, 'NULL')) FROM items ORDER BY id;", database: old)
        #expect(readOld.output == (down ? "seed=7\nempty=NULL\nnew=NULL" : "seed=7\nempty=NULL\nnew=5"), "down maps what SMALLINT cannot hold to NULL: \(readOld.output)")

        // Contract, then the new version writes again; the rollback of contract copies back.
        #expect(try run([.complete, .contract], down: false) == [])
        let after = try server.sql("UPDATE items SET bin = 'X-1' WHERE sku = 'seed'; UPDATE items SET bin = '41' WHERE sku = 'empty';", database: new)
        #expect(after.status == 0, "\(after.output)")
        let rollback = try run([.contract], down: true)
        if down {
            #expect(rollback == [], "the copy-back compares as text and refills with down: \(rollback)")
            let back = try server.sql("SELECT CONCAT(sku, '=', COALESCE(bin, 'NULL')) FROM items ORDER BY id;", database: Self.binApp)
            #expect(back.output.hasPrefix("seed=NULL\nempty=41\n"), "the old column after the rollback: \(back.output)")
        } else {
            let refused = rollback.joined(separator: "\n")
            #expect(refused.contains("ERROR 1644") && refused.contains("cutover rollback refused: items.bin holds values the new app version wrote that SMALLINT cannot take"),
                    "refused before anything changes: \(refused)")
            #expect(refused.contains("; change or delete those rows, or give the change a down expression that maps them, and run the rollback again"),
                    "with the remedy the PostgreSQL message gives: \(refused)")
            let unchanged = try server.sql("SELECT column_name FROM information_schema.columns WHERE table_schema = '\(Self.binApp)' AND table_name = 'items' ORDER BY ordinal_position;", database: nil)
            #expect(!unchanged.output.contains("_new"), "nothing was swapped back: \(unchanged.output)")
        }
    }

    /// The other direction, VARCHAR(10) → INT, with a `down` that writes text no INT holds ('n5'): the
    /// sync compares the INT copy with the VARCHAR column as numbers only where the text is a number
    /// ('007' is 7, so the backfill leaves it as written); 'n5' is simply different, where comparing it
    /// as a number failed the new version's next UPDATE (1292 Truncated incorrect DOUBLE value).
    @Test(.enabled(if: DatabaseHarness.shouldRun(.mysql), unavailable(.mysql)))
    func varcharToIntComparesAsNumbersOnlyWhereTheTextIsOne() throws {
        let url = try DatabaseHarness.shared.url(.mysql)
        let server = Server(socket: try #require(URLComponents(string: url)?.queryItems?.first { $0.name == "socket" }?.value))
        let schema = "CREATE TABLE items (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, sku VARCHAR(32) NOT NULL, code VARCHAR(10) DEFAULT NULL) ENGINE=InnoDB;\n"
        let spec = Self.binSpec(down: false)
            .replacingOccurrences(of: "type: VARCHAR(8)", with: "type: INT")
            .replacingOccurrences(of: "column: bin", with: "column: code")
            + "        down: \"CONCAT('n', code)\"\n"
        let (files, old, new) = try Self.binPlan(down: false, spec: spec, schema: schema)
        let cleanup = "DROP DATABASE IF EXISTS \(Self.binApp); DROP DATABASE IF EXISTS \(old); DROP DATABASE IF EXISTS \(new);"
        defer { _ = try? server.sql(cleanup, database: nil) }
        let setup = try server.sql(cleanup + " CREATE DATABASE \(Self.binApp); USE \(Self.binApp);\n" + schema
                                   + "INSERT INTO items (sku, code) VALUES ('padded', '007'), ('seed', '12');", database: nil)
        #expect(setup.status == 0, "\(setup.output)")
        for file in files where ["_preflight_", "_expand_", "_backfill_"].contains(where: file.path.contains) && file.path.hasSuffix(".up.sql") {
            let ran = try server.sql(file.contents, database: Self.binApp)
            #expect(ran.status == 0, "\(file.path): \(ran.output)")
        }
        let written = try server.sql("UPDATE items SET code = 5 WHERE sku = 'seed'; UPDATE items SET code = 6 WHERE sku = 'seed';", database: new)
        #expect(written.status == 0, "the new version's second UPDATE, over 'n5' in the old column: \(written.output)")
        let readOld = try server.sql("SELECT CONCAT(sku, '=', code) FROM items ORDER BY id;", database: old)
        #expect(readOld.output == "padded=007\nseed=n6", "down of each write, and '007' as written: \(readOld.output)")
        let readNew = try server.sql("SELECT CONCAT(sku, '=', code + 0) FROM items ORDER BY id;", database: new)
        #expect(readNew.output == "padded=7\nseed=6", "\(readNew.output)")
    }

    /// VARCHAR(20) → DATETIME with a `down` that writes another date format ('06/12/2026'): compared as
    /// dates only where the text looks like one; before, the new version's next UPDATE failed (1292
    /// Incorrect datetime value: '06/12/2026').
    @Test(.enabled(if: DatabaseHarness.shouldRun(.mysql), unavailable(.mysql)))
    func varcharToDatetimeComparesAsDatesOnlyWhereTheTextIsOne() throws {
        let url = try DatabaseHarness.shared.url(.mysql)
        let server = Server(socket: try #require(URLComponents(string: url)?.queryItems?.first { $0.name == "socket" }?.value))
        let schema = "CREATE TABLE items (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, sku VARCHAR(32) NOT NULL, code VARCHAR(20) DEFAULT NULL) ENGINE=InnoDB;\n"
        let spec = Self.binSpec(down: false)
            .replacingOccurrences(of: "type: VARCHAR(8)", with: "type: DATETIME")
            .replacingOccurrences(of: "column: bin", with: "column: code")
            + "        down: \"DATE_FORMAT(code, '%d/%m/%Y')\"\n"
        let (files, old, new) = try Self.binPlan(down: false, spec: spec, schema: schema)
        let cleanup = "DROP DATABASE IF EXISTS \(Self.binApp); DROP DATABASE IF EXISTS \(old); DROP DATABASE IF EXISTS \(new);"
        defer { _ = try? server.sql(cleanup, database: nil) }
        let setup = try server.sql(cleanup + " CREATE DATABASE \(Self.binApp); USE \(Self.binApp);\n" + schema
                                   + "INSERT INTO items (sku, code) VALUES ('kept', '2026-12-05'), ('seed', '2026-12-01 08:00:00');", database: nil)
        #expect(setup.status == 0, "\(setup.output)")
        for file in files where ["_preflight_", "_expand_", "_backfill_"].contains(where: file.path.contains) && file.path.hasSuffix(".up.sql") {
            let ran = try server.sql(file.contents, database: Self.binApp)
            #expect(ran.status == 0, "\(file.path): \(ran.output)")
        }
        let written = try server.sql("UPDATE items SET code = '2026-12-06 10:00:00' WHERE sku = 'seed'; UPDATE items SET code = '2026-12-07 11:00:00' WHERE sku = 'seed';", database: new)
        #expect(written.status == 0, "the new version's second UPDATE, over '06/12/2026' in the old column: \(written.output)")
        let readOld = try server.sql("SELECT CONCAT(sku, '=', code) FROM items ORDER BY id;", database: old)
        #expect(readOld.output == "kept=2026-12-05\nseed=07/12/2026", "down of each write, and the untouched row as written: \(readOld.output)")
        let readNew = try server.sql("SELECT CONCAT(sku, '=', code) FROM items ORDER BY id;", database: new)
        #expect(readNew.output == "kept=2026-12-05 00:00:00\nseed=2026-12-07 11:00:00", "\(readNew.output)")
    }
}
