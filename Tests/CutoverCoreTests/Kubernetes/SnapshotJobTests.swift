@testable import CutoverPlan
@testable import CutoverSpec
@testable import CutoverEmit
import CutoverTemplates
import Foundation
import Testing

/// The expand-contract snapshot: one per migration, of the primary's volume, taken by a Job before
/// any DDL and waited for until readyToUse; never an object a hook policy or a prune could replace.
@Suite struct SnapshotJobTests {
    static let spec = KubernetesFixtures.spec(KubernetesFixtures.expandContractYAML)

    @Test func noToolOwnsTheSnapshotAndTheJobRunsBeforeAnyDDL() throws {
        let plan = KubernetesFixtures.fullPlan(Self.spec)
        for target in [DeliveryLayout.Target.chart, .manifests] {
            let items = DeliveryLayout(plan, for: target).items
            // A VolumeSnapshot hook would be deleted and retaken by every upgrade or sync.
            #expect(!items.contains { $0.object.kind == "VolumeSnapshot" }, "\(target)")
            let job = try #require(items.first { $0.object.metadata.name == "pricing-tiers-snapshot" && $0.object.kind == "Job" })
            let ddl = items.filter { $0.job != nil }.map(\.ordering.weight)
            #expect(ddl.allSatisfy { job.ordering.weight < $0 }, "the snapshot Job runs before every other Job")
            #expect(job.ordering.stage == .pre && job.chartGuard == ".Values.snapshot.enabled")
            // kubectl: in the first forward folder, with the objects it needs.
            let first = try #require(items.first { $0.job?.folder?.inDefaultSync == true }?.job?.folder)
            for kind in ["ServiceAccount", "Role", "RoleBinding", "ConfigMap", "NetworkPolicy", "Job"] {
                #expect(items.contains { $0.object.kind == kind && $0.object.metadata.name.hasPrefix("pricing-tiers-snapshot") && $0.folder == first },
                        "\(kind) in \(first)")
            }
        }
        let kubectl = PhaseCommands.kubectl(.preflight, plan: plan).run + PhaseCommands.kubectl(.expand, plan: plan).run
        #expect(kubectl.contains("wait_job pricing-tiers-snapshot"))
    }

    @Test func roleIsLeastPrivilege() {
        let role = SnapshotBuilder(Self.spec).role
        #expect(role.rules == [
            Role.Rule(apiGroup: "snapshot.storage.k8s.io", resource: "volumesnapshots", verbs: ["get"], resourceNames: ["pricing-tiers-snapshot"]),
            Role.Rule(apiGroup: "snapshot.storage.k8s.io", resource: "volumesnapshots", verbs: ["create"]),
            Role.Rule(apiGroup: "", resource: "endpoints", verbs: ["get"], resourceNames: ["billing-db"]),
        ])
        // A claim given in the spec needs no primary lookup.
        let named = KubernetesFixtures.spec(KubernetesFixtures.expandContractYAML, replacing: [("volumeSnapshotClass: csi-snapclass", "volumeSnapshotClass: csi-snapclass\n    persistentVolumeClaim: pgdata-billing-db-2")])
        #expect(SnapshotBuilder(named).primary == nil)
        #expect(!SnapshotBuilder(named).role.rules.contains { $0.resource == "endpoints" })
        // Only this pod carries a token, and the runner policies do not select it.
        let job = SnapshotBuilder(Self.spec).job
        #expect(job.template.spec.volumes.contains { $0.source == .serviceAccountToken(expirationSeconds: 3600) })
        #expect(!job.template.labels.contains(KeyValue("app.kubernetes.io/name", "cutover")))
        #expect(job.activeDeadlineSeconds == PhaseCommands.jobDeadlineSeconds(Self.spec))
    }

    struct Outcome { var status: Int32; var output: String; var calls: [String] }

    /// Runs take-snapshot.sh under /bin/sh with a fake kubectl: `exists` says whether the snapshot
    /// is there already, `states` are the readyToUse|error answers in turn.
    static func run(exists: Bool, primary: String = "billing-db-1", states: [String]) throws -> Outcome {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cutover-snapshot-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try (states.joined(separator: "\n") + "\n").write(to: directory.appendingPathComponent("states"), atomically: true, encoding: .utf8)
        try "0\n".write(to: directory.appendingPathComponent("n"), atomically: true, encoding: .utf8)
        let fake = """
            kubectl() {
              echo "kubectl $*" >> "$D/calls"
              case "$1 $2" in
                "get volumesnapshot")
                  case "$*" in
                    *--ignore-not-found*) [ "\(exists)" = true ] && echo volumesnapshot.snapshot.storage.k8s.io/$SNAPSHOT_NAME; return 0 ;;
                  esac
                  n=$(($(cat "$D/n") + 1)); echo "$n" > "$D/n"
                  total=$(wc -l < "$D/states"); [ "$n" -gt "$total" ] && n=$total
                  printf '%s' "$(sed -n "${n}p" "$D/states")" ;;
                "get endpoints") printf '%s' "\(primary)" ;;
                "patch --local") printf 'claim: %s\\n' "$(echo "$*" | sed 's/.*persistentVolumeClaimName":"\\([^"]*\\)".*/\\1/')" ;;
                "create -f") cat >> "$D/created" ;;
              esac
            }
            sleep() { :; }
            """
        let script = Templates.text(.takeSnapshot).replacingOccurrences(of: "set -eu\n", with: "set -eu\n\(fake)\n")
        let environment = "D='\(directory.path)' SNAPSHOT_NAME=pricing-tiers-snapshot SNAPSHOT_CLAIM=pgdata-billing-db-0 PRIMARY_ENDPOINTS=billing-db CLAIM_PREFIX=pgdata- READY_TIMEOUT=20"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
        process.arguments = ["20", "/bin/sh", "-c", "export \(environment)\n\(script)"]
        let pipe = Pipe()
        process.standardError = pipe
        process.standardOutput = pipe
        try process.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let calls = (try? String(contentsOf: directory.appendingPathComponent("calls"), encoding: .utf8)) ?? ""
        let created = (try? String(contentsOf: directory.appendingPathComponent("created"), encoding: .utf8)) ?? ""
        return Outcome(status: process.terminationStatus, output: text + created, calls: calls.split(separator: "\n").map(String.init))
    }

    @Test func takesThePrimarysVolumeOnceAndWaitsUntilReady() throws {
        let first = try Self.run(exists: false, states: ["|", "false|", "true|"])
        #expect(first.status == 0, "\(first.output)")
        #expect(first.output.contains("claim: pgdata-billing-db-1"), "the primary's claim, not pod 0's: \(first.output)")
        #expect(first.calls.filter { $0.hasPrefix("kubectl get volumesnapshot pricing-tiers-snapshot -o jsonpath") }.count == 3)

        let again = try Self.run(exists: true, states: ["true|"])
        #expect(again.status == 0)
        #expect(!again.calls.contains { $0.hasPrefix("kubectl create") || $0.hasPrefix("kubectl patch") }, "an existing snapshot is never replaced")
        #expect(again.output.contains("exists (taken once per migration): kept"))
    }

    @Test func failsOnASnapshotErrorOrNoPrimaryOrTheDeadline() throws {
        let failed = try Self.run(exists: false, states: ["false|volume is busy"])
        #expect(failed.status == 1 && failed.output.contains("failed: volume is busy"))
        let noPrimary = try Self.run(exists: false, primary: "", states: ["true|"])
        #expect(noPrimary.status == 1 && noPrimary.output.contains("no primary pod behind Service billing-db"))
        #expect(!noPrimary.calls.contains { $0.hasPrefix("kubectl create") })
        let slow = try Self.run(exists: true, states: ["false|"])
        #expect(slow.status == 1 && slow.output.contains("not readyToUse after 20s"), "\(slow.output)")
    }
}
