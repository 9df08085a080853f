import Foundation
import Testing

/// The plan README's plain-manifest (kubectl) commands, run where a local equivalent exists: every
/// folder it applies builds with `kubectl kustomize` and holds the Jobs it then waits for, and every
/// image revert works on an object of the shape it names (`kubectl set image --local`,
/// `kubectl patch --local`). Rolling back backfill, complete or contract puts the previous image back
/// after the rollback Jobs, as the Helm rollback does.
@Suite struct KubectlRunbookTests {
    static var kubectl: String? {
        let path = FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/conformance/bin/kubectl").path
        return FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }

    static func run(_ arguments: [String], in folder: URL) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: kubectl!)
        process.arguments = arguments
        process.currentDirectoryURL = folder
        process.environment = ["KUBECONFIG": "/dev/null", "HOME": folder.path, "PATH": "/usr/bin:/bin"]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let errors = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text + errors)
    }

    /// The kubectl lines of each phase's Run and Roll back blocks, by phase title.
    static func sections(_ readme: String) -> [(title: String, run: [String], rollback: [String])] {
        var out: [(String, [String], [String])] = []
        for chunk in readme.components(separatedBy: "\n### ").dropFirst() {
            let title = String(chunk.prefix { $0 != "\n" })
            func block(after marker: String) -> [String] {
                guard let start = chunk.range(of: "\n\(marker)\n\n```sh\n") else { return [] }
                let body = chunk[start.upperBound...].prefix { _ in true }
                let end = body.range(of: "```")?.lowerBound ?? body.endIndex
                let lines = body[..<end].split(separator: "\n").map(String.init)
                // From "# or plain manifests" to the workstation lines.
                guard let from = lines.firstIndex(where: { $0.hasPrefix("# or plain manifests") }) else { return [] }
                return Array(lines[(from + 1)...].prefix { !$0.hasPrefix("# or from a workstation") })
            }
            out.append((title, block(after: "Run:"), block(after: "Roll back:")))
        }
        return out
    }

    func generate(podTemplate: Bool, into sandbox: URL) throws -> String {
        let fixture = TestPaths.fixtures.appendingPathComponent("valid/pg-billing-invoices.yaml")
        var text = try String(contentsOf: fixture, encoding: .utf8)
        if podTemplate { text = text.replacingOccurrences(of: "    healthPath: /healthz\n", with: "    healthPath: /healthz\n    podTemplate: true\n") }
        try text.write(to: sandbox.appendingPathComponent("spec.yaml"), atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(at: TestPaths.fixtures.appendingPathComponent("valid/pg-billing-invoices.schema.sql"),
                                         to: sandbox.appendingPathComponent("pg-billing-invoices.schema.sql"))
        let run = try CLIRun.run(["generate", "spec.yaml", "-o", "out"], currentDirectory: sandbox)
        #expect(run.status == 0, "\(run.stderr)")
        return "out/billing-invoices"
    }

    @Test(arguments: [false, true])
    func everyKubectlCommandRunsLocally(podTemplate: Bool) throws {
        guard Self.kubectl != nil else {
            if ProcessInfo.processInfo.environment["REQUIRE_DB"] == "1" || ProcessInfo.processInfo.environment["CI"] != nil {
                Issue.record("kubectl is missing; run ../shared/conformance/setup")
            }
            return
        }
        let sandbox = TestPaths.temporaryFolder("kubectl-runbook")
        defer { try? FileManager.default.removeItem(at: sandbox) }
        let root = sandbox.appendingPathComponent(try generate(podTemplate: podTemplate, into: sandbox))
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        let sections = Self.sections(readme)
        #expect(sections.count >= 7, "\(sections.map(\.title))")

        var applied = 0, waited = 0, reverted = 0, repointed = 0
        for section in sections {
            for lines in [section.run, section.rollback] {
                var jobs: Set<String> = []
                for line in lines {
                    if line.hasPrefix("# Argo CD: first point the Application at manifests/") {
                        // The folder an Argo CD Application syncs from contract on: it builds, holds the app's
                        // Rollout, and no Job and no hook (a PreSync hook would run again on every sync).
                        let folder = String(line.dropFirst("# Argo CD: first point the Application at ".count).prefix { $0 != " " })
                        #expect(folder == "manifests/after-contract/", "\(line)")
                        #expect(section.run.firstIndex(of: line)! < section.run.firstIndex { $0 == "kubectl apply -k manifests/contract/" }!,
                                "\(section.title): the Application is repointed before contract runs")
                        let built = try Self.run(["kustomize", folder], in: root)
                        #expect(built.status == 0, "\(section.title): kubectl kustomize \(folder): \(built.output)")
                        #expect(built.output.contains("kind: Rollout\n") && built.output.contains("name: invoicing\n"), "\(built.output)")
                        #expect(!built.output.contains("kind: Job\n") && !built.output.contains("argocd.argoproj.io/hook"), "\(built.output)")
                        repointed += 1
                    } else if line.hasPrefix("kubectl apply -k ") {
                        let folder = String(line.dropFirst("kubectl apply -k ".count))
                        let built = try Self.run(["kustomize", folder], in: root)
                        #expect(built.status == 0, "\(section.title): kubectl kustomize \(folder): \(built.output)")
                        jobs = Set(built.output.components(separatedBy: "\n---\n").filter { $0.contains("kind: Job\n") }.compactMap { document in
                            document.split(separator: "\n").first { $0.hasPrefix("  name: ") }.map { String($0.dropFirst("  name: ".count)) }
                        })
                        applied += 1
                    } else if line.hasPrefix("wait_job ") {
                        let job = String(line.dropFirst("wait_job ".count))
                        #expect(jobs.contains(job), "\(section.title): wait_job \(job) after a folder without it (\(jobs.sorted()))")
                        waited += 1
                    } else if line.hasPrefix("kubectl set image deployment/") {
                        // The user's Deployment, with its container named like the app: the revert must find it.
                        let deployment = """
                            apiVersion: apps/v1
                            kind: Deployment
                            metadata: {name: invoicing, namespace: billing}
                            spec:
                              selector: {matchLabels: {app.kubernetes.io/name: invoicing}}
                              template:
                                metadata: {labels: {app.kubernetes.io/name: invoicing}}
                                spec: {containers: [{name: invoicing, image: registry.example/placeholder:0}]}
                            """
                        try deployment.write(to: sandbox.appendingPathComponent("deployment.yaml"), atomically: true, encoding: .utf8)
                        let words = line.replacingOccurrences(of: "\"$PREVIOUS_IMAGE\"", with: "ghcr.io/acme/invoicing:v4.1.0").split(separator: " ").map(String.init)
                        #expect(words[3] == "deployment/invoicing" && words[4] == "--namespace")
                        let local = try Self.run(["set", "image", "--local", "-f", sandbox.appendingPathComponent("deployment.yaml").path, "-o", "yaml"] + words[6...], in: root)
                        let image = try #require(words.last?.split(separator: "=", maxSplits: 1).last)
                        #expect(local.status == 0 && local.output.contains("image: \(image)"), "\(line): \(local.output)")
                        reverted += 1
                    } else if line.hasPrefix("kubectl patch deployment/invoicing --namespace billing -p '") {
                        // With version schemas the revert changes the image and the PGOPTIONS env in one patch,
                        // replacing a literal PGOPTIONS the Deployment had (the API refuses value beside valueFrom).
                        let deployment = """
                            apiVersion: apps/v1
                            kind: Deployment
                            metadata: {name: invoicing, namespace: billing}
                            spec:
                              selector: {matchLabels: {app.kubernetes.io/name: invoicing}}
                              template:
                                metadata: {labels: {app.kubernetes.io/name: invoicing}}
                                spec: {containers: [{name: invoicing, image: registry.example/placeholder:0, env: [{name: PGOPTIONS, value: "-c statement_timeout=5000"}]}]}
                            """
                        try deployment.write(to: sandbox.appendingPathComponent("deployment.yaml"), atomically: true, encoding: .utf8)
                        let patch = try #require(line.range(of: "-p '")).upperBound
                        // The shell joins '…"'IMAGE'"…' into one word: drop the inner quotes as it would.
                        let reverting = line.contains("$PREVIOUS_IMAGE")
                        let json = line[patch...].dropLast().replacingOccurrences(of: "'\"$PREVIOUS_IMAGE\"'", with: "ghcr.io/acme/invoicing:v4.1.0")
                            .replacingOccurrences(of: "'", with: "")
                        let local = try Self.run(["patch", "--local", "-f", sandbox.appendingPathComponent("deployment.yaml").path, "-p", json, "-o", "yaml"], in: root)
                        let image = reverting ? "ghcr.io/acme/invoicing:v4.1.0" : "ghcr.io/acme/invoicing:v4.2.0"
                        let options = reverting ? "old.PGOPTIONS" : "new.PGOPTIONS"
                        #expect(local.status == 0 && local.output.contains("image: \(image)") && local.output.contains(options)
                                && local.output.contains("optional: true") && !local.output.contains("statement_timeout"), "\(line): \(local.output)")
                        if reverting { reverted += 1 }
                    } else if line.hasPrefix("kubectl patch rollouts.argoproj.io invoicing --namespace billing --type json") {
                        let patch = try #require(line.range(of: "-p '")).upperBound
                        let json = line[patch...].dropLast().replacingOccurrences(of: "'\"$PREVIOUS_IMAGE\"'", with: "ghcr.io/acme/invoicing:v4.1.0")
                        let local = try Self.run(["patch", "--local", "-f", "manifests/app/rollout.yaml", "--type", "json", "-p", json, "-o", "yaml"], in: root)
                        #expect(local.status == 0 && local.output.contains("image: ghcr.io/acme/invoicing:v4.1.0"), "\(line): \(local.output)")
                        reverted += 1
                    }
                }
            }
            // Rolling back a phase that ran with the new version serving puts the previous image back after its Jobs.
            if ["3. Backfill", "4. Rollout", "5. Complete", "7. Contract"].contains(where: { section.title.hasPrefix($0) }) {
                let lastJob = section.rollback.lastIndex { $0.hasPrefix("wait_job ") }
                let revert = section.rollback.lastIndex { $0.hasPrefix("kubectl set image deployment/") || $0.hasPrefix("kubectl patch deployment/invoicing --namespace billing -p '") || $0.hasPrefix("kubectl patch rollouts.argoproj.io invoicing --namespace billing --type json") }
                #expect(lastJob != nil && revert != nil && revert! > lastJob!, "\(section.title): \(section.rollback)")
            }
        }
        #expect(applied >= 10 && waited >= 10 && reverted >= 4, "applied \(applied), waited \(waited), reverted \(reverted)")
        #expect(repointed == 1, "the Contract phase tells Argo CD users to sync manifests/after-contract/ (\(repointed))")

        // Leaving the Rollout: the Deployment up before the Rollout goes to 0, and (workloadRef) the
        // controller told not to scale the Deployment down again first; the patch applies to the Rollout.
        let leave = try #require(readme.components(separatedBy: "## Leaving the Rollout\n").dropFirst().first)
        let lines = leave.split(separator: "\n").map(String.init)
        let up = try #require(lines.firstIndex { $0.hasPrefix("kubectl scale deployment/invoicing --namespace billing --replicas 3") })
        let ready = try #require(lines.firstIndex { $0.hasPrefix("kubectl rollout status deployment/invoicing") })
        let down = try #require(lines.firstIndex { $0 == "kubectl scale rollouts.argoproj.io/invoicing --namespace billing --replicas 0" })
        #expect(up < ready && ready < down)
        if !podTemplate {
            let patchLine = try #require(lines.first { $0.hasPrefix("kubectl patch rollouts.argoproj.io/invoicing") })
            #expect(lines.firstIndex(of: patchLine)! < up)
            let json = String(try #require(patchLine.components(separatedBy: "-p '").last).dropLast())
            let local = try Self.run(["patch", "--local", "-f", "manifests/app/rollout.yaml", "--type", "merge", "-p", json, "-o", "yaml"], in: root)
            #expect(local.status == 0 && local.output.contains("scaleDown: never"), "\(local.output)")

            // An HPA of the Deployment follows the Rollout before phase 1 and goes back before the
            // Rollout is scaled to 0: both patches apply to an HPA of the shape the user has.
            let hpa = sandbox.appendingPathComponent("hpa.yaml")
            try """
                apiVersion: autoscaling/v2
                kind: HorizontalPodAutoscaler
                metadata: {name: invoicing, namespace: billing}
                spec:
                  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: invoicing}
                  minReplicas: 3
                  maxReplicas: 10

                """.write(to: hpa, atomically: true, encoding: .utf8)
            let toRollout = try #require(readme.split(separator: "\n").first { $0.hasPrefix("[ -z \"$HPA\" ] || kubectl patch hpa") })
            let back = try #require(lines.firstIndex { $0.hasPrefix("[ -z \"$HPA\" ] || kubectl patch hpa") })
            #expect(ready < back && back < down, "the HPA goes back once the Deployment is ready, before the Rollout is scaled to 0")
            var target = try Self.run(["patch", "--local", "-f", hpa.path, "--type", "merge",
                                       "-p", String(try #require(toRollout.components(separatedBy: "-p '").last).dropLast()), "-o", "yaml"], in: root)
            #expect(target.status == 0 && target.output.contains("kind: Rollout") && target.output.contains("apiVersion: argoproj.io/v1alpha1"), "\(target.output)")
            target = try Self.run(["patch", "--local", "-f", hpa.path, "--type", "merge",
                                   "-p", String(try #require(lines[back].components(separatedBy: "-p '").last).dropLast()), "-o", "yaml"], in: root)
            #expect(target.status == 0 && target.output.contains("kind: Deployment") && target.output.contains("name: invoicing"), "\(target.output)")
        }
    }
    /// The runbook's flag flip, run on the ConfigMap as generated: the go-template builds the merge
    /// patch offline (`kubectl patch --local` with an empty patch), the patch applies locally, and the live file
    /// then holds the state after verify (the flag on). Helm's later upgrades keep it on.
    @Test func featureFlagFlipWorksAndUpgradesKeepIt() throws {
        guard Self.kubectl != nil else { return }
        let sandbox = TestPaths.temporaryFolder("flag-flip")
        defer { try? FileManager.default.removeItem(at: sandbox) }
        let root = sandbox.appendingPathComponent(try generate(podTemplate: false, into: sandbox))
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        let flip = try #require(readme.split(separator: "\n").first { $0.hasPrefix("kubectl patch configmap billing-invoices-flags") }.map(String.init))
        let template = try #require(flip.components(separatedBy: "-o go-template='").last?.components(separatedBy: "')\"").first)
        let file = "manifests/app/configmap-flags.yaml"
        let patch = try Self.run(["patch", "--local", "-f", file, "--type", "merge", "-p", "{}", "-o", "go-template=\(template)"], in: root)
        #expect(patch.status == 0, "\(patch.output)")
        let patched = try Self.run(["patch", "--local", "-f", file, "--type", "merge", "-p", patch.output, "-o", "jsonpath={.data.flags\\.goff\\.yaml}"], in: root)
        let verify = try Self.run(["patch", "--local", "-f", file, "--type", "merge", "-p", "{}", "-o", "jsonpath={.data.flags\\.verify\\.goff\\.yaml}"], in: root)
        #expect(patched.status == 0 && !verify.output.isEmpty && patched.output == verify.output, "\(patched.output)\nvs\n\(verify.output)")
        #expect(verify.output.contains("variation: enabled"))
        // Contract's upgrade renders the flag on; every rollback upgrade renders it off.
        let helm = readme.split(separator: "\n").filter { $0.hasPrefix("helm upgrade ") }
        #expect(helm.filter { $0.contains("phases.contract.enabled=true") }.allSatisfy { $0.contains("--set featureFlag.enabled=true") })
        #expect(helm.filter { $0.contains("rollback.enabled=true") }.allSatisfy { $0.contains("--set featureFlag.enabled=false") })
        #expect(readme.contains("Once this phase passed, turn the feature flag `invoices.due_dates` on"))
    }
}
