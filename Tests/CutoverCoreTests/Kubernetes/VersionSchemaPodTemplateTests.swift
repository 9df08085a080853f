@testable import CutoverPlan
@testable import CutoverSpec
@testable import CutoverEmit
@testable import CutoverCore
import Foundation
import Testing

/// `app.podTemplate: true`: the Rollout carries its own pod template, so it (not a patch of the
/// user's Deployment) must select the new version's schema of views from its first pod, and every
/// rollback must point it back together with the image (issue #14, user trial).
@Suite struct VersionSchemaPodTemplateTests {
    /// The plan of a spec with `podTemplate: true` inserted after `anchor`.
    static func plan(_ spec: URL, after anchor: String) throws -> MigrationPlan {
        let text = try String(contentsOf: spec, encoding: .utf8)
        #expect(text.contains(anchor))
        let patched = text.replacingOccurrences(of: anchor, with: anchor + "    podTemplate: true\n")
        let validated = try #require(Compiler().check(Array(patched.utf8), path: spec.path).validated)
        let plan = Compiler().plan(validated)
        #expect(plan.spec.app.podTemplate)
        return plan
    }

    static let postgresql = (TestPaths.examples.appendingPathComponent("pricing-tiers.yaml"), "    port: 8080\n")
    static let mysql = (TestPaths.fixtures.appendingPathComponent("valid/mysql-prices-widening.yaml"), "    replicas: 2\n")

    @Test(arguments: ["postgresql", "mysql"])
    func theRolloutsPodTemplateSelectsTheNewVersionsSchema(_ engine: String) throws {
        let (spec, anchor) = engine == "mysql" ? Self.mysql : Self.postgresql
        let plan = try Self.plan(spec, after: anchor)
        let schemas = try #require(VersionSchemaSelection.schemas(plan))
        let files = Compiler().emit(plan)
        func file(_ path: String) throws -> String { try #require(files.first { $0.path == path }, "\(path)").contents }
        let env = engine == "mysql" ? "MYSQL_DATABASE" : "PGOPTIONS"
        let suffix = engine == "mysql" ? "database" : "PGOPTIONS"
        let configMap = "\(plan.spec.name)-version-schemas"
        // Plain manifests (GitOps): the new version's key; the chart: the value's key, `new` by default.
        let manifests = try file("manifests/app/rollout.yaml")
        #expect(manifests.contains("        env:\n        - name: \(env)\n          valueFrom:\n            configMapKeyRef:\n"
                                   + "              name: \(configMap)\n              key: new.\(suffix)\n              optional: true\n"), "\(manifests)")
        let chart = try file("chart/templates/rollout.yaml")
        #expect(chart.contains("              key: '{{ .Values.app.versionSchema }}.\(suffix)'\n"), "\(chart)")
        #expect(try file("chart/values.yaml").contains("app:\n  image: \(plan.spec.app.image.value)\n  versionSchema: new\n"))
        #expect(try file("chart/values.schema.json").contains("\"versionSchema\""))
        // The ConfigMap has the keys the env reads.
        let data = try file("manifests/app/configmap-version-schemas.yaml")
        #expect(data.contains("new.\(suffix): ") && data.contains(engine == "mysql" ? "base.database: " : "old.PGOPTIONS: "))
        #expect(data.contains(schemas.new))
        // Every rollback points the app back with the image, in the same upgrade / patch.
        let back = engine == "mysql" ? "base" : "old"
        for phase in [Phase.backfill, .rollout, .complete, .contract] {
            let helm = PhaseCommands.helm(phase, plan: plan).rollback.joined(separator: "\n")
            #expect(helm.contains("--set app.image=\"$PREVIOUS_IMAGE\" --set app.versionSchema=\(back) "), "\(phase): \(helm)")
            let kubectl = PhaseCommands.kubectl(phase, plan: plan).rollback.joined(separator: "\n")
            #expect(kubectl.contains("/spec/template/spec/containers/0/image") && kubectl.contains(
                "{\"op\":\"replace\",\"path\":\"/spec/template/spec/containers/0/env/0/valueFrom/configMapKeyRef/key\",\"value\":\"\(back).\(suffix)\"}]'"),
                    "\(phase): \(kubectl)")
        }
        // plan.json's Helm stages carry the value too.
        #expect(DeliveryPlan(plan: plan).helm.rollback.first?.set?["app.versionSchema"] == back)
        if engine == "mysql" {
            // After contract the app moves to the base database before its version databases go.
            let run = PhaseCommands.helm(.contract, plan: plan).run.joined(separator: "\n")
            let leave = try #require(run.split(separator: "\n").last { $0.hasPrefix("helm upgrade") && $0.contains("app.versionSchema=base") }, "\(run)")
            #expect(leave.contains("--set phases.contract.enabled=false") && !leave.contains("enabled=true"), "no Job runs again: \(leave)")
            #expect(PhaseCommands.kubectl(.contract, plan: plan).run.joined(separator: "\n").contains("\"value\":\"base.database\""))
        }
        let readme = try file("README.md")
        #expect(readme.contains("its container's `\(env)` env reads the ConfigMap's key `<app.versionSchema>.\(suffix)`"))
    }
}
