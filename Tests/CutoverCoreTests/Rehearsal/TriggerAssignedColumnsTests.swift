@testable import CutoverProof
import Testing

/// The written-row check leaves out what the schema's own triggers store (found on
/// fixtures/valid/mysql-dependents, whose trigger stores LOWER(email) in email_lower).
struct TriggerAssignedColumnsTests {
    @Test func findsAssignmentsInBothDialects() {
        #expect(TriggerAssignedColumns.columns(assignedIn: "BEGIN\n  SET NEW.email_lower = LOWER(NEW.email);\nEND") == ["email_lower"])
        #expect(TriggerAssignedColumns.columns(assignedIn: "BEGIN NEW.\"Updated\" := now(); new.search_words := to_tsvector(NEW.title); RETURN NEW; END")
            == ["Updated", "search_words"])
        #expect(TriggerAssignedColumns.columns(assignedIn: "SET NEW.`total`=NEW.qty * NEW.price") == ["total"])
        // Reading a column is no assignment.
        #expect(TriggerAssignedColumns.columns(assignedIn: "INSERT INTO audit VALUES (NEW.id, NEW.email)").isEmpty)
    }

    @Test func matchesColumnsWithoutCaseOrExactly() {
        #expect(TriggerAssignedColumns.contains(["email_lower"], "Email_Lower"))
        #expect(TriggerAssignedColumns.contains(["Updated"], "Updated"))
        #expect(!TriggerAssignedColumns.contains(["email_lower"], "email"))
    }
}
