@testable import CutoverPlan
@testable import CutoverSpec
@testable import CutoverProof
import Testing

/// Rehearse accepts exactly the difference a rollback that kept the new version's NULL rows leaves
/// (the warned column nullable; on PostgreSQL a NOT VALID NOT NULL check), and nothing else.
@Suite struct KeptNullRowsTests {
    static let warned = KeptNullRows(warnings: [RollbackWarning(table: "pricing", column: "plan_code")])
    static let base = SchemaSnapshot(lines: ["TABLE public.pricing OWNER app", "  COLUMN id bigint NOT NULL", "  COLUMN plan_code text NOT NULL",
                                             "  CONSTRAINT pricing_pkey PRIMARY KEY (id)"])

    @Test func parsesTheJobsWarning() {
        let output = "psql:/etc/cutover/sql/0008.down.sql:27: WARNING:  cutover rollback warning: pricing.plan_code keeps 39 row(s) with NULL, written by …\n"
        #expect(RollbackWarning.parse(output + output) == [RollbackWarning(table: "pricing", column: "plan_code")])
        #expect(RollbackWarning.parse("no warning here").isEmpty)
    }

    @Test func acceptsOnlyTheKeptNullDifference() {
        let postgres = SchemaSnapshot(lines: ["TABLE public.pricing OWNER app", "  COLUMN id bigint NOT NULL", "  COLUMN plan_code text",
                                              "  CONSTRAINT pricing_pkey PRIMARY KEY (id)",
                                              "  CONSTRAINT pricing_plan_code_not_null CHECK ((plan_code IS NOT NULL)) NOT VALID"])
        #expect(Self.warned.explains(base: Self.base, final: postgres))
        let mariadb = SchemaSnapshot(lines: ["-- TABLE pricing", "  `plan_code` text NOT NULL,"])
        #expect(Self.warned.explains(base: mariadb, final: SchemaSnapshot(lines: ["-- TABLE pricing", "  `plan_code` text DEFAULT NULL,"])))
        // Another column lost NOT NULL, or anything else changed: not explained.
        var other = postgres
        other.lines[1] = "  COLUMN id bigint"
        #expect(!Self.warned.explains(base: Self.base, final: other))
        var extra = postgres
        extra.lines.append("  CONSTRAINT stray CHECK ((id > 0))")
        #expect(!Self.warned.explains(base: Self.base, final: extra))
        #expect(!KeptNullRows(warnings: []).explains(base: Self.base, final: postgres))
    }
}
