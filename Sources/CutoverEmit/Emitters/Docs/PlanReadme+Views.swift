import CutoverPlan

/// The plan README's words on the views a step drops and creates again (PostgreSQL refuses to change
/// a column's type under a view): what they keep, and who owns them afterwards.
extension PlanReadme {
    func viewRebuildParagraph() -> String {
        let steps = plan.steps.filter(\.rebuildsViews).map { "`\($0.fileStem)`" }
        guard !steps.isEmpty else { return "" }
        var out = "**Views created again.** PostgreSQL refuses to change a column's type under a view, so "
        let one = steps.count == 1
        out += one ? "step \(steps[0]) drops" : "steps \(steps.joined(separator: ", ")) drop"
        out += " the views over the column \(one ? "it changes" : "each changes") (addEnumValue's rollback: those over a column of the type or naming it) "
        out += "and \(one ? "creates" : "create") them again from the schema file, "
        out += "in one block (one transaction). Each view keeps what it has on the server when the step runs, read just before the drop: its grants "
        out += "(to roles and PUBLIC, on the view and on its columns, WITH GRANT OPTION), granted again by its owner, and its comments and its columns' comments. "
        out += "Its owner gets it back where the Jobs' role is a member of the owning role (with the SET option from PostgreSQL 16 on) and that role may "
        out += "CREATE in the view's schema; otherwise the Jobs' role stays its owner and the former owner gets its privileges on it as grants "
        out += "(to give the view back: `ALTER VIEW … OWNER TO` as a member of that role). The Jobs' role needs nothing beyond what the DROP VIEW "
        out += "needs already: owning the view, or membership in its owner. Triggers and rules on those views are not created again.\n\n"
        return out
    }
}
