import CutoverPlan

/// Where a step's SQL lands in the output tree; the SQL emitters and the plan documents both ask here.
public enum StepFiles {
    /// The golang-migrate pair (up first), relative to the migration's output folder.
    public static func paths(for step: PlanStep, plan: MigrationPlan) -> [String] {
        let folder = folder(for: step)
        return ["\(folder)/\(step.fileStem).up.sql", "\(folder)/\(step.fileStem).down.sql"]
    }

    /// `sql/` for expand-contract steps; blue-green steps go under `sql/blue` or `sql/green` by side;
    /// purge steps sit in `sql/purge` so `migrate up` on `sql/` can never run them.
    public static func folder(for step: PlanStep) -> String {
        if let side = step.side { return "sql/\(side.rawValue)" }
        if step.phase == .purge { return "sql/purge" }
        return "sql"
    }
}
