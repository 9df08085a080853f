@testable import CutoverProof
import Foundation
import Testing

/// What makes a rehearsal faster must not change where it writes or what it reports.
@Suite struct RehearsalSpeedTests {
    @Test func scratchGoesToTmpfsOnlyWhenTheUserChoseNoTMPDIR() {
        let chosen = RehearsalEnvironment.scratchEnvironment(rows: 100_000, keep: false, environment: ["TMPDIR": "/var/tmp"])
        #expect(chosen["TMPDIR"] == "/var/tmp")
        let kept = RehearsalEnvironment.scratchEnvironment(rows: 100_000, keep: true, environment: [:])
        #expect(kept["TMPDIR"] == nil)
        // A folder that is no tmpfs mount point is never picked.
        let notTmpfs = RehearsalEnvironment.scratchEnvironment(rows: 100_000, keep: false, environment: [:], memory: "/work")
        #expect(notTmpfs["TMPDIR"] == nil)
        // More rows than any memory holds: the disk.
        let huge = RehearsalEnvironment.scratchEnvironment(rows: Int(Int32.max), keep: false, environment: [:])
        #expect(huge["TMPDIR"] == nil)
    }

    @Test func tmpfsIsPickedWhenThereIsRoom() throws {
        let mounts = (try? String(contentsOfFile: "/proc/self/mounts", encoding: .utf8)) ?? ""
        let shm = mounts.split(separator: "\n").contains { $0.split(separator: " ").count > 2 && $0.split(separator: " ")[1] == "/dev/shm" && $0.split(separator: " ")[2] == "tmpfs" }
        var info = statvfs()
        guard shm, statvfs("/dev/shm", &info) == 0, UInt64(info.f_bavail) * UInt64(info.f_frsize) > (3 << 30) else { return }
        let picked = RehearsalEnvironment.scratchEnvironment(rows: 1_000, keep: false, environment: ["PATH": "/usr/bin"])
        #expect(picked["TMPDIR"] == "/dev/shm")
        #expect(picked["PATH"] == "/usr/bin")
    }

    @Test func concurrentRendersKeepTheStageOrder() {
        let results = Rehearsal.concurrently(37) { index -> Int in
            usleep(useconds_t((37 - index) * 200))
            return index * index
        }
        #expect(results == (0..<37).map { $0 * $0 })
    }

    @Test func timingsAreSummedPerPartAndInTheJSON() throws {
        var report = RehearsalReport(spec: "s", engine: "postgresql", strategy: "expand-contract", rows: 10)
        report.time("jobs", 1.25)
        report.time("seed", 0.5)
        report.time("jobs", 2.0)
        #expect(report.timings.map(\.name) == ["jobs", "seed"])
        #expect(report.timings[0].seconds == 3.25)
        report.seconds = 4
        let json = report.renderJSON()
        let decoded = try JSONDecoder().decode(RehearsalReport.self, from: Data(json.utf8))
        #expect(decoded.timings == report.timings)
        #expect(report.renderText(timings: true).contains("(other)"))
        #expect(!report.renderText().contains("timings:"))
    }
}
