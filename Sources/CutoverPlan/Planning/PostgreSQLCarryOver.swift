/// PostgreSQL: carrying indexes and constraints over to the column that replaces another (renameColumn's
/// new column, a rewrite's copy). Indexes are built concurrently; unique constraints as a unique index
/// built concurrently then attached; checks and foreign keys NOT VALID then VALIDATE (a separate
/// statement, so the scan does not hold the ADD's lock). All under `<name>_cutover_new`, in the backfill
/// phase after the copy; the swap renames them in its DO block.
extension PostgreSQLDialect {
    func carrySteps(_ carried: CarriedObjects, table: String, onto column: String, slug: String, change: Int,
                    _ b: PostgreSQLBuilder) -> [StepDraft] {
        var steps: [StepDraft] = []
        for index in carried.indexes {
            let columns = index.keyList ?? index.columns.map { SQLText.identifierProblem($0, maxLength: 64) == nil ? b.q($0) : $0 }.joined(separator: ", ")
            steps.append(StepDraft(.backfill, slug: "\(slug) index \(index.original.name)",
                                   title: "build index \(index.newName) on \(table).\(column) concurrently (carries \(index.original.name) over)", change: change,
                                   up: b.createIndexConcurrently(name: index.newName, table: table, unique: index.original.unique,
                                                                 method: index.original.method ?? "btree", columns: columns, options: index.options,
                                                                 whereClause: index.predicate),
                                   down: [b.dropIndexConcurrently(index.newName)], transactional: false))
        }
        for unique in carried.uniques {
            var drafts = AddUnique.postgres(table, unique.newName, unique.columns, change: change, b)
            for i in drafts.indices {
                drafts[i].phase = .backfill
                drafts[i].slug = "\(slug) unique \(unique.original.name)\(i == 0 ? " index" : "")"
                drafts[i].title += " (carries \(unique.original.name) over to \(column))"
            }
            steps += drafts
        }
        for constraint in carried.checks + carried.foreignKeys {
            let isCheck = constraint.original.kind == .check
            let definition = isCheck
                ? "CHECK (\(constraint.expression ?? "true"))"
                : "FOREIGN KEY (\(b.n.quoteList(constraint.columns))) \(CarriedObjects.referenceClause(constraint.original, names: b.n, table: b.t))"
            let add = b.guarded("NOT \(b.constraintExists(table, constraint.newName))",
                                ["ALTER TABLE \(b.t(table)) ADD CONSTRAINT \(b.q(constraint.newName)) \(definition) NOT VALID;"])
            let what = isCheck ? "check" : "foreign key"
            steps.append(StepDraft(.backfill, slug: "\(slug) \(isCheck ? "check" : "foreign_key") \(constraint.original.name)",
                                   title: "carry \(what) \(constraint.original.name) over to \(table).\(column) (NOT VALID, then VALIDATE)", change: change,
                                   up: [SQLStatement(add, comment: "\(constraint.original.name) holds on the old column: the same \(what) on \(column), under a temporary name until the swap.\nNOT VALID (brief lock, no scan), then VALIDATE as its own statement (SHARE UPDATE EXCLUSIVE: writes go on).",
                                                     kind: .addNotValid),
                                        b.validate(table, constraint.newName, reason: "VALIDATE takes SHARE UPDATE EXCLUSIVE (no write block) and is a no-op on a valid constraint")],
                                   down: [b.dropConstraint(table, constraint.newName)], transactional: false))
        }
        return steps
    }

    /// The renames of the swap (inside its DO block): the old objects retire under the quarantine name and
    /// the carried ones take the original names; the down reverses them.
    func carryRenames(_ carried: CarriedObjects, table: String, _ b: PostgreSQLBuilder) -> (up: [String], down: [String]) {
        var up: [String] = [], down: [String] = []
        for index in carried.indexes {
            // ALTER INDEX names the index in its schema (`t`); RENAME TO takes the bare new name (`q`).
            let (old, new, retired) = (index.original.name, index.newName, index.retired)
            up += ["ALTER INDEX \(b.t(old)) RENAME TO \(b.q(retired));", "ALTER INDEX \(b.t(new)) RENAME TO \(b.q(old));"]
            down += ["ALTER INDEX \(b.t(old)) RENAME TO \(b.q(new));", "ALTER INDEX \(b.t(retired)) RENAME TO \(b.q(old));"]
        }
        for constraint in carried.uniques + carried.checks + carried.foreignKeys {
            let t = b.t(table), old = b.q(constraint.original.name), new = b.q(constraint.newName), retired = b.q(constraint.retired)
            up += ["ALTER TABLE \(t) RENAME CONSTRAINT \(old) TO \(retired);", "ALTER TABLE \(t) RENAME CONSTRAINT \(new) TO \(old);"]
            down += ["ALTER TABLE \(t) RENAME CONSTRAINT \(old) TO \(new);", "ALTER TABLE \(t) RENAME CONSTRAINT \(retired) TO \(old);"]
        }
        return (up, down)
    }
}
