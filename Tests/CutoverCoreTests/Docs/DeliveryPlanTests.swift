import CutoverCore
import Foundation
import Testing

/// plan.json's `delivery` is read back from the runbook's commands; these pin what today's runbook
/// says, so a change to the commands shows up here and in the golden trees.
@Suite struct DeliveryPlanTests {
    static func delivery(_ example: String) throws -> DeliveryPlan {
        let path = TestPaths.examples.appendingPathComponent(example).path
        let result = try Compiler().check(fileAt: path)
        let validated = try #require(result.validated)
        return DeliveryPlan(plan: Compiler().plan(validated))
    }

    @Test func expandContractHelmStages() throws {
        let helm = try Self.delivery("pricing-tiers.yaml").helm
        #expect(helm.forward.count == 2)
        #expect(helm.forward[0].set == [:])
        #expect(helm.forward[0].startsRollout && !helm.forward[0].waitsForPromotion)
        #expect(helm.forward[0].phases.starts(with: ["preflight", "expand", "rollout"]))
        #expect(helm.forward[1].set == ["phases.contract.enabled": "true"])
        #expect(helm.forward[1].waitsForPromotion && !helm.forward[1].startsRollout)
        #expect(helm.rollback.count == 1)
        #expect(helm.rollback[0].set?["rollback.enabled"] == "true")
        #expect(helm.rollback[0].startsRollout)
    }

    @Test func manifestsRollbackRevertsTheAppBeforeExpandDowns() throws {
        let manifests = try Self.delivery("pricing-tiers.yaml").manifests
        #expect(manifests.rollback.map(\.kustomize) == ["manifests/rollback/", "manifests/rollback-expand/"])
        #expect(manifests.rollback.map(\.startsRollout) == [false, true])
        #expect(manifests.rollback[1].phases == ["expand"])
    }
}
