import Foundation

/// `helm template` of a generated chart: the objects Helm would send to the cluster for a release
/// with the given `--set` values, hooks included.
public struct HelmTemplate: Sendable {
    public let helm: String

    /// `helm` in PATH, then in the conformance tools folder (`~/.cache/conformance/bin`).
    public static func locate(_ locator: ToolLocator = ToolLocator()) throws -> HelmTemplate {
        var extra: [String] = []
        if let home = locator.environment["HOME"], !home.isEmpty { extra.append("\(home)/.cache/conformance/bin") }
        extra.append("/root/.cache/conformance/bin")
        if let explicit = locator.environment["CUTOVER_HELM"], !explicit.isEmpty {
            guard FileManager.default.isExecutableFile(atPath: explicit) else {
                throw VerificationError.noServer("CUTOVER_HELM=\(explicit) is not an executable")
            }
            return HelmTemplate(helm: explicit)
        }
        guard let helm = locator.find("helm", extra: extra) else {
            throw VerificationError.noServer("rehearse renders the chart with `helm template`, and no helm was found (looked in CUTOVER_HELM, PATH and ~/.cache/conformance/bin); install Helm 3")
        }
        return HelmTemplate(helm: helm)
    }

    /// Renders `chart` as release `release`; `values` are `--set` switches (sorted, so the call is the same every run).
    public func render(chart: String, release: String, namespace: String, values: [String: String]) throws -> String {
        var arguments = ["template", release, chart, "--namespace", namespace]
        for (key, value) in values.sorted(by: { $0.key < $1.key }) {
            // --set-string: the runbook's values are strings as written ("true" is read as a bool by the chart either way).
            arguments += [value == "true" || value == "false" ? "--set" : "--set-string", "\(key)=\(value)"]
        }
        var environment = ProcessInfo.processInfo.environment
        environment["HELM_CACHE_HOME"] = environment["HELM_CACHE_HOME"] ?? NSTemporaryDirectory() + "cutover-helm-cache"
        let result = try ChildProcess.run(helm, arguments, environment: environment)
        guard result.status == 0 else {
            throw VerificationError.sqlFailed("helm template \(arguments.dropFirst(3).joined(separator: " ")) failed (exit \(result.status)):\n" + indent(result.output))
        }
        return result.output
    }
}
