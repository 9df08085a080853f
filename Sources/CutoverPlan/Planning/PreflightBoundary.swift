/// Which boundary of the migration the preflight found, from what it counted: additions present
/// (expand), NOT NULL set (complete), removals gone and retyped columns swapped (contract;
/// `PreflightExpectations.removals`). Both engines render the same
/// decisions; the totals are known when the SQL is written, so only the branches that can be taken
/// are written, each with its sentence.
///
/// The preflight runs in the first stage only (Helm's later stages switch it off with expand and
/// backfill; Argo CD syncs `manifests/`, which lists it with them), so it passing means expand and
/// backfill run next. At the base, part-way through expand (expand is idempotent and resumable:
/// refusing would block its re-run, the only fix), after expand and after complete they change
/// nothing that serves: it passes and names the boundary. After contract, or part-way through it,
/// expand would create again what contract removed (the sync triggers of a renamed or dropped
/// column, whose function names a column that is gone: every write to the table would fail, seen on
/// PostgreSQL 15): it refuses, says the migration is (being) contracted and how to take its first
/// stage out of the release (Argo CD: the Application syncs `manifests/after-contract/`, which the
/// plan's runbook asks for before contract; see `DeliveryFolder.afterContract`). Contract's removals without every one of expand's additions is no
/// state a phase of this migration leaves: a problem too.
struct PreflightBoundary {
    var additions: Int
    var removals: Int
    var completions: Int

    enum Outcome {
        case boundary(String)
        case problem(String)
    }

    /// A decision on the counters `added`, `removed`, `completed` (engine expressions), in order.
    struct Branch {
        /// The condition, in engine-neutral pieces: (added, removed, completed) compared to constants.
        var condition: [(counter: String, op: String, value: Int)]
        var outcome: Outcome
        /// The outcome's text names the counts (rendered by the engine).
        var counts: Bool = false
    }

    var branches: [Branch] {
        var out: [Branch] = []
        let nothing = additions == 0 && removals == 0 && completions == 0
        out.append(Branch(condition: [("added", "=", 0), ("removed", "=", 0), ("completed", "=", 0)],
                          outcome: .boundary(nothing
                            ? "the base schema or a later boundary of this migration (what the preflight reads looks the same at each)"
                            : additions > 0 ? "the base schema (nothing of this migration applied yet)"
                            : "the base schema, or after expand (what the preflight reads looks the same at both)")))
        if removals > 0 {
            if additions > 0 {
                out.append(Branch(condition: [("removed", ">", 0), ("added", "<", additions)],
                                  outcome: .problem("at no boundary of this migration: contract's removals are there without all that expand adds (see the counts), which no phase of it leaves"),
                                  counts: true))
            }
            let stage = " This stage would run expand again, which creates again what contract removed (sync triggers over columns that are gone, on which every write to the table fails; the copy of a retyped column and its trigger). Nothing was changed. Take the migration's first stage out of the release: Argo CD, point the Application at manifests/after-contract/ (the app's objects without the PreSync hooks, generated with the plan); Helm, --set phases.preflight.enabled=false,phases.expand.enabled=false,phases.backfill.enabled=false"
            out.append(Branch(condition: [("removed", "=", removals)], outcome: .problem("after contract: this migration is complete." + stage)))
            out.append(Branch(condition: [("removed", ">", 0)],
                              outcome: .problem("part-way through contract: run the contract stage again to complete it (contract is idempotent)." + stage), counts: true))
        }
        if additions > 0 {
            out.append(Branch(condition: [("added", "<", additions)],
                              outcome: .boundary("part-way through expand (it stopped; expand is idempotent, its re-run completes it)"), counts: true))
        }
        let later = removals == 0 ? " or after contract (which removes nothing the preflight reads)" : ""
        if completions > 0 {
            out.append(Branch(condition: [("completed", "=", completions)], outcome: .boundary("after complete" + later)))
            out.append(Branch(condition: [("completed", ">", 0)],
                              outcome: .boundary("part-way through complete (it stopped; its re-run completes it)"), counts: true))
        }
        out.append(Branch(condition: [], outcome: .boundary("after expand" + (completions == 0 ? " or complete" : "") + later)))
        return out
    }

    /// "added 1 of 2, removed 0 of 1, NOT NULL 0 of 1": the counts a sentence refers to.
    var countsTemplate: [(label: String, counter: String, total: Int)] {
        [("expand's additions", "added", additions), ("contract's removals", "removed", removals), ("complete's NOT NULL", "completed", completions)]
            .filter { $0.total > 0 }
    }
}
