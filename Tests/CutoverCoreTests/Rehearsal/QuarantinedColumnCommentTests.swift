@testable import CutoverPlan
@testable import CutoverSpec
@testable import CutoverCore
@testable import CutoverProof
import Foundation
import Testing

/// A column expand added with a comment is kept by the rollback with its comment: PostgreSQL's snapshot
/// writes the comment on the line after the column's, and it goes with the column, while a comment
/// that differs on a column of the base still counts.
@Suite struct QuarantinedColumnCommentTests {
    @Test func aKeptColumnsCommentGoesWithItAndNothingElse() throws {
        let result = try Compiler().check(fileAt: TestPaths.fixtures.appendingPathComponent("valid/pg-column-kinds.yaml").path)
        let plan = Compiler().plan(try #require(result.validated, "\(result.diagnostics)"))
        let quarantine = RollbackQuarantine(plan)
        let kept = try #require(quarantine.columns.first { $0.column == "note" }?.quarantine)
        let base = SchemaSnapshot(lines: ["TABLE public.orders", "  COLUMN amount integer NOT NULL", "    COMMENT Net amount"])
        let final = SchemaSnapshot(lines: ["TABLE public.orders", "  COLUMN amount integer NOT NULL", "    COMMENT Net amount",
                                           "  COLUMN \(kept) text", "    COMMENT Free text from support, it's optional"])
        let (snapshot, names) = QuarantinedColumns(quarantine: quarantine).removing(from: final, base: base)
        #expect(names == [kept])
        #expect(snapshot == base)
        // A changed comment on a base column is still a difference.
        let changed = SchemaSnapshot(lines: ["TABLE public.orders", "  COLUMN amount integer NOT NULL", "    COMMENT other"])
        #expect(QuarantinedColumns(quarantine: quarantine).removing(from: changed, base: base).snapshot != base)
    }
}
