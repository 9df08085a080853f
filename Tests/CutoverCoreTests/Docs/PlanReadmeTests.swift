@testable import CutoverPlan
@testable import CutoverEmit
@testable import CutoverCore
import Foundation
import Testing

/// The runbook's commands are pasted into a shell: placeholders must be shell values, and every
/// `# heading` of a command block must head at least one command.
@Suite struct PlanReadmeTests {
    static func readme(_ example: String) throws -> String {
        let path = TestPaths.examples.appendingPathComponent(example).path
        let validated = try #require(try Compiler().check(fileAt: path).validated)
        let compiler = Compiler()
        let files = compiler.emit(compiler.plan(validated))
        return try #require(files.first { $0.path == "README.md" }).contents
    }

    /// Zalando's master Service has no selector (Patroni writes its Endpoints), and kubectl refuses to
    /// port-forward to such a Service: the tunnel goes to the master pod.
    @Test func theTunnelReachesZalandosMasterPod() throws {
        let readme = try Self.readme("pricing-tiers.yaml")
        #expect(readme.contains("kubectl port-forward --namespace billing \"$(kubectl get pods --namespace billing -l application=spilo,cluster-name=billing-db,spilo-role=master -o name)\" 5432:5432 &"))
        #expect(!readme.contains("port-forward --namespace billing svc/"))
    }

    /// Followed top to bottom, the runbook's Run blocks give each forward invocation once: phases
    /// that are hooks of one `helm upgrade` (preflight, expand, backfill; complete and verify; the
    /// blue-green stages) point at it instead of repeating it.
    @Test func eachForwardInvocationIsGivenOnce() throws {
        for example in ["pricing-tiers.yaml", "orders-customer-ref.yaml", "ledger-pg14.yaml"] {
            let readme = try Self.readme(example)
            var runs: [String] = []
            for block in readme.components(separatedBy: "Run:\n\n```sh\n").dropFirst() {
                let body = block.components(separatedBy: "```")[0]
                runs += body.split(separator: "\n").map(String.init).filter { $0.hasPrefix("helm upgrade") || $0.hasPrefix("kubectl apply -k") }
            }
            #expect(!runs.isEmpty, "\(example)")
            #expect(Set(runs).count == runs.count, "\(example): \(runs.filter { line in runs.filter { $0 == line }.count > 1 })")
            #expect(readme.contains("# already run"), "\(example)")
        }
    }

    @Test func rollbacksUseTheExportedPreviousImage() throws {
        let readme = try Self.readme("pricing-tiers.yaml")
        #expect(!readme.contains("=<previous"), "a pasted <previous … is a shell redirect")
        // pricing-tiers has version schemas: the image and the schema's PGOPTIONS go back together.
        #expect(readme.contains("kubectl patch deployment/webapp --namespace billing -p '{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"webapp\",\"image\":\"'\"$PREVIOUS_IMAGE\"'\",\"env\":[{\"name\":\"PGOPTIONS\",\"valueFrom\":{\"configMapKeyRef\":{\"name\":\"pricing-tiers-version-schemas\",\"key\":\"old.PGOPTIONS\",\"optional\":true}}}]}]}}}}'\n"))
        #expect(readme.contains("\"key\":\"new.PGOPTIONS\""))
        // With a pod template of cutover's own the chart sets the image; plan.json keeps the shell value.
        let spec = KubernetesFixtures.spec(KubernetesFixtures.expandContractYAML,
                                           replacing: [("    name: webapp\n", "    name: webapp\n    podTemplate: true\n")])
        #expect(spec.app.podTemplate)
        let plan = KubernetesFixtures.fullPlan(spec)
        let rollback = PhaseCommands.helm(.contract, plan: plan).rollback.joined(separator: "\n")
        #expect(rollback.contains("--set app.image=\"$PREVIOUS_IMAGE\" "))
        #expect(!rollback.contains("<previous"))
        #expect(DeliveryPlan(plan: plan).helm.rollback.first?.set?["app.image"] == "$PREVIOUS_IMAGE")
        #expect(!PhaseCommands.kubectl(.contract, plan: plan).rollback.joined().contains("<previous"))
    }

    /// Every wait after an image change (the new version, the revert) waits for a pod hash other than
    /// the one read just before the change, not the previous Healthy status.
    @Test func waitsAfterAnImageChangeWaitForTheNewRevision() throws {
        let validated = try #require(try Compiler().check(fileAt: TestPaths.examples.appendingPathComponent("pricing-tiers.yaml").path).validated)
        let plan = Compiler().plan(validated)
        for commands in [PhaseCommands.helm(.rollout, plan: plan), PhaseCommands.kubectl(.rollout, plan: plan),
                         PhaseCommands.helm(.expand, plan: plan), PhaseCommands.kubectl(.expand, plan: plan)] {
            for lines in [commands.run, commands.rollback] {
                for (index, line) in lines.enumerated() where line.hasPrefix("kubectl set image") || line.hasPrefix("kubectl patch deployment/") {
                    #expect(index > 0 && lines[index - 1].hasPrefix("OLD_POD_HASH=$(kubectl get rollouts.argoproj.io webapp"), "\(line)")
                    #expect(lines[(index + 1)...].contains("wait_rollout webapp \"$OLD_POD_HASH\"") || lines == commands.rollback, "\(lines)")
                }
            }
        }
        // The expand downs wait for the reverted revision.
        #expect(PhaseCommands.helm(.expand, plan: plan).rollback.contains("wait_rollout webapp \"$OLD_POD_HASH\""))
        #expect(PhaseCommands.kubectl(.expand, plan: plan).rollback.contains("wait_rollout webapp \"$OLD_POD_HASH\""))
        #expect(PhaseCommands.helm(.contract, plan: plan).rollback.contains { $0.hasPrefix("OLD_POD_HASH=") })
    }

    /// `app.versionSchemas: none` keeps the tables for both versions: no schema steps, no ConfigMap,
    /// the plain image change, and the runbook says what the new version may not rely on.
    @Test func versionSchemasCanBeTurnedOff() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cutover-noviews-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let yaml = try String(contentsOf: TestPaths.examples.appendingPathComponent("pricing-tiers.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "    port: 8080\n", with: "    port: 8080\n    versionSchemas: none\n")
            .replacingOccurrences(of: "  changes:\n", with: "  changes:\n    - alterColumn: {table: pricing, column: amount, type: bigint}\n")
        try yaml.write(to: folder.appendingPathComponent("pricing-tiers.yaml"), atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(at: TestPaths.examples.appendingPathComponent("pricing-tiers.schema.sql"),
                                         to: folder.appendingPathComponent("pricing-tiers.schema.sql"))
        let validated = try #require(try Compiler().check(fileAt: folder.appendingPathComponent("pricing-tiers.yaml").path).validated)
        #expect(!validated.spec.app.versionSchemas)
        let plan = Compiler().plan(validated)
        #expect(!plan.steps.contains { $0.slug.contains("version_schemas") })
        #expect(VersionSchemaSelection.schemas(plan) == nil)
        let files = Compiler().emit(plan)
        #expect(!files.contains { $0.path.contains("version-schemas") })
        let readme = try #require(files.first { $0.path == "README.md" }).contents
        #expect(readme.contains("Off (`app.versionSchemas: none`"))
        #expect(readme.contains("`pricing.amount` keeps the old type under the name"))
        #expect(readme.contains("kubectl set image deployment/webapp --namespace billing webapp=ghcr.io/acme/webapp:v2.3.1\n"))
    }

    @Test func commandBlocksHaveNoEmptyHeadings() throws {
        for example in ["pricing-tiers.yaml"] + TestPaths.exampleSpecs.map(\.lastPathComponent) {
            let readme = try Self.readme(example)
            let lines = readme.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            let headings: Set<String> = ["# Helm", "# or Helm", "# plain manifests", "# or plain manifests",
                                         "# plain manifests (Argo CD or kubectl)", "# or plain manifests (Argo CD or kubectl)"]
            for (index, line) in lines.enumerated() where headings.contains(line) || line.hasPrefix("# or from a workstation") {
                let next = index + 1 < lines.count ? lines[index + 1] : ""
                #expect(!headings.contains(next) && !next.hasPrefix("# or from") && next != "```", "\(example): empty '\(line)'")
            }
            #expect(!readme.contains("```sh\n# or "), "\(example): a block starts with 'or'")
        }
        let preflight = PlanReadme.block([("Helm", []), ("plain manifests", []), ("from a workstation, in reverse order", ["psql …"])])
        #expect(preflight == ["# from a workstation, in reverse order", "psql …"])
    }
}
