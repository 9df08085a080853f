@testable import CutoverProof
import Foundation
import Testing
import CutoverTemplates

/// Issue #14, user trial: after contract's swap the retyped `reviews.rating` (INT NOT NULL in the
/// final shape) is the nullable copy until the NOT NULL step. An insert of NULL there succeeded and
/// then made that step fail. The swap's guard triggers refuse NULL from the swap on with NOT NULL's
/// own error (1048), so the step cannot fail and no statement succeeds that fails afterwards. On a
/// real MariaDB 10.11 with writers of the new version (through `shop_reviews_new`) that insert valid rows
/// and NULL (explicit and omitted) during the swap, the window and the NOT NULL step's rebuild.
extension MySQLVersionSchemaTests {
    @Test(.enabled(if: DatabaseHarness.shouldRun(.mysql), unavailable(.mysql)))
    func noNullLandsBetweenTheSwapAndNotNull() throws {
        let (server, files, folder) = try Self.rolledOut(rows: 2000)
        defer { try? FileManager.default.removeItem(at: folder); _ = try? server.sql(Self.retypeCleanup, database: nil) }
        try Self.runFiles(server, files, [.complete], down: false)
        for (name, part) in [("swap", "rating_swap.up.sql"), ("notnull", "rating_not_null.up.sql")] {
            let file = try #require(files.first { $0.path.contains(part) }, "\(part)")
            try file.contents.write(to: folder.appendingPathComponent("\(name).sql"), atomically: true, encoding: .utf8)
        }
        let runner = Templates.text(.runMysql)
        let start = try #require(runner.range(of: "concurrent() {"))
        let end = try #require(runner.range(of: "\n}\n", range: start.upperBound..<runner.endIndex))
        let function = String(runner[start.lowerBound..<end.upperBound])
        let client = try LocalMariaDBServer.Tools.locate().client
        let script = """
            set -u -o pipefail
            cd '\(folder.path)'
            on() { shift; '\(client)' --no-defaults --user=root --socket='\(server.socket)' --database=\(Self.retypeApp) --batch "$@"; }
            \(function)
            apply() { { printf 'SET @cutover_concurrent = 1;\\n'; cat "$1"; } | on db --unbuffered | concurrent db "$1"; }
            writer() { # $1: name, $2: the statement with $i
              ( i=0; while [ ! -f stop ]; do i=$((i + 1)); eval "echo \\"$2 DO SLEEP(0.002);\\""; done \\
                | '\(client)' --no-defaults --user=root --socket='\(server.socket)' --database=shop_reviews_new --batch --force > /dev/null 2> "$1.err" ) 2>/dev/null &
            }
            writer valid1 'INSERT INTO reviews (rating, title) VALUES ($i, '"'"'valid'"'"');'
            writer valid2 'UPDATE reviews SET rating = $i WHERE id = 1 + $i % 50;'
            sleep 0.3
            failed=0
            apply swap.sql > swap.out 2>&1 || { failed=1; cat swap.out; }
            # From the swap on the column is the final one: the new version's NULLs, explicit and omitted.
            writer null1 'INSERT INTO reviews (rating, title) VALUES (NULL, '"'"'null'"'"');'
            writer null2 'INSERT INTO reviews (title) VALUES ('"'"'omitted'"'"');'
            writer null3 'UPDATE reviews SET rating = NULL WHERE id = 1 + $i % 50;'
            sleep 0.5
            apply notnull.sql > notnull.out 2>&1 || { failed=1; cat notnull.out; }
            sleep 0.3
            touch stop
            wait
            echo "files failed: $failed"
            echo "valid errors: $(cat valid*.err | grep -c 'ERROR')"
            echo "null 1048: $(cat null*.err | grep -c 'ERROR 1048')"
            echo "null other: $(cat null*.err | grep 'ERROR' | grep -v 'ERROR 1048' | grep -vc 'ERROR 1364')"
            cat null*.err | grep ERROR | grep -v "ERROR 1048" | grep -v "ERROR 1364" | sed "s/ at line [0-9]*//" | sort | uniq -c | head -5
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
        #expect(text.contains("files failed: 0"), "the NOT NULL step ran under the writers: \(text)")
        #expect(text.contains("valid errors: 0\n"), "no valid statement failed: \(text)")
        #expect(text.contains("null other: 0\n"), "NULL is refused as NOT NULL refuses it (1048; an omitted column 1364 once NOT NULL is set) and nothing else: \(text)")
        #expect(!text.contains("null 1048: 0\n"), "the NULL writers ran in the window: \(text)")
        let state = try server.sql("""
            SELECT is_nullable FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'reviews' AND column_name = 'rating';
            SELECT COUNT(*) FROM reviews WHERE rating IS NULL;
            SELECT COUNT(*) FROM information_schema.triggers WHERE trigger_schema = DATABASE() AND trigger_name LIKE '%rating_nn%';
            SELECT COUNT(*) > 100 FROM reviews WHERE title = 'valid';
            """, database: Self.retypeApp)
        #expect(state.output == "NO\n0\n0\n1", "NOT NULL set, no NULL row, the guard gone, the valid writers wrote: \(state.output)")
    }
}
