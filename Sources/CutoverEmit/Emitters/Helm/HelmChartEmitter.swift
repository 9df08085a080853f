import CutoverTemplates
import Yams

/// `chart/`: a Helm chart (apiVersion v2) whose hook Jobs run the phases in order. Each template is
/// the YAML of one generated object, optionally inside one `{{- if SWITCH }}` … `{{- end }}`. Each
/// Job's SQL ConfigMap(s) carry its files inline, serialized like every other object (so yamllint
/// sees well-formed blocks) and escaped for Helm, so a `{{` inside SQL prints unchanged; they sit
/// behind the Job's switch.
public struct HelmChartEmitter: Emitting {
    public init() {}

    public func emit(_ context: EmissionContext, to sink: (OutputFile) throws -> Void) rethrows {
        let plan = context.plan
        let spec = plan.spec
        let header = GeneratedHeader.yaml(spec)
        let values = ChartValues(plan)
        try sink(OutputFile(path: "chart/Chart.yaml", contents: ChartMetadata(spec).yaml))
        try sink(OutputFile(path: "chart/values.yaml", contents: values.valuesYAML))
        try sink(OutputFile(path: "chart/values.schema.json", contents: values.schemaJSON))
        try sink(OutputFile(path: "chart/.helmignore", contents: header + Templates.text(.helmIgnore)))
        try sink(OutputFile(path: "chart/templates/_helpers.tpl", contents: GeneratedHeader.helmTemplate(spec) + Templates.text(.helmHelpers)))
        try sink(OutputFile(path: "chart/templates/NOTES.txt", contents: ChartNotes(spec).text))
        for item in context.items(for: .chart) {
            try sink(OutputFile(path: "chart/templates/" + item.fileName, bytes: templateBytes(item, header: header)))
        }
    }

    func template(_ item: DeliveryItem, header: String) -> String {
        String(decoding: templateBytes(item, header: header), as: UTF8.self)
    }

    func templateBytes(_ item: DeliveryItem, header: String) -> [UInt8] {
        var object = item.object
        object.metadata.annotations = item.ordering.annotations(.helm) + item.helmAnnotations
        let node = HelmEscaper.escape(object.node(), keeping: DeliveryLayout.helmExpressions)
        guard let condition = item.chartGuard else { return ManifestYAML.documentBytes(node, header: header) }
        return ManifestYAML.documentBytes(node, header: "{{- if \(condition) }}\n" + header) + "{{- end }}\n".utf8
    }
}
