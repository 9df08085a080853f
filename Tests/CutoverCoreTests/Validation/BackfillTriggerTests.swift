@testable import CutoverPlan
@testable import CutoverSpec
@testable import CutoverCore
import Foundation
import Testing

/// CUT070: a backfill or copy that updates every row of a table whose BEFORE UPDATE row trigger
/// runs for each of them is warned about, naming the trigger; other triggers are not.
@Suite struct BackfillTriggerTests {
    static let specs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("specs")

    @Test func backfillsAndCopiesNameTheTriggerTheyFire() throws {
        let result = try Compiler().check(fileAt: Self.specs.appendingPathComponent("backfill-fires-app-trigger.yaml").path)
        #expect(!result.hasErrors)
        // Lines 24, 30, 34: addColumn with up, renameColumn, the rewriting type change; not the varchar -> text one.
        // The rewriting type change also warns CUT109 (the new version writes through the old type while the old serves).
        #expect(ValidationHarness.summary(result.diagnostics) == ["CUT070 24:16", "CUT070 30:16", "CUT109 33:7", "CUT070 34:16"])
        let messages = result.diagnostics.filter { $0.rule == .backfillTrigger }.map(\.message)
        #expect(messages[0].contains("'customers_touch' (schema line 18)"))
        #expect(messages[2].contains("'orders_row'"))
        #expect(!messages.joined().contains("orders_total_guard") && !messages.joined().contains("orders_audit")
                && !messages.joined().contains("orders_stamp"))
    }

    @Test func aMySQLBeforeUpdateTriggerIsNamed() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cutover-backfill-trigger-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try """
            CREATE TABLE `nas` (`id` int NOT NULL, `community` varchar(50) DEFAULT NULL, `touched` datetime DEFAULT NULL, PRIMARY KEY (`id`));
            DELIMITER ;;
            /*!50003 CREATE*/ /*!50017 DEFINER=`root`@`localhost`*/ /*!50003 TRIGGER `nas_touch` BEFORE UPDATE ON `nas` FOR EACH ROW SET NEW.touched = NOW() */;;
            DELIMITER ;
            """.write(to: folder.appendingPathComponent("schema.sql"), atomically: true, encoding: .utf8)
        let spec = Snippets.spec(database: Snippets.mysqlDatabase + "    schema: schema.sql\n",
                                 changes: "    - renameColumn:\n        table: nas\n        from: community\n        to: snmp_community\n")
        try spec.write(to: folder.appendingPathComponent("spec.yaml"), atomically: true, encoding: .utf8)
        let result = try Compiler().check(fileAt: folder.appendingPathComponent("spec.yaml").path)
        let warnings = result.diagnostics.filter { $0.rule == .backfillTrigger }
        #expect(warnings.count == 1)
        #expect(warnings.first?.message.contains("'nas_touch'") == true)
        #expect(warnings.first?.message.contains("MySQL cannot turn a trigger off") == true)
    }

    /// sakila (mariadb-dump): every table's last_update is ON UPDATE CURRENT_TIMESTAMP; the backfill
    /// sets it to itself (MySQLStampedColumnTests proves the value stays), so there is nothing to warn of.
    @Test func mysqlOnUpdateCurrentTimestampColumnsAreKept() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cutover-backfill-stamp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.copyItem(at: TestPaths.fixtures.appendingPathComponent("corpus/sakila.mariadb-dump10.11.sql"),
                                         to: folder.appendingPathComponent("schema.sql"))
        let spec = Snippets.spec(database: Snippets.mysqlDatabase + "    schema: schema.sql\n",
                                 changes: "    - renameColumn:\n        table: customer\n        from: email\n        to: email_address\n")
        try spec.write(to: folder.appendingPathComponent("spec.yaml"), atomically: true, encoding: .utf8)
        let result = try Compiler().check(fileAt: folder.appendingPathComponent("spec.yaml").path)
        let warnings = result.diagnostics.filter { $0.rule == .backfillTrigger }
        #expect(warnings.isEmpty, "\(result.diagnostics.map(\.message))")
    }
}
