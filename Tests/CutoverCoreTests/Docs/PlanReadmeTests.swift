@testable import CutoverPlan
@testable import CutoverSpec
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
        #expect(readme.contains("kubectl patch deployment/webapp --namespace billing -p '{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"webapp\",\"image\":\"'\"$PREVIOUS_IMAGE\"'\",\"env\":[{\"name\":\"PGOPTIONS\",\"value\":null,\"valueFrom\":{\"configMapKeyRef\":{\"name\":\"pricing-tiers-version-schemas\",\"key\":\"old.PGOPTIONS\",\"optional\":true}}}]}]}}}}'\n"))
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

    /// What the blue-green workstation commands read.
    static let workstationVariables = ["BLUE_URL", "BLUE_ADMIN_URL", "GREEN_URL", "APP_ROLE", "BLUE_CONNINFO", "GREEN_CONNINFO"]

    /// The README of a spec file (examples or fixtures).
    static func readme(path: URL) throws -> String {
        let validated = try #require(try Compiler().check(fileAt: path.path).validated)
        let compiler = Compiler()
        return try #require(compiler.emit(compiler.plan(validated)).first { $0.path == "README.md" }).contents
    }

    /// The blue-green README's command blocks after `header` ("Run:", "Roll back:", "From a workstation:"),
    /// each split into its alternatives (at "# Helm" and "# or …" lines).
    static func blocks(_ readme: String, after header: String) -> [[String]] {
        var out: [[String]] = []
        for chunk in readme.components(separatedBy: "\n\(header)\n\n```sh\n").dropFirst() {
            let lines = chunk.components(separatedBy: "\n```")[0].split(separator: "\n").map(String.init)
            var current: [String] = []
            for line in lines {
                if line == "# Helm" || line.hasPrefix("# or ") {
                    if !current.isEmpty { out.append(current) }
                    current = []
                } else {
                    current.append(line)
                }
            }
            if !current.isEmpty { out.append(current) }
        }
        return out
    }

    /// Runs LINES under /bin/sh with stub `helm` (fails), `kubectl` (every Job reads Failed, so
    /// `wait_job` fails; the rest succeeds) and `psql` (a step file, `-f`, fails; a query succeeds and
    /// prints nothing), the runbook's wait functions and `variables` exported. Returns the stubs' calls.
    static func runStubbed(_ lines: [String], variables: Bool = true) throws -> (calls: [String], status: Int32, errors: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cutover-block-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try "".write(to: directory.appendingPathComponent("log"), atomically: true, encoding: .utf8)
        let exports = variables ? Self.workstationVariables.map { "export \($0)=postgresql://stub" }.joined(separator: "\n") : ""
        let script = """
            D='\(directory.path)'
            NAMESPACE=database
            \(exports)
            log() { printf '%s\\n' "$*" >> "$D/log"; }
            helm() { log "helm $*"; return 1; }
            kubectl() { log "kubectl $*"; [ "$1 $2" = "get job" ] && printf 'Failed '; return 0; }
            psql() { log "psql $*"; case " $* " in *" -f "*) return 1 ;; esac; return 0; }
            sleep() { :; }
            \(PlanReadme.waitFunctions)
            \(lines.joined(separator: "\n"))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
        process.arguments = ["20", "/bin/sh", "-c", script]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = Pipe()
        try process.run()
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let calls = try String(contentsOf: directory.appendingPathComponent("log"), encoding: .utf8).split(separator: "\n").map(String.init)
        return (calls, process.terminationStatus, text)
    }

    /// Issue #10 review (MUST-FIX 5): in every blue-green Run and Roll back block (each alternative:
    /// Helm, plain manifests), nothing runs after a Helm run or a Job's wait that failed: after a failed
    /// switch the Service never moves and the app does not restart; in every workstation block no step
    /// file runs after one that failed. Before, each line ran on its own: the Service was applied and
    /// the app restarted after the switchover Job had failed.
    @Test(arguments: ["ledger-pg14.yaml", "fixtures/valid/pg-ledger-blue-green.yaml"])
    func blueGreenBlocksStopAtTheFirstFailure(spec: String) throws {
        let readme = try Self.readme(path: spec.hasPrefix("fixtures/") ? TestPaths.fixtures.appendingPathComponent(String(spec.dropFirst("fixtures/".count)))
                                                                         : TestPaths.examples.appendingPathComponent(spec))
        var checked = 0
        for header in ["Run:", "Roll back:"] {
            for lines in Self.blocks(readme, after: header) where lines.contains(where: { !$0.hasPrefix("#") }) {
                let run = try Self.runStubbed(lines)
                let failure = run.calls.firstIndex { $0.hasPrefix("helm ") || $0.hasPrefix("kubectl logs ") }
                guard let failure else {
                    #expect(!lines.contains { $0.hasPrefix("helm ") || $0.hasPrefix("wait_job ") }, "\(spec): no failure reached: \(lines) \(run.calls)")
                    continue
                }
                #expect(failure == run.calls.count - 1, "\(spec) \(header) ran after a failure: \(run.calls[failure...]) of \(lines)")
                checked += 1
            }
        }
        for lines in Self.blocks(readme, after: "From a workstation:") {
            let run = try Self.runStubbed(lines)
            let files = run.calls.filter { $0.hasPrefix("psql ") && $0.contains(" -f ") }
            #expect(files.count <= 1, "\(spec): a step file ran after one that failed: \(files)")
            if !files.isEmpty { checked += 1 }
        }
        #expect(checked >= 10, "\(spec): \(checked) blocks checked")
        // The kubectl switch: the Service's apply and the restart come only after the switchover Job
        // succeeded; reverse-replication runs after the Service moved (S1a), last.
        if spec == "ledger-pg14.yaml" {
            #expect(readme.contains("wait_job ledger-pg14-switchover &&\nkubectl apply -k manifests/switchover/ --selector app.kubernetes.io/component!=reverse-replication &&\n"))
            #expect(readme.contains("kubectl apply -k manifests/switchover/ &&\nwait_job ledger-pg14-reverse-replication\n"))
        }
    }

    /// Issue #10 review (SHOULD): the README says how to set every workstation variable (from which
    /// Secret, through port-forwards to blue and green), and a workstation block run without them
    /// fails naming the variable instead of connecting elsewhere or quietly doing nothing.
    @Test func workstationCommandsRefuseUnsetVariables() throws {
        let readme = try Self.readme("ledger-pg14.yaml")
        for name in Self.workstationVariables { #expect(readme.contains("export \(name)=\""), "\(name) is never set") }
        #expect(readme.contains("cluster-name=ledger-db-green,spilo-role=master -o name)\" 25432:5432 &"))
        #expect(readme.contains("postgres.ledger-db-green.credentials.postgresql.acid.zalan.do"))
        var blocks = 0
        for lines in Self.blocks(readme, after: "From a workstation:") {
            let run = try Self.runStubbed(lines, variables: false)
            #expect(!run.calls.contains { $0.hasPrefix("psql") }, "psql ran without its variables: \(run.calls)")
            #expect(run.errors.contains("first: see phase 1"), "\(lines): \(run.errors)")
            blocks += 1
        }
        #expect(blocks >= 6)
    }
}
