/// The PostgreSQL recipe of a check or foreign key (table-level, or of an added column): ADD CONSTRAINT
/// … NOT VALID in complete (a brief lock, no scan), then VALIDATE as a step of its own (SHARE UPDATE
/// EXCLUSIVE: writes go on). Shared by `AddCheck` and `AddForeignKey`; MySQL has no NOT VALID.
enum NotValidConstraint {
    static func postgres(_ table: String, _ name: String, definition: String, kind: String, what: String, change: Int, _ b: PostgreSQLBuilder) -> [StepDraft] {
        let add = b.guarded("NOT \(b.constraintExists(table, name))",
                            ["ALTER TABLE \(b.t(table)) ADD CONSTRAINT \(b.q(name)) \(definition) NOT VALID;"])
        return [
            StepDraft(.complete, slug: "\(kind) \(name)", title: "add \(what) \(name) on \(table) (NOT VALID)", change: change,
                      up: [SQLStatement(add, comment: "ADD CONSTRAINT has no IF NOT EXISTS: guard on pg_constraint. NOT VALID: no scan under the lock.", kind: .addNotValid)],
                      down: [b.dropConstraint(table, name)]),
            StepDraft(.complete, slug: "validate \(name)", title: "validate \(what) \(name) on \(table)", change: change,
                      up: [b.validate(table, name, reason: "VALIDATE takes SHARE UPDATE EXCLUSIVE (no write block) and is a no-op on a valid constraint")],
                      down: [b.unvalidate(table, name, addDefinition: definition)]),
        ]
    }
}
