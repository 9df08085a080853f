/// The AnalysisTemplate that gates the canary and the PrometheusRule with the same thresholds.
///
/// Default queries (each overridable by `rollout.analysis.replicationLagQuery` / `errorRatioQuery`,
/// and at deploy time through the AnalysisTemplate args of the same names):
/// - replication lag, PostgreSQL (postgres_exporter): `max(pg_replication_lag_seconds{namespace, pod=~"<cluster>-[0-9]+"})`;
///   MySQL (mysqld_exporter): `max(mysql_slave_status_seconds_behind_master{namespace, pod=~"<cluster>-mysql-[0-9]+"})`.
///   No `or vector(0)`: a missing exporter is an analysis error, which fails safe.
/// - error ratio: the app's `http_requests_total` 5xx rate over all requests, 0 when there is no traffic.
public struct MonitoringBuilder: Sendable {
    public var spec: MigrationSpec

    public init(_ spec: MigrationSpec) {
        self.spec = spec
    }

    var analysis: MigrationSpec.Analysis? { spec.rollout?.analysis }

    public var replicationLagQuery: String {
        if let query = analysis?.replicationLagQuery { return query }
        let namespace = spec.metadata.namespace
        let cluster = spec.database.cluster
        switch spec.database.engine {
        case .postgresql:
            return "max(pg_replication_lag_seconds{namespace=\"\(namespace)\", pod=~\"\(cluster)-[0-9]+\"})"
        case .mysql:
            return "max(mysql_slave_status_seconds_behind_master{namespace=\"\(namespace)\", pod=~\"\(cluster)-mysql-[0-9]+\"})"
        }
    }

    public var errorRatioQuery: String {
        if let query = analysis?.errorRatioQuery { return query }
        let selector = "namespace=\"\(spec.metadata.namespace)\", service=\"\(spec.app.name)\""
        return """
            (
              sum(rate(http_requests_total{\(selector), code=~"5.."}[2m]))
              / sum(rate(http_requests_total{\(selector)}[2m]))
            ) or on() vector(0)
            """
    }

    public var analysisTemplate: AnalysisTemplate? {
        guard let analysis, analysis.maxReplicationLagSeconds != nil || analysis.maxErrorRatio != nil else { return nil }
        var args: [KeyValue] = []
        var metrics: [AnalysisTemplate.Metric] = []
        let interval = analysis.interval.text
        if let lag = analysis.maxReplicationLagSeconds {
            args += [KeyValue("max-replication-lag-seconds", ManifestYAML.number(lag)), KeyValue("replication-lag-query", replicationLagQuery)]
            metrics.append(.init(name: "replication-lag", interval: interval,
                                 successCondition: "result[0] <= {{args.max-replication-lag-seconds}}",
                                 prometheusAddress: analysis.prometheus, query: "{{args.replication-lag-query}}"))
        }
        if let ratio = analysis.maxErrorRatio {
            args += [KeyValue("max-error-ratio", ManifestYAML.number(ratio)), KeyValue("error-ratio-query", errorRatioQuery)]
            metrics.append(.init(name: "error-ratio", interval: interval,
                                 successCondition: "result[0] <= {{args.max-error-ratio}}",
                                 prometheusAddress: analysis.prometheus, query: "{{args.error-ratio-query}}"))
        }
        return AnalysisTemplate(
            metadata: MigrationLabels(spec).metadata(name: KubernetesNames(spec).analysisTemplate, component: "analysis"),
            args: args, metrics: metrics)
    }

    static func camel(_ name: String) -> String {
        name.split(separator: "-").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    public var prometheusRule: PrometheusRule? {
        guard let analysis, analysis.maxReplicationLagSeconds != nil || analysis.maxErrorRatio != nil else { return nil }
        let prefix = Self.camel(spec.name)
        var alerts: [PrometheusRule.Alert] = []
        if let lag = analysis.maxReplicationLagSeconds {
            alerts.append(.init(name: prefix + "ReplicationLagHigh", expr: "(\n\(replicationLagQuery)\n) > \(ManifestYAML.number(lag))\n",
                                forDuration: "2m", severity: "critical",
                                summary: "replication lag of \(spec.database.cluster) is over \(ManifestYAML.number(lag))s during migration \(spec.name)"))
        }
        if let ratio = analysis.maxErrorRatio {
            alerts.append(.init(name: prefix + "ErrorRatioHigh", expr: "(\n\(errorRatioQuery)\n) > \(ManifestYAML.number(ratio))\n",
                                forDuration: "2m", severity: "critical",
                                summary: "\(spec.app.name) error ratio is over \(ManifestYAML.number(ratio)) during migration \(spec.name)"))
        }
        alerts.append(.init(name: prefix + "JobFailed",
                            expr: "max(kube_job_status_failed{namespace=\"\(spec.metadata.namespace)\", job_name=~\"\(spec.name)-.*\"}) > 0",
                            forDuration: "1m", severity: "warning", summary: "a cutover Job of migration \(spec.name) failed"))
        return PrometheusRule(
            metadata: MigrationLabels(spec).metadata(name: KubernetesNames(spec).prometheusRule, component: "alerts"),
            groupName: "cutover-\(spec.name)", alerts: alerts)
    }
}
