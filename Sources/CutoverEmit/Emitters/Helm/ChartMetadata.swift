import CutoverPlan
import Yams

/// `Chart.yaml` (apiVersion v2), named after the migration; appVersion is the app image's tag.
public struct ChartMetadata: Sendable {
    public static let chartVersion = "0.1.0"
    public var spec: MigrationSpec

    public init(_ spec: MigrationSpec) {
        self.spec = spec
    }

    public var appVersion: String {
        let image = spec.app.image.value
        if let at = image.firstIndex(of: "@") { return String(image[image.index(after: at)...].prefix(19)) }
        let last = image.split(separator: "/").last.map(String.init) ?? image
        if let colon = last.lastIndex(of: ":") { return String(last[last.index(after: colon)...]) }
        return "latest"
    }

    public var yaml: String {
        let node = ManifestYAML.mapping([
            ("apiVersion", ManifestYAML.string("v2")),
            ("name", ManifestYAML.string(spec.name)),
            ("description", ManifestYAML.string("cutover migration \(spec.name) (\(spec.strategy.rawValue), \(spec.database.engine.rawValue))")),
            ("type", ManifestYAML.string("application")),
            ("version", ManifestYAML.string(Self.chartVersion)),
            ("appVersion", ManifestYAML.string(appVersion)),
            ("annotations", ManifestYAML.mapping([("cutover.dev/strategy", ManifestYAML.string(spec.strategy.rawValue))])),
        ])
        return ManifestYAML.document(node, header: GeneratedHeader.yaml(spec))
    }
}
