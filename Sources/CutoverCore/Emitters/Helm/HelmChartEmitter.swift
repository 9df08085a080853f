import CutoverTemplates
import Yams

/// `chart/`: a Helm chart (apiVersion v2) whose hook Jobs run the phases in order. Each template is
/// the YAML of one generated object, optionally inside one `{{- if SWITCH }}` … `{{- end }}`. The SQL
/// ConfigMap carries the files inline, serialized by Yams like every other object (so yamllint sees
/// well-formed blocks) and escaped for Helm, so a `{{` inside SQL prints unchanged.
public struct HelmChartEmitter: Emitting {
    public init() {}

    public func emit(_ plan: MigrationPlan) -> [OutputFile] {
        let spec = plan.spec
        let header = GeneratedHeader.yaml(spec)
        let values = ChartValues(plan)
        var out = [
            OutputFile(path: "chart/Chart.yaml", contents: ChartMetadata(spec).yaml),
            OutputFile(path: "chart/values.yaml", contents: values.valuesYAML),
            OutputFile(path: "chart/values.schema.json", contents: values.schemaJSON),
            OutputFile(path: "chart/.helmignore", contents: header + Templates.text(.helmIgnore)),
            OutputFile(path: "chart/templates/_helpers.tpl", contents: GeneratedHeader.helmTemplate(spec) + Templates.text(.helmHelpers)),
            OutputFile(path: "chart/templates/NOTES.txt", contents: ChartNotes(spec).text),
        ]
        let files = RunnerFiles(plan)
        for var item in DeliveryLayout(plan, for: .chart).items {
            if item.isSQLConfigMap, var configMap = item.object as? ConfigMap {
                configMap.data = files.allNames.map { KeyValue($0, files.contents($0)) }
                item.object = configMap
            }
            out.append(OutputFile(path: "chart/templates/" + item.fileName, contents: template(item, header: header)))
        }
        return out
    }

    func template(_ item: DeliveryItem, header: String) -> String {
        var object = item.object
        object.metadata.annotations = item.ordering.annotations(.helm)
        let node = HelmEscaper.escape(object.node(), keeping: DeliveryLayout.helmExpressions)
        let body = ManifestYAML.document(node, header: header)
        guard let condition = item.chartGuard else { return body }
        return "{{- if \(condition) }}\n" + body + "{{- end }}\n"
    }
}
