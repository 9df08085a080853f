@testable import CutoverPlan
@testable import CutoverSpec
@testable import CutoverEmit
import Testing
import Yams

@Suite struct ManifestYAMLTests {
    @Test(arguments: ["yes", "no", "on", "off", "true", "False", "8080", "0.0005", "1e3", "0o17", "0x1F", "~", "null", "", "y", "N",
                      "2024-01-02", "<<", "=", ".inf", "1:30"])
    func quotesStringsThatWouldReadAsSomethingElse(_ text: String) throws {
        let yaml = ManifestYAML.document(ManifestYAML.mapping([("k", ManifestYAML.string(text))]), header: "")
        #expect(yaml.hasPrefix("k: '"), "\(yaml)")
        // and it reads back as the same string
        let loaded = try Yams.load(yaml: yaml) as? [String: Any]
        #expect(loaded?["k"] as? String == text)
    }

    @Test(arguments: ["hello", "ghcr.io/acme/webapp:v2.3.1", "100Mi", "/tmp", "pre-install,pre-upgrade"])
    func leavesOrdinaryStringsPlain(_ text: String) {
        let yaml = ManifestYAML.document(ManifestYAML.mapping([("k", ManifestYAML.string(text))]), header: "")
        #expect(yaml == "k: \(text)\n")
    }

    @Test func numbersAndBooleansAreTyped() {
        let yaml = ManifestYAML.document(ManifestYAML.mapping([
            ("count", ManifestYAML.int(5)), ("b", ManifestYAML.bool(false)), ("s", ManifestYAML.string("5")), ("n", ManifestYAML.string("x")),
        ]), header: "")
        // 'n' is a YAML 1.1 boolean, so even as a key it is quoted.
        #expect(yaml == "count: 5\nb: false\ns: '5'\n'n': x\n")
    }

    @Test func multiLineStringsAreLiteralBlocksAndLongLinesAreNot() {
        let short = ManifestYAML.document(ManifestYAML.mapping([("q", ManifestYAML.string("a\n  b\n"))]), header: "")
        #expect(short == "q: |\n  a\n    b\n")
        let long = String(repeating: "word ", count: 60)
        let folded = ManifestYAML.document(ManifestYAML.mapping([("q", ManifestYAML.string(long + "\nend\n"))]), header: "")
        #expect(folded.hasPrefix("q: \""))
        #expect(folded.split(separator: "\n").allSatisfy { $0.count <= 200 })
    }

    @Test func numberTextHasNoExponent() {
        #expect(ManifestYAML.number(0.0005) == "0.0005")
        #expect(ManifestYAML.number(0.00001) == "0.00001")
        #expect(ManifestYAML.number(5) == "5")
        #expect(ManifestYAML.number(2.5) == "2.5")
    }

    @Test func objectsKeepTheConventionalKeyOrder() {
        let meta = ObjectMeta(name: "x", namespace: "ns", labels: [KeyValue("b", "1"), KeyValue("a", "yes")],
                              annotations: [KeyValue("helm.sh/hook-weight", "-5")])
        let account = ServiceAccount(metadata: meta)
        let yaml = ManifestYAML.document(account.node(), header: "# h\n")
        #expect(yaml == """
            # h
            apiVersion: v1
            kind: ServiceAccount
            metadata:
              name: x
              namespace: ns
              labels:
                b: '1'
                a: 'yes'
              annotations:
                helm.sh/hook-weight: '-5'
            automountServiceAccountToken: false

            """)
    }

    @Test func resourcesAreSortedByName() {
        let resources = ResourceRequirements(MigrationSpec.Resources(requests: ["memory": "1Gi", "cpu": "1", "ephemeral-storage": "1Gi"],
                                                                     limits: ["memory": "2Gi", "cpu": "2"]))
        #expect(resources.requests.map(\.key) == ["cpu", "ephemeral-storage", "memory"])
        let yaml = ManifestYAML.document(resources.node(), header: "")
        #expect(yaml == "requests:\n  cpu: '1'\n  ephemeral-storage: 1Gi\n  memory: 1Gi\nlimits:\n  cpu: '2'\n  memory: 2Gi\n")
    }

    @Test func jobSpecFieldsComeInOrder() {
        let spec = KubernetesFixtures.spec(KubernetesFixtures.expandContractYAML)
        let plan = KubernetesFixtures.fullPlan(spec)
        let unit = JobCatalog(plan).jobs.first { $0.suffix == "expand" }!
        let job = JobBuilder(plan: plan, toolImage: "img:1", clientImage: "img:1").job(unit, configMap: "cm")
        let yaml = ManifestYAML.document(job.node(), header: "")
        let keys = yaml.split(separator: "\n").filter { !$0.hasPrefix(" ") }.map { String($0.split(separator: ":")[0]) }
        #expect(keys == ["apiVersion", "kind", "metadata", "spec"])
        let order = ["backoffLimit", "activeDeadlineSeconds: \(PhaseCommands.jobDeadlineSeconds(spec))", "ttlSecondsAfterFinished", "template", "serviceAccountName",
                     "automountServiceAccountToken: false", "restartPolicy: Never", "runAsNonRoot: true", "seccompProfile",
                     "imagePullPolicy: Always", "readOnlyRootFilesystem: true", "defaultMode: 288", "sizeLimit"]
        var position = yaml.startIndex
        for key in order {
            let found = yaml.range(of: key, range: position..<yaml.endIndex)
            #expect(found != nil, "\(key) missing or out of order")
            if let found { position = found.upperBound }
        }
    }

    @Test func helmEscaperKeepsOnlyTheChartExpressions() {
        #expect(HelmEscaper.escape("result[0] <= {{args.max}}") == "result[0] <= {{`{{args.max}}`}}")
        #expect(HelmEscaper.escape("a {{ b }} c {{d}}") == "a {{`{{ b }}`}} c {{`{{d}}`}}")
        #expect(HelmEscaper.escape("x`{{y`}}") == "x`{{ \"{{y`}}\" }}")
        #expect(HelmEscaper.escape("open {{ only") == "open {{`{{`}} only")
        let node = ManifestYAML.mapping([("image", ManifestYAML.string(DeliveryLayout.runnerImageValue)),
                                         ("q", ManifestYAML.string("{{args.q}}"))])
        let yaml = ManifestYAML.document(HelmEscaper.escape(node, keeping: DeliveryLayout.helmExpressions), header: "")
        #expect(yaml == "image: '{{ .Values.runner.image }}'\nq: '{{`{{args.q}}`}}'\n")
    }
}
