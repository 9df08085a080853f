@testable import CutoverPlan
@testable import CutoverSpec
@testable import CutoverEmit
@testable import CutoverCore
import Foundation

/// Specs and hand-built plans for the Kubernetes and Helm emitter tests: the planner may still return
/// phases without steps, so these plans put steps in every phase.
enum KubernetesFixtures {
    static let expandContractYAML = """
        apiVersion: cutover.dev/v1alpha1
        kind: Migration
        metadata:
          name: pricing-tiers
          namespace: billing
          labels:
            team: analytics
        spec:
          strategy: expand-contract
          database:
            engine: postgresql
            version: "15"
            operator: zalando
            cluster: billing-db
            name: billing
            credentialsSecret: billing-db-credentials
          app:
            name: webapp
            image: ghcr.io/acme/webapp:v2.3.1
            replicas: 6
            port: 8080
          runner:
            tool: psql
            deadline: 10m
          changes:
            - addColumn:
                table: pricing
                column:
                  name: tier
                  type: text
                  nullable: true
          rollout:
            steps:
              - setWeight: 20
              - pause: 2m
            analysis:
              prometheus: http://prometheus.monitoring.svc:9090
              maxReplicationLagSeconds: 5
              maxErrorRatio: 0.0005
          featureFlag:
            key: new_pricing
          snapshot:
            volumeSnapshotClass: csi-snapclass
          verify:
            checksum:
              tables: [pricing]
        """

    static let blueGreenYAML = """
        apiVersion: cutover.dev/v1alpha1
        kind: Migration
        metadata:
          name: ledger-pg14
          namespace: database
        spec:
          strategy: blue-green
          database:
            engine: postgresql
            version: "13"
            operator: zalando
            cluster: ledger-db
            name: ledger
            credentialsSecret: ledger-db-credentials
          target:
            cluster: ledger-db-green
            version: "14"
            instances: 2
            volume:
              size: 100Gi
              storageClass: fast-ssd
            resources:
              requests:
                memory: 1Gi
                cpu: 500m
          replication: logical
          app:
            name: ledger-api
            image: ghcr.io/acme/ledger-api:v7.1.0
            replicas: 3
            port: 8080
          switchover:
            service: ledger-db-primary
            maxReplicationLagSeconds: 2
          snapshot:
            volumeSnapshotClass: csi-snapclass
          rollout:
            steps:
              - setWeight: 10
              - pause: 10m
            analysis:
              prometheus: http://prometheus.monitoring.svc:9090
              maxReplicationLagSeconds: 2
              maxErrorRatio: 0.0005
          verify:
            checksum:
              tables: [accounts, entries]
        """

    static func spec(_ yaml: String, replacing replacements: [(String, String)] = []) -> MigrationSpec {
        var text = yaml
        for (old, new) in replacements { text = text.replacingOccurrences(of: old, with: new) }
        let result = Compiler().check(Array(text.utf8), path: "fixture.yaml")
        guard let validated = result.validated, !result.hasErrors else {
            fatalError("fixture spec does not validate: \(result.diagnostics.map(\.message))")
        }
        return validated.spec
    }

    /// A plan with two steps in every phase that can hold SQL; blue-green steps alternate sides.
    static func fullPlan(_ spec: MigrationSpec) -> MigrationPlan {
        let phases = PhaseCatalog.phases(for: spec) + (spec.strategy == .expandContract && !spec.purge
            ? [PlanPhase(phase: .purge, title: "Purge", summary: "Drop quarantined columns.", enabledByDefault: false)] : [])
        var steps: [PlanStep] = []
        for phase in phases.map(\.phase) where phase != .rollout && phase != .provision {
            for index in 1...2 {
                let number = steps.count + 1
                let side: DatabaseSide? = spec.strategy == .blueGreen ? (index == 1 ? .blue : .green) : nil
                steps.append(PlanStep(
                    number: number, phase: phase, slug: "step_\(index)", title: "\(phase.rawValue) step \(index)", changeIndex: nil,
                    side: side,
                    up: SQLScript([SQLStatement("SELECT '{{ not a template }}' AS up_\(number);", comment: "up of \(number)")]),
                    down: SQLScript([SQLStatement("SELECT \(number) AS down;")]),
                    reversible: phase != .purge))
            }
        }
        return MigrationPlan(spec: spec, schema: nil, phases: phases, steps: steps)
    }

    static func emptyPlan(_ spec: MigrationSpec) -> MigrationPlan {
        MigrationPlan(spec: spec, schema: nil, phases: PhaseCatalog.phases(for: spec), steps: [])
    }

    static func files(_ plan: MigrationPlan) -> [OutputFile] {
        (HelmChartEmitter().emit(plan) + ManifestsEmitter().emit(plan)).sorted { $0.path < $1.path }
    }

    static func write(_ files: [OutputFile], to directory: URL) throws {
        for file in files {
            let url = directory.appendingPathComponent(file.path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(file.contents.utf8).write(to: url)
        }
    }
}
