import CutoverPlan

/// The plan README's words on the views a step drops and creates again (PostgreSQL refuses to change
/// a column's type under a view): what comes from the schema file, what from the server, what is lost, and the
/// owner rule.
extension PlanReadme {
    func viewRebuildParagraph() -> String {
        let steps = plan.steps.filter(\.rebuildsViews).map { "`\($0.fileStem)`" }
        guard !steps.isEmpty else { return "" }
        var out = "**Views created again.** PostgreSQL refuses to change a column's type under a view, so "
        let one = steps.count == 1
        out += one ? "step \(steps[0]) drops" : "steps \(steps.joined(separator: ", ")) drop"
        out += " the views over the column \(one ? "it changes" : "each changes") (addEnumValue's rollback: those over a column of the type or naming it) "
        out += "and \(one ? "creates" : "create") them again from the schema file, "
        out += "in one block (one transaction). From the schema file come each view's definition and the options in its `WITH`. From the server, "
        out += "read just before the drop, comes what the view has in production, applied again after the create in this order: its owner, "
        out += "the options set on it (`security_barrier`, `security_invoker`, `check_option`), its columns' defaults, its grants (to roles and "
        out += "PUBLIC, on the view and on its columns, WITH GRANT OPTION; granted again by the owner), its comments and its columns' comments, "
        out += "its triggers (INSTEAD OF and others) and its rules. A statement about a column the schema file's view no longer has is skipped "
        out += "with a warning in the Job's log. Lost: security labels, comments on the triggers and rules, and a trigger or rule disabled "
        out += "(it comes back enabled). A view reads its tables with its owner's rights, so the owner always gets the view back: the Jobs' role "
        out += "must be a member of the owning role (with the SET option from PostgreSQL 16 on) and that role may CREATE in the view's schema, "
        out += "or the Jobs' role is a superuser. Otherwise the step stops before changing anything, naming the view, its owner and the grant "
        out += "that mends it (`GRANT CREATE ON SCHEMA … TO <owner>` or `GRANT <owner> TO <Jobs' role>`); then run the step again. Dropping "
        out += "a view needs owning it or membership with INHERIT in its owner, and its triggers need EXECUTE on their functions: the step "
        out += "checks both first and stops the same way. A view owned by a superuser is refused unless the step runs as a superuser "
        out += "(granting that role to the Jobs' role would make it one). The Jobs' role's default privileges (`ALTER DEFAULT PRIVILEGES`), "
        out += "which the server gives every view it creates, are taken off again: each view ends with the grants it had. The definition is "
        out += "the schema file's: a view changed in production since the dump goes back to the dump's text, so dump the schema again "
        out += "before you generate if views may have changed.\n\n"
        return out
    }
}
