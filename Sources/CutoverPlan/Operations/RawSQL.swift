/// `sql`, the escape hatch: the user's up and down verbatim, in the phase the spec names, flagged as
/// unchecked (CUT047), the same for both engines. On PostgreSQL, a down that drops by name what its up
/// creates (function, view, table, trigger, column) carries the matching squawk suppression, since that
/// is safe by construction. Validation reads what it can of the up's DDL (`RawSQLSchemaEffects`); its
/// effect on `DatabaseSchema` is unknown to Planning.
public struct RawSQL: OperationUnit {
    public enum Phase: String, Sendable, Codable { case expand, backfill, contract }
    public var name: Name
    public var up: Located<String>
    public var down: Located<String>
    public var phase: Phase
    public var transactional: Bool

    package static let keyword = "sql"

    package static let field = Field("sql", .object(ObjectShape("sql", "run hand-written SQL (escape hatch)", [
        Field("name", .text(.slug), required: true, "step name, used in file names"),
        Field("up", .text(.sqlScript), required: true, "SQL to apply"),
        Field("down", .text(.sqlScript), required: true, "SQL that undoes 'up'"),
        Settings.Operation.phase.field,
        Settings.Operation.transactional.field,
    ])), "hand-written SQL; 'down' is required and the step is flagged as unchecked")

    package static let rules = [UncheckedSQLRule.rule, MySQLImplicitCommitRule.rule]

    /// CUT047 `unchecked-sql`: a 'sql' change is not checked (warning).
    enum UncheckedSQLRule: RuleUnit {
        static let rule = Rule(
            id: .uncheckedSQL, name: "unchecked-sql", severity: .warning, checkedBy: [.references],
            summary: "a 'sql' change is not checked (warning)",
            rationale: "The escape hatch runs as written: cutover cannot make it lock-safe or idempotent, nor check that 'down' undoes 'up', and it checks references after it only as far as it can read the up's DDL (CREATE/ALTER/DROP TABLE, CREATE/DROP INDEX). Prefer a structured operation.",
            triggering: [RuleExample(Snippets.spec(changes: "    - sql:\n        name: add-tier\n        up: ALTER TABLE pricing ADD COLUMN tier text;\n        down: ALTER TABLE pricing DROP COLUMN tier;\n")).expecting((17, 7))],
            nonTriggering: [RuleExample(Snippets.spec())])
    }

    /// CUT077 `mysql-implicit-commit`: a transactional MySQL `sql` script of several statements that
    /// commits part-way (warning).
    enum MySQLImplicitCommitRule: RuleUnit {
        static let rule = Rule(
            id: .mysqlImplicitCommit, name: "mysql-implicit-commit", severity: .warning, checkedBy: [.references],
            summary: "on MySQL, a transactional 'sql' script of several statements that commits part-way (warning)",
            rationale: "MySQL commits implicitly before and after every DDL statement (CREATE, ALTER, DROP, RENAME, TRUNCATE, GRANT, LOCK TABLES, …), so `transactional: true` cannot make such a script one unit: when a later statement fails, the ones before it stay applied, the Job retries the whole file and the down may meet a half-applied up. Make every statement idempotent (IF NOT EXISTS, guards) and say so with `transactional: false`, or split the script into one change per DDL statement.",
            triggering: [RuleExample(Snippets.spec(database: Snippets.mysqlDatabase,
                                                   changes: "    - sql:\n        name: add-tier\n        up: ALTER TABLE pricing ADD COLUMN tier text; UPDATE pricing SET tier = 'basic';\n        down: ALTER TABLE pricing DROP COLUMN tier;\n")).expecting((19, 13))],
            nonTriggering: [
                RuleExample(Snippets.spec(database: Snippets.mysqlDatabase,
                                          changes: "    - sql:\n        name: add-tier\n        up: ALTER TABLE pricing ADD COLUMN tier text; UPDATE pricing SET tier = 'basic';\n        down: ALTER TABLE pricing DROP COLUMN tier;\n        transactional: false\n")),
                RuleExample(Snippets.spec(database: Snippets.mysqlDatabase,
                                          changes: "    - sql:\n        name: fill-tier\n        up: UPDATE pricing SET tier = 'basic'; DELETE FROM pricing WHERE amount < 0;\n        down: UPDATE pricing SET tier = NULL;\n")),
                RuleExample(Snippets.spec(changes: "    - sql:\n        name: add-tier\n        up: ALTER TABLE pricing ADD COLUMN tier text; UPDATE pricing SET tier = 'basic';\n        down: ALTER TABLE pricing DROP COLUMN tier;\n")),
            ])

        /// The first words of the statements MySQL commits around (a transaction cannot hold them).
        static let committing: Set<String> = ["ALTER", "CREATE", "DROP", "RENAME", "TRUNCATE", "GRANT", "REVOKE", "LOCK", "UNLOCK",
                                              "ANALYZE", "OPTIMIZE", "REPAIR", "CHECK", "INSTALL", "UNINSTALL", "FLUSH", "CACHE", "LOAD"]

        /// True when the script has more than one statement and one of them commits implicitly.
        static func commitsPartWay(_ script: String) -> Bool {
            let statements = SQLLexer.statements(in: script, engine: .mysql)
            guard statements.count > 1 else { return false }
            return statements.contains { committing.contains(RawSQL.words($0.text).first ?? "") }
        }
    }

    package static func read(_ node: SyntaxNode, _ reader: SpecBuilder) -> RawSQL? {
        guard let step = reader.name(node["name"]), let up = reader.located(node["up"]), let down = reader.located(node["down"]) else { return nil }
        return RawSQL(name: step, up: up, down: down, phase: Settings.Operation.phase.value(in: node),
                      transactional: Settings.Operation.transactional.value(in: node))
    }

    package static let examples = [
        OperationExample(engine: .postgresql, schema: OperationExample.pricing,
                         changes: "    - sql:\n        name: pricing-totals-view\n        up: CREATE OR REPLACE VIEW pricing_totals AS SELECT sum(amount) AS amount FROM pricing;\n"
                             + "        down: DROP VIEW IF EXISTS pricing_totals;\n"),
        OperationExample(engine: .mysql, schema: OperationExample.pricingMySQL,
                         changes: "    - sql:\n        name: pricing-totals-view\n        up: CREATE OR REPLACE VIEW pricing_totals AS SELECT sum(amount) AS amount FROM pricing;\n"
                             + "        down: DROP VIEW IF EXISTS pricing_totals;\n"),
    ]

    /// None: the preflight and rehearse's traffic do not read the user's SQL.
    package var tables: [Name] { [] }
    package func tableWithLaterSteps(engine: MigrationSpec.Engine) -> Name? { nil }

    /// CUT047 on every `sql` change; the schema follows the up's DDL where it can be read, else it stops
    /// being complete (CUT036 says where).
    package func check(_ rules: inout ReferenceRules, change: Change) {
        rules.report(.uncheckedSQL, Message.uncheckedSQL(name.value), at: change.location)
        if rules.engine == .mysql && transactional {
            for (script, which) in [(up, "up"), (down, "down")] where MySQLImplicitCommitRule.commitsPartWay(script.value) {
                rules.report(.mysqlImplicitCommit, Message.mysqlImplicitCommit(name.value, script: which), at: script.location)
            }
        }
        let effects = RawSQLSchemaEffects.read(up.value, engine: rules.engine, defaultSchema: rules.defaultSchema)
        if let unreadable = effects.unreadable {
            rules.schema.forgetCompleteness()
            rules.report(.schemaStatementSkipped, Message.sqlChangeNotRead(name.value, line: unreadable.line, words: unreadable.words), at: up.location)
        } else {
            rules.schema.apply(effects, name: name.value, line: change.location.line)
        }
    }

    func lower(_ r: Recipe) -> [StepDraft] {
        let raw = self
        let phase: CutoverPlan.Phase
        switch raw.phase {
        case .expand: phase = .expand
        case .backfill: phase = .backfill
        case .contract: phase = .contract
        }
        let marker = "cutover: sql escape hatch \"\(raw.name.value)\" (user SQL, verbatim, not checked by cutover)"
        let up = SQLStatement(Self.trimmed(raw.up.value), comment: marker, kind: .userSQL)
        var down = SQLStatement(Self.trimmed(raw.down.value), comment: marker, kind: .userSQL)
        if r.engine == .postgresql {
            let rules = Self.dropSuppressions(up: raw.up.value, down: raw.down.value)
            if !rules.isEmpty {
                down.suppressions = .rules(rules, "the down drops only what this pair's up creates")
            }
        }
        return [StepDraft(phase, slug: "sql \(raw.name.value)", title: "sql: \(raw.name.value) (unchecked)", change: r.change,
                          up: [up], down: [down], transactional: raw.transactional, unchecked: true)]
    }

    /// Nothing Planning knows of.
    func apply(to schema: inout DatabaseSchema, engine: MigrationSpec.Engine) {}

    static func trimmed(_ text: String) -> String {
        var out = text.trimmingWhitespace()
        if !out.hasSuffix(";") { out += ";" }
        return out
    }

    /// squawk rules a down trips by dropping an object whose name the up creates (a simple textual match).
    static func dropSuppressions(up: String, down: String) -> [String] {
        let kinds: [(keyword: String, rule: String)] = [("FUNCTION", "ban-drop-function"), ("PROCEDURE", "ban-drop-function"),
                                                         ("VIEW", "ban-drop-view"), ("MATERIALIZED VIEW", "ban-drop-view"),
                                                         ("TABLE", "ban-drop-table"), ("COLUMN", "ban-drop-column")]
        let upWords = words(up)
        let downWords = words(down)
        var rules: [String] = []
        for (keyword, rule) in kinds {
            let parts = keyword.split(separator: " ").map(String.init)
            var i = 0
            while i < downWords.count {
                if downWords[i] == "DROP", Array(downWords.dropFirst(i + 1).prefix(parts.count)) == parts {
                    var j = i + 1 + parts.count
                    if j + 1 < downWords.count, downWords[j] == "IF", downWords[j + 1] == "EXISTS" { j += 2 }
                    if j < downWords.count {
                        let name = downWords[j]
                        if upWords.contains(name) && !rules.contains(rule) { rules.append(rule) }
                    }
                }
                i += 1
            }
        }
        return rules
    }

    /// Upper-cased words (identifiers, keywords), with quotes and punctuation as separators.
    static func words(_ text: String) -> [String] {
        var out: [String] = []
        var current = ""
        for character in text.uppercased() {
            if character.isLetter || character.isNumber || character == "_" || character == "." {
                current.append(character)
            } else {
                if !current.isEmpty { out.append(current) }
                current = ""
            }
        }
        if !current.isEmpty { out.append(current) }
        return out
    }
}

extension RuleID {
    public static let uncheckedSQL = RuleID("CUT047")
    public static let mysqlImplicitCommit = RuleID("CUT077")
}

extension Message {
    public static func mysqlImplicitCommit(_ name: String, script: String) -> String {
        "sql change '\(name)': MySQL commits the \(script)'s DDL implicitly, so its statements cannot run as one transaction; a failure part-way leaves the statements before it applied; make each statement idempotent and set transactional: false, or split the script into one change per DDL statement"
    }

    public static func uncheckedSQL(_ name: String) -> String {
        "sql change '\(name)' is not checked: cutover cannot verify that it is safe, idempotent or that 'down' undoes 'up'"
    }
}

/// Its settings with defaults (`phase`, `transactional`), declared here with the shape that places them.
extension Settings.Operation {
    static let phase = Setting<RawSQL.Phase>("phase", .choice(["expand", "backfill", "contract"]), default: .value(.expand),
                                             "phase the step runs in")
    static let transactional = Setting<Bool>("transactional", .boolean, default: .value(true),
                                             "true: the up and the down each run in one transaction with every tool (MySQL commits DDL implicitly: only DML is undone); false when the SQL cannot run in a transaction")
}

extension RawSQL.Phase: ChoiceSettingValue {}
