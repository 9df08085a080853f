import CutoverPlan

/// The AnalysisTemplate that gates the canary and the PrometheusRule with the same thresholds.
///
/// Each metric passes only on data: success is `len(result) > 0 && result[0] <= max`, failure
/// `len(result) > 0 && result[0] > max`, so an empty result or NaN (no traffic) is Inconclusive and
/// the Rollout pauses for a human (Argo Rollouts' documented behaviour with both conditions set).
///
/// Queries (each overridable by `rollout.analysis.replicationLagQuery` / `errorRatioQuery`; the lag
/// query also at deploy time through the AnalysisTemplate arg of that name):
/// - error ratio: the app's `http_requests_total` 5xx rate over all requests; 0 when there is traffic
///   but no 5xx series, empty (Inconclusive) when the app's metric is missing, never `or vector(0)`.
///   The analysis measures the canary's pods only (the whole service would dilute a failing canary
///   at 10 % weight under the stable pods' traffic): the Rollout passes the newest ReplicaSet's
///   pod-template hash as `canary-hash`, and a Rollout's ReplicaSet and pods are named
///   `<rollout>-<hash>-…`, so the `pod` label every scrape config keeps selects them without relabelling
///   pod labels into the series. The query sits in the metric itself, not in an arg: Argo Rollouts
///   substitutes args once, so `{{args.canary-hash}}` inside an arg's value would stay literal.
///   The PrometheusRule keeps the whole service (an alert has no canary).
/// - logical replication lag (blue-green on PostgreSQL): what the switch waits on, not the standbys'
///   physical lag. The analysis runs an Argo Rollouts `job` metric (`logicalLagJob`, built by the
///   delivery layout): the runner's `check-lag` on blue's forward slot and green's reverse slot, each
///   streaming one measured by its WAL sender's `replay_lag` against the analysis' limit (the Job
///   fails, a failed measurement, when over it); an idle slot (the direction not in use) is not
///   measured. The alert uses postgres_exporter's default `pg_replication_slot` series: the bytes a
///   streaming slot's `confirmed_flush_lsn` is behind the server's WAL, divided by the WAL written
///   per second (`deriv` over 5m, at least 1 byte/s): the seconds of WAL it is behind at the current
///   write rate, against the same limit. A `replicationLagQuery` of the spec replaces both.
/// - replication lag: the lag the strategy depends on. Blue-green waits on replication before the
///   switch, so it watches it by default. Expand-contract depends on no replication lag, and the
///   exporters' standby lag (`pg_replication_lag_seconds`) grows on an idle database: it is watched
///   only when the spec gives `replicationLagQuery`.
public struct MonitoringBuilder: Sendable {
    public var spec: MigrationSpec

    public init(_ spec: MigrationSpec) {
        self.spec = spec
    }

    var analysis: MigrationSpec.Analysis? { spec.rollout?.analysis }

    /// The Job of the analysis' logical-lag metric (see `logicalLagUnit`), set by the delivery layout.
    public var logicalLagJob: Job?

    /// Blue-green on PostgreSQL without a lag query of the user's: the lag watched is logical.
    var watchesLogicalLag: Bool {
        spec.strategy == .blueGreen && spec.database.engine == .postgresql && analysis?.replicationLagQuery == nil
    }

    var slotNames: [String] {
        let names = DerivedNames(names: SQLNames(engine: spec.database.engine), migrationName: spec.name)
        return [names.replication, names.reverseReplication]
    }

    /// The analysis Job's runner steps: each side's slot of ours, measured when streaming.
    public var logicalLagUnit: JobUnit? {
        guard watchesLogicalLag, let lag = watchedLag else { return nil }
        let slots = slotNames
        return JobUnit(suffix: "analysis-lag", component: "analysis", phase: .rollout, ordering: .regular, chartGuard: nil, folder: nil,
                       script: RunnerProfile(spec).clientScript,
                       arguments: ["check-lag:blue:\(slots[0]):\(ManifestYAML.number(lag))", "check-lag:green:\(slots[1]):\(ManifestYAML.number(lag))"],
                       usesClientImage: RunnerProfile(spec).needsSeparateClient, secretSides: ["blue", "green"])
    }

    /// Seconds of WAL a streaming slot of ours is behind, at the current write rate (postgres_exporter).
    public var logicalLagAlertQuery: String {
        let selector = "namespace=\"\(spec.metadata.namespace)\", slot_name=~\"\(slotNames.joined(separator: "|"))\""
        return """
            max by (slot_name) (
              (pg_replication_slot_slot_current_wal_lsn{\(selector)} - pg_replication_slot_slot_confirmed_flush_lsn{\(selector)})
              / clamp_min(deriv(pg_replication_slot_slot_current_wal_lsn{\(selector)}[5m]), 1)
            )
            """
    }

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

    /// The analysis arg that carries the canary ReplicaSet's pod-template hash.
    public static let canaryHashArg = "canary-hash"

    /// The whole service's error ratio, for the alert. A given query's canary hash matches any hash here.
    public var errorRatioQuery: String {
        if let query = analysis?.errorRatioQuery { return query.replacingOccurrences(of: "{{args.\(Self.canaryHashArg)}}", with: "[0-9a-z]+") }
        return Self.errorRatio(selector: "namespace=\"\(spec.metadata.namespace)\", service=\"\(spec.app.name)\"")
    }

    /// The canary pods' error ratio, for the analysis.
    public var canaryErrorRatioQuery: String {
        if let query = analysis?.errorRatioQuery { return query }
        return Self.errorRatio(selector: "namespace=\"\(spec.metadata.namespace)\", pod=~\"\(spec.app.name)-{{args.\(Self.canaryHashArg)}}-.+\"")
    }

    static func errorRatio(selector: String) -> String {
        // No 5xx series at all means no errors, but only while there is traffic: `0 * total` keeps
        // the result empty (Inconclusive) when the app's metric is missing.
        return """
            (
              sum(rate(http_requests_total{\(selector), code=~"5.."}[2m]))
              or on() (0 * sum(rate(http_requests_total{\(selector)}[2m])))
            )
            / sum(rate(http_requests_total{\(selector)}[2m]))
            """
    }

    public var analysisTemplate: AnalysisTemplate? {
        guard let analysis, analysis.maxReplicationLagSeconds != nil || analysis.maxErrorRatio != nil else { return nil }
        var args: [KeyValue] = []
        var requiredArgs: [String] = []
        var metrics: [AnalysisTemplate.Metric] = []
        let interval = analysis.interval.text
        if watchesLogicalLag, let job = logicalLagJob {
            metrics.append(.init(name: "logical-replication-lag", interval: interval, job: job))
        } else if let lag = watchedLag {
            args += [KeyValue("max-replication-lag-seconds", ManifestYAML.number(lag)), KeyValue("replication-lag-query", replicationLagQuery)]
            metrics.append(.init(name: "replication-lag", interval: interval,
                                 successCondition: Self.success("max-replication-lag-seconds"), failureCondition: Self.failure("max-replication-lag-seconds"),
                                 prometheusAddress: analysis.prometheus, query: "{{args.replication-lag-query}}"))
        }
        if let ratio = analysis.maxErrorRatio {
            args += [KeyValue("max-error-ratio", ManifestYAML.number(ratio))]
            let query = canaryErrorRatioQuery
            if query.contains("{{args.\(Self.canaryHashArg)}}") { requiredArgs.append(Self.canaryHashArg) }
            var metric = AnalysisTemplate.Metric(name: "error-ratio", interval: interval,
                                                 successCondition: Self.success("max-error-ratio"), failureCondition: Self.failure("max-error-ratio"),
                                                 prometheusAddress: analysis.prometheus, query: query)
            // The default query's 2-minute rate is empty for a canary younger than that (Inconclusive:
            // the Rollout would pause on its first measurement); a user's own query has its own window.
            if analysis.errorRatioQuery == nil { metric.initialDelay = "3m" }
            metrics.append(metric)
        }
        return AnalysisTemplate(
            metadata: MigrationLabels(spec).metadata(name: KubernetesNames(spec).analysisTemplate, component: "analysis"),
            args: args, requiredArgs: requiredArgs, metrics: metrics)
    }

    static func success(_ arg: String) -> String { "len(result) > 0 && result[0] <= {{args.\(arg)}}" }
    static func failure(_ arg: String) -> String { "len(result) > 0 && result[0] > {{args.\(arg)}}" }

    /// The lag limit when the strategy depends on replication, or the user gave a query for it.
    var watchedLag: Double? {
        guard let analysis, let lag = analysis.maxReplicationLagSeconds else { return nil }
        return spec.strategy == .blueGreen || analysis.replicationLagQuery != nil ? lag : nil
    }

    static func camel(_ name: String) -> String {
        name.split(separator: "-").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    public var prometheusRule: PrometheusRule? {
        guard let analysis, analysis.maxReplicationLagSeconds != nil || analysis.maxErrorRatio != nil else { return nil }
        let prefix = Self.camel(spec.name)
        var alerts: [PrometheusRule.Alert] = []
        if watchesLogicalLag, let lag = watchedLag {
            alerts.append(.init(name: prefix + "LogicalReplicationLagHigh", expr: "(\n\(logicalLagAlertQuery)\n) > \(ManifestYAML.number(lag))\n",
                                forDuration: "2m", severity: "critical",
                                summary: "logical replication of migration \(spec.name) is over \(ManifestYAML.number(lag))s of WAL behind (slot {{ $labels.slot_name }})"))
        } else if let lag = watchedLag {
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
