import CutoverPlan

/// The plan README's words on enum labels (PostgreSQL): which labels the new app version must not
/// write during the rollout (a renamed one exists under its old name until contract and under its
/// new name after it), and what a rollback does with the labels addEnumValue added.
extension PlanReadme {
    func enumLabelsSection() -> String {
        var renamed: [String] = []
        var added: [String] = []
        for change in plan.spec.changes {
            if let rename = change.operation.unit(RenameEnumValue.self) {
                renamed.append("`\(rename.enumType.value)`: '\(rename.from.value)' → '\(rename.to.value)'")
            }
            if let add = change.operation.unit(AddEnumValue.self) { added.append("`\(add.enumType.value)`: '\(add.value.value)'") }
        }
        guard !renamed.isEmpty || !added.isEmpty else { return "" }
        var out = "## Enum labels\n\n"
        if !renamed.isEmpty {
            out += "Renamed in contract: \(renamed.joined(separator: ", ")). Until contract only the old label exists (the old version writes it), "
            out += "after it only the new one, and a rollback of contract brings the old one back: during the rollout the new version must read both "
            out += "labels and write neither (write it only once contract has run and will not be rolled back).\n\n"
        }
        if !added.isEmpty {
            out += "Added in expand: \(added.joined(separator: ", ")). PostgreSQL cannot drop an enum label, so rolling expand back rebuilds the type "
            out += "without them: it refuses while a row holds one (change or delete those rows first), and then rewrites every table using the type "
            out += "under ACCESS EXCLUSIVE (not online: roll back at a quiet time). The new version may write them; rows it wrote with them block that rollback, "
            out += "except in the columns and tables this migration adds (their downs run first; the rollback Job keeps an added column's rows under its "
            out += "quarantine name, as text where a row holds a label the rollback drops).\n\n"
        }
        return out
    }
}
