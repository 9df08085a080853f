import Foundation

/// `kubectl kustomize` of a generated manifests folder: the objects `kubectl apply -k` (or an Argo CD
/// sync of the folder) would send to the cluster.
public struct KustomizeBuild: Sendable {
    public let kubectl: String

    /// `kubectl` from CUTOVER_KUBECTL, PATH, then the conformance tools folder (`~/.cache/conformance/bin`).
    public static func locate(_ locator: ToolLocator = ToolLocator()) throws -> KustomizeBuild {
        if let explicit = locator.environment["CUTOVER_KUBECTL"], !explicit.isEmpty {
            guard FileManager.default.isExecutableFile(atPath: explicit) else {
                throw VerificationError.noServer("CUTOVER_KUBECTL=\(explicit) is not an executable")
            }
            return KustomizeBuild(kubectl: explicit)
        }
        var extra: [String] = []
        if let home = locator.environment["HOME"], !home.isEmpty { extra.append("\(home)/.cache/conformance/bin") }
        extra.append("/root/.cache/conformance/bin")
        guard let kubectl = locator.find("kubectl", extra: extra) else {
            throw VerificationError.noServer("rehearse --delivery kubectl|argocd renders the manifests with `kubectl kustomize`, and no kubectl was found (looked in CUTOVER_KUBECTL, PATH and ~/.cache/conformance/bin); install kubectl")
        }
        return KustomizeBuild(kubectl: kubectl)
    }

    /// Renders the kustomization in `folder`, with kustomize's default load restrictions (no file
    /// outside the kustomization's root).
    public func render(folder: String) throws -> String {
        let result = try ChildProcess.run(kubectl, ["kustomize", folder], environment: ProcessInfo.processInfo.environment)
        guard result.status == 0 else {
            throw VerificationError.sqlFailed("kubectl kustomize \(folder) failed (exit \(result.status)):\n" + indent(result.output))
        }
        return result.output
    }
}
