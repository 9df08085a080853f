import CutoverPlan

/// The plan README's words on identities `setIdentity identity: none` drops (PostgreSQL, CUT115): where
/// the new app version takes the ids it sends until contract, and after it.
extension PlanReadme {
    func droppedIdentitySection() -> String {
        var columns: [String] = []
        for change in plan.spec.changes {
            if let drop = change.operation.unit(SetIdentity.self), drop.identity.value == "none" {
                columns.append("`\(drop.table.value).\(drop.column.value)`")
            }
        }
        guard !columns.isEmpty else { return "" }
        // The schema as the server reads it in a regclass argument (`"Billing"` quoted, `billing` bare).
        let schema = SQLNames(engine: .postgresql).regclassPart(plan.spec.database.schemaName)
        var out = "## Dropped identities\n\n"
        out += "The identity of \(columns.joined(separator: ", ")) goes in contract. Until then the old version leaves the column out and takes ids "
        out += "from the identity's sequence, which an explicit id does not move: the new version must take the ids it sends from that sequence too, "
        out += "`nextval(pg_get_serial_sequence('\(schema).<table>', '<column>'))` (the base table, schema-qualified), and after contract, when that is NULL, "
        out += "ids past the largest the table holds (warning CUT115). Any other id may be one the sequence hands the old version later (duplicate key). "
        out += "Each rollback that makes the column an identity again moves its sequence past the largest id.\n\n"
        return out
    }
}
