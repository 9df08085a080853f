@testable import CutoverPlan
@testable import CutoverSpec
@testable import CutoverEmit
import Foundation
import Testing

@Suite struct HelmChartTests {
    let expandContract = KubernetesFixtures.spec(KubernetesFixtures.expandContractYAML)
    let blueGreen = KubernetesFixtures.spec(KubernetesFixtures.blueGreenYAML)

    @Test func valuesHaveOneSwitchPerPhaseWithDestructiveOnesOff() throws {
        let values = ChartValues(KubernetesFixtures.fullPlan(expandContract)).valuesYAML
        #expect(values.contains("  contract:\n    enabled: false\n"))
        #expect(values.contains("  expand:\n    enabled: true\n"))
        #expect(values.contains("  purge:\n    enabled: false\n"))
        #expect(values.contains("rollback:\n  enabled: false\n"))
        let schema = ChartValues(KubernetesFixtures.fullPlan(blueGreen)).schemaJSON
        #expect(schema.contains("\"additionalProperties\": false"))
        #expect(schema.contains("\"enum\": [\n"))
        let parsed = try JSONSerialization.jsonObject(with: Data(schema.utf8))
        #expect(parsed is [String: Any])
    }

    @Test func phaseCommandsUseTheChartSwitchesAndFolders() {
        let plan = KubernetesFixtures.fullPlan(expandContract)
        let contract = PhaseCommands.helm(.contract, plan: plan)
        #expect(contract.run.joined().contains("--set phases.contract.enabled=true"))
        #expect(contract.rollback.joined().contains("--set rollback.enabled=true"))
        // Argo CD users first move the Application off the first stage's hooks (manifests/after-contract/).
        let kubectl = PhaseCommands.kubectl(.contract, plan: plan).run
        #expect(kubectl.first { !$0.hasPrefix("#") } == "kubectl apply -k manifests/contract/")
        #expect(kubectl.first?.contains("manifests/after-contract/") == true, "\(kubectl)")
        let bg = KubernetesFixtures.fullPlan(blueGreen)
        // After a rollback upgrade, a forward upgrade with --reuse-values must not run it again.
        for (plan, phases) in [(plan, Phase.allCases), (bg, Phase.allCases)] {
            for phase in phases {
                for command in PhaseCommands.helm(phase, plan: plan).run where command.contains("--reuse-values") {
                    #expect(command.contains("--set rollback.enabled=false"), "\(phase): \(command)")
                    if plan.spec.strategy == .expandContract {
                        #expect(command.contains("--set rollback.expand=false"), "\(phase): \(command)")
                    }
                }
            }
        }
        #expect(PhaseCommands.helm(.switchover, plan: bg).run.joined().contains("switchover.to=green"))
        #expect(PhaseCommands.helm(.switchover, plan: bg).rollback.joined().contains("switchover.to=blue"))
        // Each command of a blue-green block only after the one before succeeded; cleanup only once Patroni declares no slot it drops.
        let cleanup = PhaseCommands.kubectl(.cleanup, plan: bg).run
        #expect(cleanup.contains("kubectl apply -k manifests/cleanup/ &&"), "\(cleanup)")
        #expect(cleanup.firstIndex { $0.hasPrefix("! {") }.map { $0 < cleanup.firstIndex(of: "kubectl apply -k manifests/cleanup/ &&")! } == true, "\(cleanup)")
    }

    /// Renders the chart with the helm binary `../shared/conformance/setup` installs, with the
    /// default values and with every opt-in switch, and checks which Jobs each rendering holds.
    @Test func helmTemplateRendersEverySwitch() throws {
        let helm = FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/conformance/bin/helm").path
        let environment = ProcessInfo.processInfo.environment
        guard FileManager.default.isExecutableFile(atPath: helm) else {
            if environment["REQUIRE_DB"] == "1" || environment["CI"] != nil {
                Issue.record("helm is missing at \(helm); run ../shared/conformance/setup")
            } else {
                print("SKIPPED helmTemplateRendersEverySwitch: no helm at \(helm) (run ../shared/conformance/setup)")
            }
            return
        }
        let cases: [(MigrationSpec, [String], [String], [String])] = [
            // Each invocation of the runbook, in order (see PhaseCommands).
            (expandContract, [], ["pricing-tiers-expand", "pricing-tiers-backfill"],
             ["pricing-tiers-complete", "pricing-tiers-verify", "pricing-tiers-contract", "pricing-tiers-rollback-expand"]),
            (expandContract, ["phases.preflight.enabled=false", "phases.expand.enabled=false", "phases.backfill.enabled=false", "phases.complete.enabled=true", "phases.verify.enabled=true", "phases.contract.enabled=false", "phases.purge.enabled=false"],
             ["pricing-tiers-complete", "pricing-tiers-verify"], ["pricing-tiers-expand", "pricing-tiers-backfill", "pricing-tiers-contract"]),
            (expandContract, ["phases.preflight.enabled=false", "phases.expand.enabled=false", "phases.backfill.enabled=false", "phases.complete.enabled=false", "phases.verify.enabled=false", "phases.contract.enabled=true", "phases.purge.enabled=false"], ["pricing-tiers-contract"],
             ["pricing-tiers-complete", "pricing-tiers-expand", "pricing-tiers-purge", "pricing-tiers-rollback-contract"]),
            (expandContract, ["phases.preflight.enabled=false", "phases.expand.enabled=false", "phases.backfill.enabled=false", "phases.complete.enabled=false", "phases.verify.enabled=false", "phases.contract.enabled=false", "phases.purge.enabled=true"], ["pricing-tiers-purge"], ["pricing-tiers-contract", "pricing-tiers-expand"]),
            // workloadRef: the image is the Deployment's, reverted with kubectl after this upgrade.
            (expandContract, ["phases.contract.enabled=true", "rollback.enabled=true"],
             ["pricing-tiers-rollback-contract", "pricing-tiers-rollback-complete", "workloadRef:"],
             ["pricing-tiers-rollback-expand", "pricing-tiers-expand\n", "pricing-tiers-contract\n"]),
            (expandContract, ["rollback.enabled=true", "rollback.expand=true"], ["pricing-tiers-rollback-expand"],
             ["pricing-tiers-rollback-contract", "pricing-tiers-rollback-complete", "pricing-tiers-expand\n"]),
            // --reuse-values after a rollback: the forward stage's own switches turn rollback off.
            (expandContract, ["rollback.enabled=true", "rollback.expand=true"]
                + Self.sets(PhaseCommands.helm(.complete, plan: KubernetesFixtures.fullPlan(expandContract)).run[0]),
             ["pricing-tiers-complete", "pricing-tiers-verify"],
             ["pricing-tiers-rollback-expand", "pricing-tiers-rollback-contract", "pricing-tiers-rollback-complete", "pricing-tiers-rollback-backfill"]),
            (blueGreen, [], ["ledger-pg14-schema-load", "ledger-pg14-replicate"], ["ledger-pg14-switchover", "ledger-db-primary"]),
            (blueGreen, ["switchover.to=green"], ["ledger-pg14-switchover", "ledger-pg14-reverse-replication", "cluster-name: ledger-db-green"],
             ["ledger-pg14-switchback"]),
            (blueGreen, ["switchover.to=blue", "phases.cleanup.enabled=true"], ["ledger-pg14-switchback", "ledger-pg14-cleanup"], []),
            // The Service is kept by Helm (uninstall, a run without it); off, the switch's Jobs run without it.
            (blueGreen, ["switchover.to=green"], ["helm.sh/resource-policy: keep"], []),
            // Green declares the way back's slot to Patroni only while switched and not cleaning up.
            (blueGreen, [], ["kind: postgresql"], ["cutover_ledger_pg14_reverse:"]),
            (blueGreen, ["switchover.to=green"], ["slots:\n      cutover_ledger_pg14_reverse:\n        type: logical\n        database: ledger\n        plugin: pgoutput"], []),
            (blueGreen, ["switchover.to=green", "phases.cleanup.enabled=true"], ["kind: postgresql"], ["cutover_ledger_pg14_reverse:"]),
            (blueGreen, ["switchover.to=blue"], ["kind: postgresql"], ["cutover_ledger_pg14_reverse:"]),
            (blueGreen, ["switchover.to=green", "switchover.manageService=false"], ["ledger-pg14-switchover", "ledger-pg14-reverse-replication"],
             ["kind: Service\n", "cluster-name: ledger-db-green\n    spilo-role"]),
        ]
        for (spec, sets, present, absent) in cases {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cutover-helm-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: directory) }
            try KubernetesFixtures.write(HelmChartEmitter().emit(KubernetesFixtures.fullPlan(spec)), to: directory)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: helm)
            process.arguments = ["template", "release", directory.appendingPathComponent("chart").path, "--namespace", spec.metadata.namespace]
                + sets.flatMap { ["--set", $0] }
            let output = Pipe(), errors = Pipe()
            process.standardOutput = output
            process.standardError = errors
            try process.run()
            let rendered = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            let problems = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "\(sets): \(problems)")
            for text in present { #expect(rendered.contains(text), "\(sets): \(text) missing") }
            for text in absent { #expect(!rendered.contains("name: \(text)"), "\(sets): \(text) present") }
            // Argo's {{args.x}} and SQL braces come through as text. Each Job's ConfigMap holds only
            // its own files, and only the up files of the fixture plans have braces.
            #expect(!rendered.contains("{{`"))
            if rendered.contains(".up.sql: |") { #expect(rendered.contains("{{ not a template }}"), "\(sets)") }
        }
    }

    /// The `--set` values of one runbook command, in order.
    static func sets(_ command: String) -> [String] {
        let words = command.split(separator: " ").map(String.init)
        return words.indices.filter { words[$0] == "--set" && $0 + 1 < words.count }.map { words[$0 + 1] }
    }

    /// With CUTOVER_K8S_DUMP=<dir>, writes the full-plan output of both fixtures there, for running
    /// ../shared/conformance/check-manifests on Jobs of every phase.
    @Test func dumpFullPlans() throws {
        guard let path = ProcessInfo.processInfo.environment["CUTOVER_K8S_DUMP"] else { return }
        for spec in [expandContract, blueGreen] {
            try KubernetesFixtures.write(KubernetesFixtures.files(KubernetesFixtures.fullPlan(spec)),
                                         to: URL(fileURLWithPath: path).appendingPathComponent(spec.name))
        }
    }
}
