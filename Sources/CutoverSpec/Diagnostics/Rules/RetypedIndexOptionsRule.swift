extension RuleID {
    public static let retypedIndexOptions = RuleID("CUT114")
}

/// CUT114 `retyped-index-options` (trial 14j MUST-FIX 2): a type change through a copy column rebuilds
/// the indexes and unique keys over the column on the copy, as the same index with only the column
/// replaced: each key's order, NULLS, operator class, COLLATE and MySQL prefix length, and PostgreSQL's
/// INCLUDE, WITH and WHERE are carried from the definition the model holds. What cannot be carried is
/// refused at the alterColumn: a key option that may not hold for the new type (a MySQL prefix length
/// on a type without one or longer than it, a TEXT/BLOB key without one; a PostgreSQL operator class or
/// COLLATE on a type of another family), and a PostgreSQL unique constraint's index options, which its
/// rebuild (a unique index attached as the constraint) does not carry.
package enum RetypedIndexOptionsRule: RuleUnit {
    package static let rule = Rule(
        id: .retypedIndexOptions, name: "retyped-index-options", severity: .error, checkedBy: [.references],
        summary: "an index or unique key over a column retyped through a copy has an option that cannot hold for the new type",
        rationale: "A type change that cannot happen in place rebuilds the indexes and unique keys over the column on its copy, in the backfill phase, as the same index with only the column replaced: every key keeps its order (DESC), NULLS FIRST/LAST, operator class, COLLATE and (MySQL) prefix length, and PostgreSQL's INCLUDE, WITH and WHERE stay as written. Some of these depend on the column's type, and a rebuild that dropped them would be another index (the trial's `subject(40)` over TEXT: `ERROR 1071 Specified key was too long` in the backfill Job). Refused: on MySQL, a prefix length on a type that has none (not CHAR, VARCHAR, BINARY, VARBINARY, TEXT or BLOB) or longer than the new length, and a key over TEXT or BLOB without one (MySQL requires it, error 1170); on PostgreSQL, an operator class on the retyped column other than the text ones (text_pattern_ops, varchar_pattern_ops, text_ops, varchar_ops, gin_trgm_ops, gist_trgm_ops) into a text type (an operator class takes its own types: int4_ops does not take bigint), COLLATE into a type of another family, and a unique constraint with NULLS NOT DISTINCT, INCLUDE, WITH or USING INDEX TABLESPACE (its rebuild does not carry them). Drop the index in this migration (dropIndex) and create it as it should be on the new type in the next one, or change the column's type in a migration of its own after dropping the index.",
        triggering: [RuleExample(Snippets.spec(database: Snippets.mysqlDatabase + "    schema: schema.sql\n", changes: retype("note", "TEXT")),
                                 files: ["schema.sql": notesMySQL("KEY pricing_note_idx (note)")]).expecting((21, 15)),
                     RuleExample(Snippets.spec(database: Snippets.pgDatabase + "    schema: schema.sql\n", changes: retype("amount", "bigint")),
                                 files: ["schema.sql": Snippets.pricingSchema + "CREATE INDEX pricing_amount_idx ON pricing (amount int4_ops);\n"]).expecting((21, 15))],
        nonTriggering: [RuleExample(Snippets.spec(database: Snippets.mysqlDatabase + "    schema: schema.sql\n", changes: retype("note", "TEXT")),
                                    files: ["schema.sql": notesMySQL("KEY pricing_note_idx (note(40) DESC)")]),
                        RuleExample(Snippets.spec(database: Snippets.pgDatabase + "    schema: schema.sql\n", changes: retype("amount", "bigint")),
                                    files: ["schema.sql": Snippets.pricingSchema
                                        + "CREATE INDEX pricing_amount_idx ON pricing (amount DESC NULLS LAST) INCLUDE (id) WITH (fillfactor = 70);\n"])])

    private static func retype(_ column: String, _ type: String) -> String {
        "    - alterColumn:\n        table: pricing\n        column: \(column)\n        type: \(type)\n"
    }
    private static func notesMySQL(_ key: String) -> String {
        "CREATE TABLE pricing (\n    id   bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,\n    note varchar(150) NOT NULL,\n    \(key)\n) ENGINE=InnoDB;\n"
    }

    /// PostgreSQL operator classes that take every text type (varchar and char binary-coerce to text).
    static let textOperatorClasses: Set<String> = ["text_pattern_ops", "varchar_pattern_ops", "text_ops", "varchar_ops", "gin_trgm_ops", "gist_trgm_ops"]

    /// Called by alterColumn when its type change goes through a copy column.
    package static func check(_ rules: inout ReferenceRules, _ column: Name, of table: String, from old: String?, to type: Located<String>) {
        let key = rules.schema.columnKey(column.value), engine = rules.engine
        for object in rules.schema.objects(on: table) where [.index, .unique].contains(object.kind) && object.columns.contains(key) {
            let what = "\(object.kind.words) \(object.name)"
            if let options = object.indexOptions {
                rules.report(.retypedIndexOptions, Message.retypedUniqueOptions(column.value, what: what, options: options), type)
                continue
            }
            let found = object.keyList.flatMap { IndexKeyText.key(of: column.value, in: $0, engine: engine) }
            if engine == .mysql {
                if let problem = mysqlPrefixProblem(found.flatMap(IndexKeyText.prefixLength), type: type.value) {
                    rules.report(.retypedIndexOptions, Message.retypedIndexOption(column.value, what: what, problem: problem), type)
                }
            } else if let found, let problem = postgresProblem(found, old: old, new: type.value) {
                rules.report(.retypedIndexOptions, Message.retypedIndexOption(column.value, what: what, problem: problem), type)
            }
        }
    }

    /// MySQL: why a key's prefix length (or its lack) cannot hold for `type`; nil when it holds.
    static func mysqlPrefixProblem(_ prefix: Int?, type: String) -> String? {
        let (base, args) = SQLTypeFacts.parse(type)
        let lobs: Set<String> = ["tinytext", "text", "mediumtext", "longtext", "tinyblob", "blob", "mediumblob", "longblob"]
        let sized: Set<String> = ["char", "varchar", "binary", "varbinary"]
        if let prefix {
            if lobs.contains(base) { return nil }
            if sized.contains(base) {
                if let length = args.first, length < prefix { return "its prefix length (\(prefix)) is longer than \(type)" }
                return nil
            }
            return "its prefix length (\(prefix)) cannot hold for \(type), which takes none"
        }
        if lobs.contains(base) { return "a key over \(type) needs a prefix length (MySQL error 1170), and this one has none" }
        return nil
    }

    /// PostgreSQL: why a key's operator class or COLLATE may not hold for the new type; nil when they do.
    static func postgresProblem(_ key: IndexKeyText.Key, old: String?, new: String) -> String? {
        let words = IndexKeyText.typeBoundWords(key)
        guard !words.isEmpty else { return nil }
        let toText = SQLTypeFacts.postgresFamily(new) == "text"
        let parts = words.split(separator: " ").map(String.init)
        var i = 0
        while i < parts.count {
            if parts[i].uppercased() == "COLLATE" {
                if !toText { return "its COLLATE \(i + 1 < parts.count ? parts[i + 1] : "") cannot hold for \(new), which is not a text type" }
                i += 2
                continue
            }
            let opclass = parts[i].replacingOccurrences(of: "\"", with: "").lowercased()
            let bare = opclass.split(separator: ".").last.map(String.init) ?? opclass
            if !(toText && textOperatorClasses.contains(bare)) {
                return "cutover cannot tell whether its operator class \(parts[i]) takes \(new)"
                    + (old.map { " (it was written for \($0))" } ?? "")
            }
            i += 1
        }
        return nil
    }
}

extension Message {
    static func retypedIndexOption(_ column: String, what: String, problem: String) -> String {
        "this type change rebuilds \(what) on the copy of '\(column)', but \(problem): drop the index in this migration and create it for the new type in the next one"
    }
    static func retypedUniqueOptions(_ column: String, what: String, options: String) -> String {
        "this type change rebuilds \(what) on the copy of '\(column)' as a plain unique index, which would lose its \(options): drop the constraint in this migration and add it again in the next one"
    }
}
