import Foundation

/// The validation stage: shape, typed reading, base schema, then the semantic rules.
public struct SpecValidator: SpecValidating {
    public var limits: InputLimits
    /// The operations, rules and operation checks (`SpecLanguage.cutover`; `SpecValidator(limits:)` is
    /// declared above Validation).
    let language: SpecLanguage

    package init(limits: InputLimits = .default, language: SpecLanguage) {
        self.limits = limits
        self.language = language
    }

    public func validate(_ root: SyntaxNode, source: SourceFile, diagnostics: inout DiagnosticBag) -> CheckedSpec? {
        ShapeChecker(limits: limits, migration: language.migration).checkShape(root, diagnostics: &diagnostics)
        let shapeErrors = diagnostics.hasErrors
        let consistencyStart = diagnostics.diagnostics.count
        ConsistencyRules(migration: language.migration).check(root, diagnostics: &diagnostics)
        let consistency = diagnostics.diagnostics[consistencyStart...]
        var scripts = DiagnosticBag(file: diagnostics.file, rules: diagnostics.rules)
        ScriptRules(source: source).check(root, diagnostics: &scripts)
        diagnostics.append(contentsOf: scripts.diagnostics)
        // A tree of the right shape builds a typed spec whatever ConsistencyRules found (how fields fit
        // together: NOT NULL without default, engine options, strategy fields), so the changes are
        // still checked against the schema: a CUT040 in one change must not hide a CUT042 or CUT044 in
        // another. A malformed SQL identifier still stops here (every reference to it would fail too).
        let blocking = consistency.contains { $0.severity == .error && $0.rule == .sqlIdentifier }
        if shapeErrors || scripts.hasErrors || blocking { return nil }
        let spec = SpecBuilder(operations: language.operations).build(root, path: source.path)
        let schema = spec.database.schema.flatMap { loadSchema($0, spec: spec, diagnostics: &diagnostics) }
        SemanticRules(checks: language.checks).check(spec, schema: schema, diagnostics: &diagnostics)
        if diagnostics.hasErrors { return nil }
        // The rules that lower the spec run next, in the driver (`PlanChecks`, above Validation).
        return CheckedSpec(spec: spec, schema: schema)
    }

    /// Reads `database.schema` relative to the spec file; the path was already checked not to leave its folder.
    private func loadSchema(_ path: Located<String>, spec: MigrationSpec, diagnostics: inout DiagnosticBag) -> DatabaseSchema? {
        let specURL = URL(fileURLWithPath: spec.sourcePath)
        let folder = specURL.deletingLastPathComponent()
        let url = folder.appendingPathComponent(path.value).standardizedFileURL
        let resolvedFolder = folder.standardizedFileURL.resolvingSymlinksInPath().path
        let resolved = url.resolvingSymlinksInPath().path
        guard resolved.hasPrefix(resolvedFolder + "/") else {
            diagnostics.report(.schemaFile, Message.schemaOutside(path.value), at: path.location)
            return nil
        }
        // Size first, then a capped read: a 2 GiB schema is refused without being loaded.
        let data: [UInt8]
        switch try? BoundedFile.read(resolved, limit: limits.maxBytes) {
        case .bytes(let bytes)?:
            data = bytes
        case .tooLarge?:
            diagnostics.report(.schemaFile, Message.schemaTooLarge(path.value, limit: limits.maxBytes), at: path.location)
            return nil
        case nil:
            diagnostics.report(.schemaFile, Message.schemaUnreadable(path.value), at: path.location)
            return nil
        }
        // The bytes as read are what both readers take: no String of a 2 MB dump is made.
        guard UTF8Check.isValid(data) else {
            diagnostics.report(.schemaFile, Message.schemaNotUTF8(path.value), at: path.location)
            return nil
        }
        checkClientCommands(data, path: path.value, spec: spec, diagnostics: &diagnostics)
        let reader = SchemaReader(engine: spec.database.engine, focus: SchemaReader.focus(of: spec), defaultSchema: spec.database.schemaName)
        let schema = reader.read(bytes: data, reportingAt: path.location, diagnostics: &diagnostics)
        ReplicaIdentityRule().check(schema, bytes: data, spec: spec, at: path.location, diagnostics: &diagnostics)
        return schema
    }

    /// CUT027 / CUT028 in the schema file itself, located in that file: verify and rehearse load it
    /// through the engine's client. The dump tools' own guard lines are accepted: pg_dump's `\restrict`
    /// lines (strip them with `SQLLexer.removingDumpRestrictLines` before loading) and mariadb-dump's
    /// sandbox line.
    private func checkClientCommands(_ bytes: [UInt8], path: String, spec: MigrationSpec, diagnostics: inout DiagnosticBag) {
        let engine = spec.database.engine
        let findings = ScriptRules.findings(in: bytes, engine: engine, field: "schema file '\(path)'", allowDumpRestrict: true)
        guard !findings.isEmpty else { return }
        let specPath = spec.sourcePath
        let file = specPath.lastIndex(of: "/").map { String(specPath[...$0]) + path } ?? path
        for finding in findings {
            diagnostics.append(contentsOf: [Diagnostic(finding.rule, nil, finding.message, file: file,
                                                       at: SourceLocation(line: finding.line, column: finding.column))])
        }
    }
}

extension Message {
    public static func schemaOutside(_ path: String) -> String { "schema file '\(path)' resolves outside the spec's folder" }
    public static func schemaUnreadable(_ path: String) -> String { "cannot read schema file '\(path)'" }
    public static func schemaTooLarge(_ path: String, limit: Int) -> String { "schema file '\(path)' is over the limit of \(limit) bytes" }
    public static func schemaNotUTF8(_ path: String) -> String { "schema file '\(path)' is not UTF-8" }
}
