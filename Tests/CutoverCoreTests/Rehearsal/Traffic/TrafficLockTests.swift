@testable import CutoverProof
import Foundation
import Testing

/// The two app versions insert into a join table at the same time, as they do during a rollout.
/// On InnoDB an `INSERT … SELECT … WHERE NOT EXISTS (SELECT … FROM the same table)` takes shared
/// next-key locks on the gap it reads and, under MariaDB's default `innodb_autoinc_lock_mode=1`,
/// a table-level AUTO-INC lock for the whole statement: two such inserts into one gap deadlock
/// (the statement waiting for the AUTO-INC lock is the victim, and MariaDB reports it as `ERROR
/// 1467 Failed to read auto-increment value from storage engine`; with MySQL 8's interleaved mode
/// the two insert-intention waits deadlock as `ERROR 1213`). That is what made `sakila-loyalty`
/// (rental's unique `rental_date, inventory_id, customer_id`) fail one CI run in fourteen. A real
/// app that links two rows checks with a plain read first and then inserts its row: the
/// rehearsal's traffic must do the same, or it reports its own deadlocks as the migration's.
/// The trigger's sleep widens the window between the insert's read and its write, so the race
/// that needs luck in a rehearsal happens within a second here.
@Suite(.serialized) struct TrafficLockTests {
    static let schema = """
        CREATE TABLE lefts (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, name VARCHAR(40) NOT NULL) ENGINE=InnoDB;
        CREATE TABLE rights (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, name VARCHAR(40) NOT NULL) ENGINE=InnoDB;
        CREATE TABLE links (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, left_id INT NOT NULL, right_id INT NOT NULL,
                            linked_at DATETIME NOT NULL, note VARCHAR(20) NULL,
                            UNIQUE KEY links_pair (linked_at, left_id, right_id),
                            CONSTRAINT links_left_fk FOREIGN KEY (left_id) REFERENCES lefts (id),
                            CONSTRAINT links_right_fk FOREIGN KEY (right_id) REFERENCES rights (id)) ENGINE=InnoDB;
        CREATE TRIGGER links_slow BEFORE INSERT ON links FOR EACH ROW SET NEW.note = IF(SLEEP(0.02) = 0, 'linked', NULL);
        """

    @Test(.enabled(if: DatabaseHarness.shouldRun(.mysql), unavailable(.mysql)))
    func bothVersionsLinkRowsWithoutDeadlocks() throws {
        let db = try TrafficDatabase(.mysql, schema: Self.schema)
        defer { db.drop() }
        let shape = try CatalogShapeReader.read(engine: .mysql, session: db.session, tables: nil).excludingInternal()
        _ = try DataSeeder(engine: .mysql).seed(shape: shape, tables: ["lefts", "rights"], rows: 50, session: db.session)
        let versions = ["old", "new"].enumerated().map { index, version in
            let traffic = AppTraffic(version: version, shape: shape, tables: ["links"], engine: .mysql,
                                     connect: { try db.connect() }, lockTimeout: "5s", seed: UInt64(7 + index))
            traffic.pause = 0
            return traffic
        }
        versions.forEach { $0.start() }
        Thread.sleep(forTimeInterval: 3)
        let reports = versions.map { $0.stop() }
        for report in reports {
            let shown = report.failures.prefix(3).map { "\($0.statement) -> \($0.error)" }.joined(separator: " | ")
            #expect(report.failed == 0, "\(report.version): \(report.failed) of \(report.sent) failed: \(shown)")
            #expect((report.writtenKeys["links"] ?? []).count >= 10, "\(report.version) linked rows: \(report.writtenKeys["links"]?.count ?? 0)")
        }
    }
}
