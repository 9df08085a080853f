@testable import CutoverPlan
@testable import CutoverSpec
@testable import CutoverEmit
import Testing

@Suite struct KubernetesNamesTests {
    @Test func everySuffixFitsTheReservedLength() {
        for suffix in KubernetesNames.suffixes {
            #expect(suffix.count + 1 <= MigrationNames.maxSuffixLength, "\(suffix)")
        }
        let longest = String(repeating: "a", count: MigrationNames.maxLength)
        for suffix in KubernetesNames.suffixes {
            #expect(KubernetesNames(longest).derived(suffix).count <= 63)
        }
    }

    @Test(arguments: [KubernetesFixtures.expandContractYAML, KubernetesFixtures.blueGreenYAML])
    func generatedNamesStayWithin63WithAFortyCharacterName(_ yaml: String) {
        let long = String(repeating: "m", count: MigrationNames.maxLength)
        let name = yaml.contains("ledger-pg14") ? "ledger-pg14" : "pricing-tiers"
        let spec = KubernetesFixtures.spec(yaml, replacing: [("name: \(name)", "name: \(long)")])
        #expect(spec.name == long)
        let plan = KubernetesFixtures.fullPlan(spec)
        for target in [DeliveryLayout.Target.chart, .manifests] {
            for item in DeliveryLayout(plan, for: target).items {
                // SQL ConfigMaps are named after their Job plus "-sql[-n]": DNS subdomains, never label values.
                #expect(item.object.metadata.name.count <= (item.isSQLConfigMap ? 253 : 63), "\(item.object.metadata.name)")
                for label in item.object.metadata.labels { #expect(label.value.count <= 63) }
            }
        }
        for job in JobCatalog(plan).jobs {
            #expect(KubernetesNames(spec).job(job.suffix).count <= 63)
            #expect(JobCatalog.allJobSuffixes.contains(job.suffix))
        }
        #expect(JobCatalog.allJobSuffixes.allSatisfy { KubernetesNames(spec).jobConfigMap($0).count + "-999".count <= 253 })
    }
}
