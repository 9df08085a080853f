import CutoverEmit
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
        #expect(helm.forward.count == 3)
        #expect(helm.forward[0].set == [:])
        #expect(helm.forward[0].startsRollout && !helm.forward[0].waitsForPromotion)
        // Backfill before the rollout: one install runs expand and backfill hooks, then starts the canary.
        #expect(helm.forward[0].phases == ["preflight", "expand", "backfill", "rollout"])
        #expect(helm.forward[1].phases == ["complete", "verify"])
        #expect(helm.forward[1].set?["phases.complete.enabled"] == "true" && helm.forward[1].set?["phases.verify.enabled"] == "true")
        #expect(helm.forward[1].set?["phases.expand.enabled"] == "false" && helm.forward[1].set?["phases.backfill.enabled"] == "false")
        #expect(helm.forward[1].waitsForPromotion && !helm.forward[1].startsRollout)
        #expect(helm.forward[2].phases == ["contract"])
        #expect(helm.forward[2].set?["phases.contract.enabled"] == "true" && helm.forward[2].set?["phases.complete.enabled"] == "false")
        #expect(helm.rollback.count == 2)
        #expect(helm.rollback[0].set?["rollback.enabled"] == "true")
        #expect(helm.rollback[0].phases == ["contract", "complete", "rollout", "backfill"])
        // workloadRef: the upgrade leaves the Rollout alone; the previous image goes back into the Deployment
        // after it, so the next stage is the one that follows a change of the app.
        #expect(!helm.rollback[0].startsRollout)
        #expect(helm.rollback[1].phases == ["expand"])
        #expect(helm.rollback[1].set?["rollback.expand"] == "true")
        #expect(helm.rollback[1].waitsForPromotion && helm.rollback[1].startsRollout)
    }

    @Test func manifestsApplyOneFolderPerPhase() throws {
        let manifests = try Self.delivery("pricing-tiers.yaml").manifests
        #expect(manifests.forward.map(\.kustomize) == ["manifests/preflight/", "manifests/expand/", "manifests/backfill/", "manifests/app/",
                                                        "manifests/complete/", "manifests/verify/", "manifests/contract/"])
        #expect(manifests.forward.map(\.startsRollout) == [false, false, false, true, false, false, false])
        #expect(manifests.forward.map(\.waitsForPromotion) == [false, false, false, false, true, false, false])
    }

    @Test func manifestsRollbackRevertsTheAppBeforeExpandDowns() throws {
        let manifests = try Self.delivery("pricing-tiers.yaml").manifests
        // One folder per rollback Job, applied and waited for in turn (kubectl ignores sync waves).
        #expect(manifests.rollback.map(\.kustomize) == ["manifests/rollback-contract/", "manifests/rollback-complete/",
                                                        "manifests/rollback-backfill/", "manifests/rollback-expand/"])
        #expect(manifests.rollback.map(\.phases) == [["contract"], ["complete"], ["backfill"], ["expand"]])
        #expect(manifests.rollback.map(\.startsRollout) == [false, false, false, true])
        let plan = try #require(try Compiler().check(fileAt: TestPaths.examples.appendingPathComponent("pricing-tiers.yaml").path).validated)
        let back = PhaseCommands.kubectl(.contract, plan: Compiler().plan(plan)).rollback
        #expect(Array(back.prefix(6)) == ["kubectl apply -k manifests/rollback-contract/", "wait_job pricing-tiers-rollback-contract",
                                         "kubectl apply -k manifests/rollback-complete/", "wait_job pricing-tiers-rollback-complete",
                                         "kubectl apply -k manifests/rollback-backfill/", "wait_job pricing-tiers-rollback-backfill"])
    }
}
