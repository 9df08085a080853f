@testable import CutoverPlan
@testable import CutoverSpec
import Testing

/// The key-by-key rewrite behind an index rebuilt on a copy column (trial 14j MUST-FIX 2): only the
/// retyped column's name changes; every other word of each key, and INCLUDE/WITH, stay as written.
@Suite struct IndexKeyTextTests {
    @Test func postgresKeepsEveryKeyOption() {
        let keys = #"tenant_id, "priority" DESC NULLS LAST, title COLLATE "C" text_pattern_ops, lower(title), (priority + 1)"#
        #expect(IndexKeyText.replacing(keys, column: "priority", with: "p_new", engine: .postgresql)
                == #"tenant_id, "p_new" DESC NULLS LAST, title COLLATE "C" text_pattern_ops, lower(title), ("p_new" + 1)"#)
        // A column named like an operator class or collation elsewhere in the list is left alone.
        #expect(IndexKeyText.replacing("a text_ops, b DESC", column: "text_ops", with: "x", engine: .postgresql) == "a text_ops, b DESC")
        #expect(IndexKeyText.replacingIncluded(" INCLUDE (title, priority) WITH (fillfactor = 70)", column: "priority", with: "p_new", engine: .postgresql)
                == #" INCLUDE (title, "p_new") WITH (fillfactor = 70)"#)
        #expect(IndexKeyText.includedColumns(#" INCLUDE (title, "Prio") WITH (fillfactor = 70)"#, engine: .postgresql) == ["title", "Prio"])
    }

    @Test func mysqlKeepsPrefixAndOrder() {
        #expect(IndexKeyText.replacing("tenant_id, `Subject`(40) DESC", column: "subject", with: "s_new", engine: .mysql)
                == "tenant_id, `s_new`(40) DESC")
        let key = IndexKeyText.key(of: "subject", in: "tenant_id, subject(40)", engine: .mysql)
        #expect(key.flatMap(IndexKeyText.prefixLength) == 40)
        #expect(RetypedIndexOptionsRule.mysqlPrefixProblem(40, type: "TEXT") == nil)
        #expect(RetypedIndexOptionsRule.mysqlPrefixProblem(40, type: "VARCHAR(30)") != nil)
        #expect(RetypedIndexOptionsRule.mysqlPrefixProblem(40, type: "INT") != nil)
        #expect(RetypedIndexOptionsRule.mysqlPrefixProblem(nil, type: "mediumblob") != nil)
        #expect(RetypedIndexOptionsRule.mysqlPrefixProblem(nil, type: "VARCHAR(300)") == nil)
    }

    @Test func postgresTypeBoundOptions() throws {
        let opclass = try #require(IndexKeyText.key(of: "code", in: "code int4_ops DESC", engine: .postgresql))
        #expect(RetypedIndexOptionsRule.postgresProblem(opclass, old: "integer", new: "bigint") != nil)
        let pattern = try #require(IndexKeyText.key(of: "code", in: #"code COLLATE "C" text_pattern_ops"#, engine: .postgresql))
        #expect(RetypedIndexOptionsRule.postgresProblem(pattern, old: "text", new: "varchar(40)") == nil)
        #expect(RetypedIndexOptionsRule.postgresProblem(pattern, old: "text", new: "integer") != nil)
        let ordered = try #require(IndexKeyText.key(of: "code", in: "code DESC NULLS FIRST", engine: .postgresql))
        #expect(RetypedIndexOptionsRule.postgresProblem(ordered, old: "integer", new: "numeric(12,2)") == nil)
    }
}
