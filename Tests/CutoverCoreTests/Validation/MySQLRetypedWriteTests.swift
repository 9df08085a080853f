@testable import CutoverPlan
@testable import CutoverSpec
import Testing

/// CUT106 (trial 14d SHOULD): MySQL's counterpart of CUT109. Which retypes through a hidden copy
/// may fail the new version's writes until contract: those whose new-type values the old type
/// cannot all hold.
@Suite struct MySQLRetypedWriteTests {
    @Test func reportsWhatTheOldTypeCannotHold() {
        #expect(!MySQLRetypedWriteRule.fits(new: "VARCHAR(20)", old: "INT"), "INT → VARCHAR: text that is no number")
        #expect(!MySQLRetypedWriteRule.fits(new: "VARCHAR(10)", old: "ENUM('free','pro','team')"), "ENUM → VARCHAR: a label the enum lacks")
        #expect(!MySQLRetypedWriteRule.fits(new: "BIGINT", old: "INT"))
        #expect(!MySQLRetypedWriteRule.fits(new: "VARCHAR(40)", old: "VARCHAR(12)"))
        #expect(!MySQLRetypedWriteRule.fits(new: "ENUM('a','c')", old: "ENUM('a','b')"))
        #expect(!MySQLRetypedWriteRule.fits(new: "DATETIME", old: "VARCHAR(10)"))
        #expect(!MySQLRetypedWriteRule.fits(new: "DECIMAL(9,2)", old: "DECIMAL(5,2)"))
    }

    @Test func leavesOutWhatEveryValueConvertsInto() {
        #expect(MySQLRetypedWriteRule.fits(new: "SMALLINT", old: "INT"))
        #expect(MySQLRetypedWriteRule.fits(new: "VARCHAR(8)", old: "VARCHAR(12)"))
        #expect(MySQLRetypedWriteRule.fits(new: "INT", old: "TEXT"))
        #expect(MySQLRetypedWriteRule.fits(new: "DATE", old: "VARCHAR(10)"), "'2024-01-31' takes 10 characters")
        #expect(MySQLRetypedWriteRule.fits(new: "DATETIME(3)", old: "DATETIME"))
        #expect(MySQLRetypedWriteRule.fits(new: "ENUM('a')", old: "ENUM('a','b')"))
        #expect(MySQLRetypedWriteRule.fits(new: "DECIMAL(5,2)", old: "DECIMAL(9,2)"))
    }
}
