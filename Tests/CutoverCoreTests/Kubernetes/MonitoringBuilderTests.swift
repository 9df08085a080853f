@testable import CutoverEmit
import Foundation
import Testing

/// The analysis gates a canary only on data, and on the lag the strategy depends on.
@Suite struct MonitoringBuilderTests {
    @Test func analysisNeverPassesForWantOfData() throws {
        for spec in [KubernetesFixtures.spec(KubernetesFixtures.expandContractYAML), KubernetesFixtures.spec(KubernetesFixtures.blueGreenYAML)] {
            let template = try #require(MonitoringBuilder(spec).analysisTemplate)
            #expect(!MonitoringBuilder(spec).errorRatioQuery.contains("vector(0)"))
            for metric in template.metrics {
                // Both conditions: an empty result or NaN meets neither, so the measurement is Inconclusive.
                #expect(metric.successCondition.hasPrefix("len(result) > 0 && result[0] <= {{args."))
                #expect(metric.failureCondition?.hasPrefix("len(result) > 0 && result[0] > {{args.") == true)
            }
        }
    }

    @Test func errorRatioMeasuresTheCanaryPodsOnly() throws {
        let spec = KubernetesFixtures.spec(KubernetesFixtures.expandContractYAML)
        let template = try #require(MonitoringBuilder(spec).analysisTemplate)
        let metric = try #require(template.metrics.first { $0.name == "error-ratio" })
        // The query sits in the metric: Argo substitutes args once, so it cannot come from another arg.
        #expect(metric.query.contains("pod=~\"webapp-{{args.canary-hash}}-.+\""))
        #expect(!metric.query.contains("service="))
        #expect(template.requiredArgs == ["canary-hash"])
        let templateYAML = ManifestYAML.document(template.node(), header: "")
        #expect(templateYAML.contains("  args:\n  - name: canary-hash\n  - name: max-error-ratio\n"))
        // The Rollout fills it from its newest ReplicaSet, the canary.
        let rolloutYAML = ManifestYAML.document(RolloutBuilder(spec, image: "unused").rollout.node(), header: "")
        #expect(rolloutYAML.contains("\n        args:\n        - name: canary-hash\n          valueFrom:\n            podTemplateHashValue: Latest\n"))
        // The alert has no canary: it watches the whole service.
        #expect(MonitoringBuilder(spec).errorRatioQuery.contains("service=\"webapp\""))

        let custom = KubernetesFixtures.spec(KubernetesFixtures.expandContractYAML.replacingOccurrences(
            of: "maxReplicationLagSeconds: 5", with: "maxReplicationLagSeconds: 5\n      errorRatioQuery: my_errors{pod=~\"webapp-{{args.canary-hash}}-.+\"}"))
        #expect(try #require(MonitoringBuilder(custom).analysisTemplate).metrics.first { $0.name == "error-ratio" }?.query
                == "my_errors{pod=~\"webapp-{{args.canary-hash}}-.+\"}")
        #expect(MonitoringBuilder(custom).errorRatioQuery == "my_errors{pod=~\"webapp-[0-9a-z]+-.+\"}")
        let plain = KubernetesFixtures.spec(KubernetesFixtures.expandContractYAML.replacingOccurrences(
            of: "maxReplicationLagSeconds: 5", with: "maxReplicationLagSeconds: 5\n      errorRatioQuery: sum(my_errors)"))
        #expect(try #require(MonitoringBuilder(plain).analysisTemplate).requiredArgs.isEmpty)
        #expect(!ManifestYAML.document(RolloutBuilder(plain, image: "unused").rollout.node(), header: "").contains("canary-hash"))
    }

    @Test func lagIsWatchedWhereTheStrategyNeedsIt() throws {
        let expandContract = KubernetesFixtures.spec(KubernetesFixtures.expandContractYAML)
        #expect(try #require(MonitoringBuilder(expandContract).analysisTemplate).metrics.map(\.name) == ["error-ratio"])
        let blueGreen = KubernetesFixtures.spec(KubernetesFixtures.blueGreenYAML)
        #expect(try #require(MonitoringBuilder(blueGreen).analysisTemplate).metrics.map(\.name).contains("replication-lag"))
        let asked = KubernetesFixtures.spec(KubernetesFixtures.expandContractYAML.replacingOccurrences(
            of: "maxReplicationLagSeconds: 5", with: "maxReplicationLagSeconds: 5\n      replicationLagQuery: max(my_lag_seconds)"))
        #expect(try #require(MonitoringBuilder(asked).analysisTemplate).metrics.map(\.name).contains("replication-lag"))
        #expect(MonitoringBuilder(asked).replicationLagQuery == "max(my_lag_seconds)")
    }
}

/// The app stays the user's: the Rollout takes over the Deployment unless a pod template is asked for.
@Suite struct RolloutBuilderTests {
    @Test func rolloutReferencesTheUsersDeployment() {
        let spec = KubernetesFixtures.spec(KubernetesFixtures.expandContractYAML)
        let rollout = RolloutBuilder(spec, image: "unused").rollout
        #expect(rollout.workloadRef == "webapp" && rollout.template == nil)
        let yaml = ManifestYAML.document(rollout.node(), header: "")
        #expect(yaml.contains("workloadRef:\n    apiVersion: apps/v1\n    kind: Deployment\n    name: webapp\n    scaleDown: progressively\n"))
        let named = KubernetesFixtures.spec(KubernetesFixtures.expandContractYAML, replacing: [("port: 8080", "port: 8080\n    deployment: web-v1")])
        #expect(RolloutBuilder(named, image: "unused").rollout.workloadRef == "web-v1")
    }

    @Test func podTemplateOnlyWhenAsked() {
        let spec = KubernetesFixtures.spec(KubernetesFixtures.expandContractYAML, replacing: [("port: 8080", "port: 8080\n    podTemplate: true")])
        let rollout = RolloutBuilder(spec, image: "registry.example/app:2").rollout
        #expect(rollout.workloadRef == nil)
        #expect(rollout.template?.spec.containers.first?.image == "registry.example/app:2")
        #expect(ChartValues(KubernetesFixtures.fullPlan(spec)).valuesYAML.contains("image: ghcr.io/acme/webapp:v2.3.1"))
    }
}
