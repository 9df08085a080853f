/// The specs the rules' examples are built from: the smallest valid spec, with the parts an example
/// changes as parameters, and the schema files beside them.
public enum Snippets {
    static let ledgerDatabase = """
            engine: postgresql
            version: "15"
            operator: zalando
            cluster: ledger-db
            name: ledger
            credentialsSecret: ledger-db-credentials
            schema: schema.sql

        """

    static let blueGreen = """
          strategy: blue-green
          target:
            cluster: ledger-db-green
            version: "16"
            volume:
              size: 100Gi
          replication: logical
          switchover:
            service: ledger-db-primary

        """

    static let auditSchema = """
        CREATE TABLE audit_log (
            at      timestamptz NOT NULL DEFAULT now(),
            message text NOT NULL
        );

        """

    // MARK: the shared minimal spec

    package static let pgDatabase = """
            engine: postgresql
            version: "15"
            cluster: billing-db
            name: billing
            credentialsSecret: billing-db-credentials

        """

    package static let mysqlDatabase = """
            engine: mysql
            version: "8.0"
            cluster: billing-db
            name: billing
            credentialsSecret: billing-db-credentials

        """

    package static let app = """
            name: webapp
            image: ghcr.io/acme/webapp:v2.3.1

        """

    package static let tierChange = """
            - addColumn:
                table: pricing
                column:
                  name: tier
                  type: text

        """

    package static let fkChange = """
            - addForeignKey:
                name: subscriptions_customer_fk
                table: subscriptions
                columns: [customer_id]
                references:
                  table: customers
                  columns: [id]

        """

    package static let pricingSchema = """
        CREATE TABLE pricing (
            id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            amount integer NOT NULL
        );

        """

    /// The smallest valid spec, with the parts a rule example changes as parameters.
    package static func spec(database: String = pgDatabase, app: String = app, extra: String = "", changes: String = tierChange,
                     raw: Bool = false) -> String {
        """
        apiVersion: cutover.dev/v1alpha1
        kind: Migration
        metadata:
          name: pricing-tiers
          namespace: billing
        spec:
          database:
        \(database)  app:
        \(app)\(extra)\(raw ? changes : "  changes:\n" + changes)
        """
    }

    static func rollout(prometheus: String = "http://prometheus.monitoring.svc:9090", analysis: String = "") -> String {
        "  rollout:\n    steps:\n      - setWeight: 20\n      - pause: 5m\n    analysis:\n      prometheus: \(prometheus)\n" + analysis
    }
}
