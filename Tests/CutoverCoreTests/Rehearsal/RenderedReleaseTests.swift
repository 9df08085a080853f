import CutoverEmit
import CutoverProof
import Foundation
import Testing

/// Helm's hook order and the mount-path remapping, without a server or helm.
@Suite struct RenderedReleaseTests {
    static let yaml = """
    apiVersion: v1
    kind: ConfigMap
    metadata: {name: m-sql, annotations: {helm.sh/hook: pre-install, helm.sh/hook-weight: "-20"}}
    data: {run-psql.sh: "SQL=/etc/cutover/sql", 0001.up.sql: "SELECT 1;"}
    ---
    apiVersion: batch/v1
    kind: Job
    metadata: {name: m-backfill, annotations: {helm.sh/hook: "post-install,post-upgrade", helm.sh/hook-weight: "5"}}
    spec: {template: {spec: {containers: [{name: c, command: [/bin/sh], args: [a]}]}}}
    ---
    apiVersion: batch/v1
    kind: Job
    metadata: {name: m-expand, labels: {app.kubernetes.io/component: expand}, annotations: {helm.sh/hook: "pre-install,pre-upgrade", helm.sh/hook-weight: "-5"}}
    spec: {activeDeadlineSeconds: 600, backoffLimit: 2, template: {spec: {securityContext: {runAsUser: 10001}, containers: [{name: c, command: [/bin/sh, /etc/cutover/sql/run-psql.sh], args: [0001.up.sql], volumeMounts: [{name: sql, mountPath: /etc/cutover/sql}]}], volumes: [{name: sql, configMap: {name: m-sql}}]}}}
    ---
    apiVersion: batch/v1
    kind: Job
    metadata: {name: m-a-first, annotations: {helm.sh/hook: "pre-install", helm.sh/hook-weight: "-5"}}
    spec: {template: {spec: {containers: [{name: c, command: [/bin/true]}]}}}
    ---
    apiVersion: argoproj.io/v1alpha1
    kind: Rollout
    metadata: {name: webapp}
    """

    @Test func ordersHooksAsHelmDoes() throws {
        let release = try RenderedRelease(yaml: Self.yaml)
        let install = release.ordered(.install)
        #expect(install.pre.map(\.name) == ["m-a-first", "m-expand"])
        #expect(install.plain.isEmpty)
        #expect(install.post.map(\.name) == ["m-backfill"])
        #expect(release.ordered(.upgrade).pre.map(\.name) == ["m-expand"])
        #expect(release.rollouts == ["webapp"])
        let expand = try #require(release.jobs.first { $0.name == "m-expand" })
        #expect(expand.component == "expand")
        #expect(expand.activeDeadlineSeconds == 600 && expand.backoffLimit == 2 && expand.runAsUser == 10001)
        #expect(release.configMaps["m-sql"]?["0001.up.sql"] == "SELECT 1;")
    }

    /// A Job that runs nothing, with Argo CD's annotations.
    static func argoJob(_ name: String, hook: String?, wave: Int) -> String {
        let annotations = (hook.map { ["argocd.argoproj.io/hook: \($0)"] } ?? []) + ["argocd.argoproj.io/sync-wave: \"\(wave)\""]
        return """
        apiVersion: batch/v1
        kind: Job
        metadata: {name: \(name), annotations: {\(annotations.joined(separator: ", "))}}
        spec: {template: {spec: {containers: [{name: c, command: [/bin/true]}]}}}
        """
    }

    static let argo = [
        argoJob("m-expand", hook: "PreSync", wave: -5), argoJob("m-preflight", hook: "PreSync", wave: -10),
        argoJob("m-b-check", hook: "PreSync", wave: -5), argoJob("m-complete", hook: "PostSync", wave: 5),
        argoJob("m-plain", hook: nil, wave: 3),
        "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {name: webapp, annotations: {argocd.argoproj.io/sync-wave: \"0\"}}",
    ].joined(separator: "\n---\n")

    @Test func argoCDPlaysPhasesThenWavesAndJobsOfAWaveTogether() throws {
        let release = try RenderedRelease(yaml: Self.argo)
        let steps = RehearsalDelivery.argocd.steps(release, action: .install)
        func describe(_ step: DeliveryStep) -> String {
            switch step {
            case .jobs(let jobs, let hook): return "\(hook): " + jobs.map(\.name).joined(separator: ",")
            case .rollout: return "rollout"
            case .promotion: return "promotion"
            case .services: return "services"
            }
        }
        #expect(steps.map(describe) == ["PreSync wave -10: m-preflight", "PreSync wave -5: m-b-check,m-expand", "rollout",
                                          "Sync wave 3: m-plain", "promotion", "PostSync wave 5: m-complete"])
    }

    @Test func kubectlStartsTheRolloutAndEveryJobAtOnceAndHelmOneHookAtATime() throws {
        let release = try RenderedRelease(yaml: Self.argo)
        let kubectl = RehearsalDelivery.kubectl.steps(release, action: .install)
        #expect(kubectl.count == 2 && kubectl[0] == .rollout)
        #expect(kubectl[1].jobs.map(\.name) == ["m-b-check", "m-complete", "m-expand", "m-plain", "m-preflight"])
        let helm = RehearsalDelivery.helm.steps(try RenderedRelease(yaml: Self.yaml), action: .install)
        #expect(helm.map { $0.jobs.map(\.name) } == [["m-a-first"], ["m-expand"], [], ["m-backfill"]])
        #expect(helm[2] == .rollout)
    }

    @Test func rewritesMountRootsOnce() {
        let roots = JobPlayer.roots([(volume: "sql", path: "/etc/cutover/sql"), (volume: "db", path: "/etc/cutover/db"), (volume: "tmp", path: "/tmp")])
        #expect(roots == ["/etc/cutover", "/tmp"])
        let text = #"SQL=/etc/cutover/sql; cat "/etc/cutover/$1/username" > /tmp/schema.sql; x=/var/tmp/y; HOME=/tmp"#
        #expect(JobPlayer.rewrite(text, roots: roots, local: "/s/j") ==
                #"SQL=/s/j/etc/cutover/sql; cat "/s/j/etc/cutover/$1/username" > /s/j/tmp/schema.sql; x=/var/tmp/y; HOME=/s/j/tmp"#)
    }
}
