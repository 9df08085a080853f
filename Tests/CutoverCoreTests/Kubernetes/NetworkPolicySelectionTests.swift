@testable import CutoverPlan
@testable import CutoverSpec
@testable import CutoverEmit
import Testing

/// The policies must select what they claim: a selector matches a pod when each of its labels is on the pod.
@Suite struct NetworkPolicySelectionTests {
    /// The spec's `networkPolicy.database: restrict` (the fixtures end inside `spec`).
    static let restrict = "\n  networkPolicy:\n    database: restrict"

    func selects(_ selector: [KeyValue], _ podLabels: [KeyValue]) -> Bool {
        !selector.isEmpty && selector.allSatisfy { want in podLabels.contains(want) }
    }

    /// The labels each operator puts on its database pods (Zalando's spilo pods; Bitpoke's mysql pods).
    func operatorPodLabels(_ op: MigrationSpec.DatabaseOperator, cluster: String) -> [KeyValue] {
        switch op {
        case .zalando: return [KeyValue("application", "spilo"), KeyValue("cluster-name", cluster), KeyValue("spilo-role", "master"),
                               KeyValue("team", "x")]
        case .bitpoke: return [KeyValue("app.kubernetes.io/name", "mysql"), KeyValue("app.kubernetes.io/managed-by", "mysql.presslabs.org"),
                               KeyValue("mysql.presslabs.org/cluster", cluster), KeyValue("role", "master")]
        case .none: return [KeyValue("app.kubernetes.io/name", cluster), KeyValue("statefulset.kubernetes.io/pod-name", "\(cluster)-0")]
        }
    }

    func pods(_ plan: MigrationPlan) -> (app: [KeyValue], jobs: [[KeyValue]]) {
        let items = DeliveryLayout(plan, for: .manifests).items
        let rollout = items.compactMap { $0.object as? Rollout }.first!
        // The snapshot Job never talks to the database: its own policy lets it reach the API server only.
        let jobs = items.compactMap { $0.object as? Job }.filter { $0.metadata.name != KubernetesNames(plan.spec).snapshotJob }.map(\.template.labels)
        // With workloadRef the app pods are the Deployment's, which the Rollout selects.
        return (rollout.template?.labels ?? rollout.selector, jobs)
    }

    @Test(arguments: [
        ("zalando", "postgresql", "billing-db"), ("bitpoke", "mysql", "shop-db"), ("none", "postgresql", "plain-db"),
    ])
    func databasePolicySelectsTheDatabaseAndAdmitsTheAppAndTheJobs(_ op: String, _ engine: String, _ cluster: String) {
        var replacements = [("operator: zalando", "operator: \(op)"), ("cluster: billing-db", "cluster: \(cluster)")]
        if engine == "mysql" { replacements += [("engine: postgresql", "engine: mysql"), ("version: \"15\"", "version: \"8.0\""), ("tool: psql", "tool: mysql")] }
        let spec = KubernetesFixtures.spec(KubernetesFixtures.expandContractYAML + Self.restrict, replacing: replacements)
        let plan = KubernetesFixtures.fullPlan(spec)
        let builder = NetworkPolicyBuilder(spec)
        let policy = builder.databaseIngress[0]
        let dbPod = operatorPodLabels(spec.database.operator, cluster: cluster)
        #expect(selects(policy.podSelector, dbPod))
        #expect(!selects(policy.podSelector, operatorPodLabels(spec.database.operator, cluster: "other-db")))
        let (app, jobs) = pods(plan)
        #expect(!jobs.isEmpty)
        #expect(!selects(policy.podSelector, app))
        let first = policy.ingress![0]
        #expect(first.ports == [NetworkPolicy.Port(spec.database.port)])
        #expect(first.peers.contains { selects($0.podLabels, app) })
        for job in jobs { #expect(first.peers.contains { selects($0.podLabels, job) }) }
        // Nothing else is admitted on the database port: the other rule admits only the cluster's own pods.
        #expect(policy.ingress![1].peers.allSatisfy { selects($0.podLabels, dbPod) && !selects($0.podLabels, app) })

        let egress = builder.runnerEgress
        for job in jobs { #expect(selects(egress.podSelector, job)) }
        #expect(!selects(egress.podSelector, app))
        #expect(egress.ingress == [])
        #expect(egress.egress![0].peers.allSatisfy { selects($0.podLabels, dbPod) })
        #expect(egress.egress![1].peers == [NetworkPolicyBuilder.dnsPeer])
        #expect(egress.policyTypes == ["Ingress", "Egress"])

        if op == "zalando" {
            // The operator's logical backup CronJob pods, and a clone or standby of this cluster.
            for client in [[KeyValue("application", "spilo-logical-backup"), KeyValue("cluster-name", cluster), KeyValue("job-name", "logical-backup-\(cluster)-1")],
                           [KeyValue("application", "spilo"), KeyValue("cluster-name", "\(cluster)-clone"), KeyValue("spilo-role", "master")]] {
                #expect(policy.ingress!.contains { $0.ports.contains(NetworkPolicy.Port(spec.database.port)) && $0.peers.contains { selects($0.podLabels, client) } },
                        "\(client)")
            }
            let backupOfAnother = [KeyValue("application", "spilo-logical-backup"), KeyValue("cluster-name", "other-db")]
            #expect(!policy.ingress!.contains { $0.peers.contains { selects($0.podLabels, backupOfAnother) } })
        }

        // The snapshot Job is selected by its own policy, not the runner's, and not admitted to the database.
        let snapshotPod = SnapshotBuilder(spec).job.template.labels
        #expect(!selects(egress.podSelector, snapshotPod))
        #expect(!policy.ingress!.contains { $0.peers.contains { selects($0.podLabels, snapshotPod) } })
        #expect(selects(SnapshotBuilder(spec).networkPolicy.podSelector, snapshotPod))
    }

    /// Whoever reached the database before still does, each on the ports it needs.
    @Test(arguments: ["zalando", "bitpoke"])
    func operatorsPoolersAndScraperKeepTheirAccess(_ op: String) {
        var replacements = [("operator: zalando", "operator: \(op)")]
        if op == "bitpoke" { replacements += [("engine: postgresql", "engine: mysql"), ("version: \"15\"", "version: \"8.0\""), ("tool: psql", "tool: mysql")] }
        let spec = KubernetesFixtures.spec(KubernetesFixtures.expandContractYAML + Self.restrict, replacing: replacements)
        let rules = NetworkPolicyBuilder(spec).databaseIngress[0].ingress!
        func ports(admitting labels: [KeyValue], anyNamespace: Bool = false) -> Set<Int> {
            Set(rules.filter { rule in rule.peers.contains { selects($0.podLabels, labels) && ($0.namespaceLabels == [] || !anyNamespace) } }
                .flatMap { $0.ports.map(\.port) })
        }
        let prometheus = [KeyValue("app.kubernetes.io/name", "prometheus"), KeyValue("app.kubernetes.io/instance", "k8s")]
        if op == "zalando" {
            #expect(ports(admitting: [KeyValue("name", "postgres-operator")], anyNamespace: true) == [5432, 8008])
            #expect(ports(admitting: [KeyValue("application", "db-connection-pooler"), KeyValue("connection-pooler", "billing-db-pooler")]) == [5432])
            #expect(ports(admitting: prometheus, anyNamespace: true) == [8008, 9187])
            #expect(ports(admitting: operatorPodLabels(.zalando, cluster: "billing-db")) == [5432, 8008])
        } else {
            #expect(ports(admitting: [KeyValue("app.kubernetes.io/name", "mysql-operator")], anyNamespace: true).isSuperset(of: [3306]))
            #expect(ports(admitting: prometheus, anyNamespace: true) == [9125])
            #expect(ports(admitting: operatorPodLabels(.bitpoke, cluster: "billing-db")).isSuperset(of: [3306, 3307]))
        }
        // The app's own Deployment pods, by the selector the user gives.
        let custom = KubernetesFixtures.spec(KubernetesFixtures.expandContractYAML + Self.restrict, replacing: replacements + [
            ("port: 8080", "port: 8080\n    podSelector:\n      app: web"),
        ])
        let first = NetworkPolicyBuilder(custom).databaseIngress[0].ingress![0]
        #expect(first.peers.contains { selects($0.podLabels, [KeyValue("app", "web"), KeyValue("pod-template-hash", "x")]) })
    }

    @Test func userPodSelectorWinsForOperatorNone() {
        let spec = KubernetesFixtures.spec(KubernetesFixtures.expandContractYAML + Self.restrict, replacing: [
            ("operator: zalando", "operator: none\n    podSelector:\n      app: pg\n      tier: db"),
        ])
        #expect(NetworkPolicyBuilder(spec).databaseIngress[0].podSelector == [KeyValue("app", "pg"), KeyValue("tier", "db")])
    }

    @Test func blueGreenAdmitsReplicationBetweenTheClusters() {
        let spec = KubernetesFixtures.spec(KubernetesFixtures.blueGreenYAML + Self.restrict)
        let policies = NetworkPolicyBuilder(spec).databaseIngress
        #expect(policies.map(\.metadata.name) == ["ledger-pg14-db-blue-ingress", "ledger-pg14-db-green-ingress"])
        let blue = operatorPodLabels(.zalando, cluster: "ledger-db")
        let green = operatorPodLabels(.zalando, cluster: "ledger-db-green")
        #expect(selects(policies[0].podSelector, blue) && !selects(policies[0].podSelector, green))
        #expect(selects(policies[1].podSelector, green) && !selects(policies[1].podSelector, blue))
        #expect(policies[0].ingress!.contains { rule in rule.peers.contains { selects($0.podLabels, green) } })
        #expect(policies[1].ingress!.contains { rule in rule.peers.contains { selects($0.podLabels, blue) } })
        let egress = NetworkPolicyBuilder(spec).runnerEgress
        #expect(egress.egress!.count == 3)
    }

    /// Kubernetes policies are additive: the first one selecting the database pods would cut off every
    /// client it does not list. Without `restrict` no policy cutover writes selects them, in any
    /// delivery path or strategy; the Jobs' own egress policy stays.
    @Test(arguments: [
        ("zalando", "postgresql", "billing-db"), ("bitpoke", "mysql", "shop-db"), ("none", "postgresql", "plain-db"),
    ])
    func byDefaultNoPolicySelectsTheDatabasePods(_ op: String, _ engine: String, _ cluster: String) {
        var replacements = [("operator: zalando", "operator: \(op)"), ("cluster: billing-db", "cluster: \(cluster)")]
        if engine == "mysql" { replacements += [("engine: postgresql", "engine: mysql"), ("version: \"15\"", "version: \"8.0\""), ("tool: psql", "tool: mysql")] }
        for yaml in [KubernetesFixtures.expandContractYAML, KubernetesFixtures.expandContractYAML + "\n  networkPolicy:\n    database: open"] {
            let spec = KubernetesFixtures.spec(yaml, replacing: replacements)
            #expect(spec.networkPolicy.database == .open)
            #expect(NetworkPolicyBuilder(spec).databaseIngress.isEmpty)
            let dbPod = operatorPodLabels(spec.database.operator, cluster: cluster)
            for target in [DeliveryLayout.Target.chart, .manifests] {
                let policies = DeliveryLayout(KubernetesFixtures.fullPlan(spec), for: target).items.compactMap { $0.object as? NetworkPolicy }
                #expect(!policies.isEmpty, "the Jobs' egress policy stays")
                #expect(!policies.contains { selects($0.podSelector, dbPod) }, "\(target): \(policies.map(\.metadata.name))")
            }
        }
        let blueGreen = KubernetesFixtures.spec(KubernetesFixtures.blueGreenYAML)
        #expect(NetworkPolicyBuilder(blueGreen).databaseIngress.isEmpty)
        let policies = DeliveryLayout(KubernetesFixtures.fullPlan(blueGreen), for: .manifests).items.compactMap { $0.object as? NetworkPolicy }
        for side in ["ledger-db", "ledger-db-green"] {
            #expect(!policies.contains { selects($0.podSelector, operatorPodLabels(.zalando, cluster: side)) })
        }
    }

    /// `networkPolicy.clients` are admitted on the database port only: pods of this namespace by labels,
    /// all pods of namespaces by labels, or both.
    @Test func restrictAdmitsTheUsersClientsOnTheDatabasePort() {
        let spec = KubernetesFixtures.spec(KubernetesFixtures.expandContractYAML + Self.restrict + """

                clients:
                  - podSelector:
                      app: reports
                  - namespaceSelector:
                      team: analytics
                  - podSelector:
                      app: exporter
                    namespaceSelector:
                      kubernetes.io/metadata.name: monitoring
            """)
        let rules = NetworkPolicyBuilder(spec).databaseIngress[0].ingress!
        let clients = rules.last!
        #expect(clients.ports == [NetworkPolicy.Port(5432)])
        #expect(clients.peers == [
            NetworkPolicy.Peer(namespaceLabels: nil, podLabels: [KeyValue("app", "reports")]),
            NetworkPolicy.Peer(namespaceLabels: [KeyValue("team", "analytics")], podLabels: []),
            NetworkPolicy.Peer(namespaceLabels: [KeyValue("kubernetes.io/metadata.name", "monitoring")], podLabels: [KeyValue("app", "exporter")]),
        ])
        // No other rule admits them.
        #expect(!rules.dropLast().contains { $0.peers.contains { selects($0.podLabels, [KeyValue("app", "reports")]) } })
        let blueGreen = KubernetesFixtures.spec(KubernetesFixtures.blueGreenYAML + Self.restrict + "\n    clients:\n      - podSelector:\n          app: reports")
        for policy in NetworkPolicyBuilder(blueGreen).databaseIngress {
            #expect(policy.ingress!.last!.peers == [NetworkPolicy.Peer(podLabels: [KeyValue("app", "reports")])])
        }
    }
}
