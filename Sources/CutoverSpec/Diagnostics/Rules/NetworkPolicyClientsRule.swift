extension RuleID {
    public static let networkPolicyClients = RuleID("CUT072")
}

/// CUT072 `network-policy-clients`: `networkPolicy.clients` without `database: restrict`, or a client
/// that selects nothing.
package enum NetworkPolicyClientsRule: RuleUnit {
    package static let rule = Rule(
        id: .networkPolicyClients, name: "network-policy-clients", severity: .error, checkedBy: [.consistency],
        summary: "networkPolicy.clients without database: restrict, or a client with neither podSelector nor namespaceSelector",
        rationale: "With `networkPolicy.database: open` (the default) cutover emits no policy that selects the database pods, so every client that reached them before still does and there is nothing to add clients to; listing clients there suggests a restriction that does not exist. A client is a NetworkPolicy peer: pods by `podSelector` (in the migration's namespace unless `namespaceSelector` is given), namespaces by `namespaceSelector`, or both; one with neither would be read by nobody the same way, so it is refused.",
        triggering: [
            RuleExample(Snippets.spec(extra: "  networkPolicy:\n    clients:\n      - podSelector:\n          app: reports\n")).expecting((17, 5)),
            RuleExample(Snippets.spec(extra: "  networkPolicy:\n    database: restrict\n    clients:\n      - {}\n")).expecting((19, 9)),
        ],
        nonTriggering: [
            RuleExample(Snippets.spec(extra: "  networkPolicy:\n    database: restrict\n    clients:\n      - podSelector:\n          app: reports\n      - namespaceSelector:\n          team: analytics\n")),
        ])

    static func check(_ spec: SyntaxNode, diagnostics: inout DiagnosticBag) {
        guard let policy = spec["networkPolicy"], let clients = policy.entry("clients") else { return }
        let database = policy["database"].flatMap(MigrationSpec.DatabaseIsolation.read) ?? Settings.NetworkPolicy.database.fallback
        if database != .restrict {
            diagnostics.report(.networkPolicyClients, Message.networkPolicyClientsWithoutRestrict, at: clients.keyLocation)
        }
        for item in clients.value.items ?? [] {
            // A non-mapping item has a shape error already.
            guard item.entries != nil, item["podSelector"] == nil, item["namespaceSelector"] == nil else { continue }
            diagnostics.report(.networkPolicyClients, Message.networkPolicyClientSelectsNothing, at: item.location)
        }
    }
}

extension Message {
    public static let networkPolicyClientsWithoutRestrict =
        "'clients' is only used with 'networkPolicy.database: restrict'; with 'open' (the default) no policy selects the database pods and every client still reaches them: remove 'clients' or set 'database: restrict'"
    public static let networkPolicyClientSelectsNothing =
        "a client needs 'podSelector', 'namespaceSelector' or both (labels of the pods and namespaces the database policy admits)"
}
