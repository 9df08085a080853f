import Foundation
import Testing

/// `check-manifests` passes on the chart as rendered with every combination of switches the runbook
/// uses, not only the defaults it renders itself, and on every `manifests/` folder: for each example,
/// the values of each Helm stage of plan.json's `delivery` as `--reuse-values` accumulates them
/// (forward, then the rollback from where forward ended), and the `--set` switches of each `helm
/// upgrade` line of the plan README on the chart's defaults (purge, which no delivery stage runs,
/// included). The list is in docs/architecture.md ("Chart switch combinations checked").
@Suite struct ChartSwitchCombinationTests {
    static let home = FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/conformance")
    static let checker = TestPaths.shared.appendingPathComponent("conformance/check-manifests")

    /// Each combination as sorted `key=value` switches.
    static func combinations(plan: [String: Any], readme: String) -> [[String]] {
        var out: [[String]] = []
        func add(_ values: [String: String]) {
            let combo = values.map { "\($0.key)=\($0.value)" }.sorted()
            if !out.contains(combo) { out.append(combo) }
        }
        let helm = (plan["delivery"] as? [String: Any])?["helm"] as? [String: Any] ?? [:]
        var values: [String: String] = [:]
        for direction in ["forward", "rollback"] {
            for stage in helm[direction] as? [[String: Any]] ?? [] {
                if stage["reuseValues"] as? Bool != true { values = [:] }
                for (key, value) in stage["set"] as? [String: Any] ?? [:] { values[key] = "\(value)" }
                add(values)
            }
        }
        for line in readme.split(separator: "\n") where line.hasPrefix("helm upgrade ") {
            var own: [String: String] = [:]
            let words = line.split(separator: " ").map(String.init)
            for (index, word) in words.enumerated() where word == "--set" && index + 1 < words.count {
                let pair = words[index + 1].split(separator: "=", maxSplits: 1).map(String.init)
                // A value from the shell (the previous image) is rendered as a fixed image.
                if pair.count == 2 { own[pair[0]] = pair[1].contains("$") ? "registry.example/app:previous" : pair[1] }
            }
            add(own)
        }
        return out
    }

    @Test func checkManifestsPassesOnEveryRunbookCombination() throws {
        let helm = Self.home.appendingPathComponent("bin/helm").path
        let required = ProcessInfo.processInfo.environment["REQUIRE_DB"] == "1" || ProcessInfo.processInfo.environment["CI"] != nil
        guard FileManager.default.isExecutableFile(atPath: helm),
              FileManager.default.fileExists(atPath: Self.home.appendingPathComponent("venv").path) else {
            if required { Issue.record("helm or the conformance venv is missing; run ../shared/conformance/setup") }
            return
        }
        let sandbox = TestPaths.temporaryFolder("combinations")
        defer { try? FileManager.default.removeItem(at: sandbox) }
        // The examples, and a fixture with a snapshot (its Job, Role and policies) for expand-contract.
        let specs = TestPaths.exampleSpecs + [TestPaths.fixtures.appendingPathComponent("valid/pg-billing-invoices.yaml")]
        let generate = try CLIRun.run(["generate"] + specs.map(\.path) + ["-o", "out"], currentDirectory: sandbox)
        #expect(generate.status == 0, "\(generate.stderr)")
        var total = 0
        for spec in specs {
            let name = spec.deletingPathExtension().lastPathComponent.replacingOccurrences(of: "pg-", with: "")
            let root = sandbox.appendingPathComponent("out/\(name)")
            let plan = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: root.appendingPathComponent("plan.json"))) as? [String: Any])
            let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
            let combinations = Self.combinations(plan: plan, readme: readme)
            #expect(combinations.count >= 4, "\(name): \(combinations)")
            #expect(combinations.contains { $0.contains("rollback.enabled=true") }, "\(name): the rollback is rendered")
            let rendered = sandbox.appendingPathComponent("rendered/\(name)")
            try FileManager.default.createDirectory(at: rendered, withIntermediateDirectories: true)
            for (index, combination) in combinations.enumerated() {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: helm)
                process.arguments = ["template", name, root.appendingPathComponent("chart").path, "--namespace", "conformance", "--kube-version", "v1.30.0"]
                    + combination.flatMap { ["--set", $0] }
                let out = Pipe(), err = Pipe()
                process.standardOutput = out
                process.standardError = err
                try process.run()
                let yaml = out.fileHandleForReading.readDataToEndOfFile()
                let errors = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                process.waitUntilExit()
                #expect(process.terminationStatus == 0, "\(name) \(combination): \(errors)")
                try yaml.write(to: rendered.appendingPathComponent("values-\(index).yaml"))
                total += 1
            }
            // The checker (Python, checkov) is run detached through `setsid -f` and waited for through
            // its exit-code file: waited for as a child, its resident set would count in this process's
            // RUSAGE_CHILDREN, which HostileCorpusTests bounds for cutover's own runs.
            let done = sandbox.appendingPathComponent("check-\(name).rc"), log = sandbox.appendingPathComponent("check-\(name).log")
            let bin = Self.home.appendingPathComponent("bin").path
            let command = "PATH='\(bin)':\"$PATH\" '\(Self.checker.path)' --checkov-skip CKV_K8S_43,CKV2_K8S_6 '\(rendered.path)' "
                + "'\(root.appendingPathComponent("chart").path)' '\(root.appendingPathComponent("manifests").path)' > '\(log.path)' 2>&1; "
                + "echo $? > '\(done.path).tmp' && mv '\(done.path).tmp' '\(done.path)'"
            let detach = Process()
            detach.executableURL = URL(fileURLWithPath: "/usr/bin/setsid")
            detach.arguments = ["-f", "/bin/sh", "-c", command]
            try detach.run()
            detach.waitUntilExit()
            let started = Date()
            while !FileManager.default.fileExists(atPath: done.path) && Date().timeIntervalSince(started) < 600 { Thread.sleep(forTimeInterval: 0.5) }
            let status = Int32((try? String(contentsOf: done, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? -1
            let report = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            let last = report.split(separator: "\n").last.map(String.init) ?? ""
            #expect(status == 0 && last.hasSuffix(" 0 failed"),
                    "\(name): \(report.split(separator: "\n").filter { $0.hasPrefix("FAIL") || $0.hasPrefix("checked") }.joined(separator: "\n"))")
        }
        #expect(total >= 16)
    }
}
