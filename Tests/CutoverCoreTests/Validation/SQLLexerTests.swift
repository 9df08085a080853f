@testable import CutoverPlan
@testable import CutoverSpec
import Testing

/// The lexer against psql's and the mysql client's own rules. Each case names what the client does;
/// the mariadb cases were checked against the mariadb 10.11 client (`\! echo` either ran or did not).
@Suite struct SQLLexerTests {
    func commands(_ text: String, _ engine: MigrationSpec.Engine) -> [String] {
        SQLLexer.scan(text, engine: engine).forbiddenCommands(allowDumpRestrict: false).map { "\($0.name) \($0.line):\($0.column)" }
    }

    func problems(_ text: String, _ engine: MigrationSpec.Engine) -> [String] {
        SQLLexer.scan(text, engine: engine).problems.map { "\($0.kind.rawValue) \($0.line):\($0.column)" }
    }

    func statements(_ text: String, _ engine: MigrationSpec.Engine) -> [String] {
        SQLLexer.statements(in: text, engine: engine).map(\.text)
    }

    // MARK: PostgreSQL

    @Test func postgresBackslashAnywhereOutsideQuotesIsAMetaCommand() {
        #expect(commands("SELECT 1; \\! id\n", .postgresql) == ["\\! 1:11"])
        #expect(commands("SELECT (1 \\! id\n);", .postgresql) == ["\\! 1:11"])
        #expect(commands("\\connect other\nSELECT 1;", .postgresql) == ["\\connect 1:1"])
        #expect(commands("SELECT 'a \\! b', \"x\\!\", $$ \\! $$, $t$ \\! $t$ /* \\! */ -- \\!\n;", .postgresql) == [])
    }

    @Test func postgresDollarQuotesNeedTheirOwnTag() {
        let text = "CREATE FUNCTION f() RETURNS int AS $body$ SELECT '\\'; \\! x $$ $bod$ $body$ LANGUAGE sql;\nSELECT 2;"
        #expect(commands(text, .postgresql) == [])
        #expect(statements(text, .postgresql).count == 2)
        #expect(commands("SELECT $1, a$$b, $x$ $X$ \\! $x$;", .postgresql) == [])
        #expect(problems("SELECT $x$ never closed $X$", .postgresql) == ["dollar quote 1:8"])
    }

    @Test func postgresBlockCommentsNest() {
        #expect(commands("/* a /* b */ \\! still comment */ SELECT 1;", .postgresql) == [])
        #expect(commands("/* a /* b */ */ \\! id\n", .postgresql) == ["\\! 1:17"])
        #expect(problems("SELECT 1; /* a /* b */", .postgresql) == ["comment 1:11"])
    }

    @Test func postgresEscapeStrings() {
        #expect(commands("SELECT E'\\' \\! id';", .postgresql) == [])
        #expect(commands("SELECT e'\\\\' \\! id\n;", .postgresql) == ["\\! 1:14"])
        // U& and B strings have no backslash escapes.
        #expect(commands("SELECT U&'\\' \\! id\n;", .postgresql) == ["\\! 1:14"])
    }

    @Test func postgresStandardConformingStringsOffIsFollowed() throws {
        // On: the string is `a\' \! id --`; off: `a'`, then a meta-command. psql re-lexes after the SET.
        let attack = "SET standard_conforming_strings = off;\nSELECT 'a\\'' \\! id --';\n"
        let found = SQLLexer.scan(attack, engine: .postgresql).forbiddenCommands(allowDumpRestrict: false)
        #expect(found.map { "\($0.name) \($0.line):\($0.column)" } == ["\\! 2:14"])
        // Without the SET the server default could still be off: found too, saying under which reading.
        let quiet = SQLLexer.scan("SELECT 'a\\'' \\! id --';\n", engine: .postgresql).commands
        #expect(quiet.map(\.name) == ["\\!"])
        #expect(quiet.first?.assumption == "when standard_conforming_strings is off")
        // set_config and other dynamic changes are covered the same way: every line after a statement
        // may be read either way.
        #expect(commands("SELECT set_config('standard_conforming_strings', 'off', false);\nSELECT 'a\\'' \\! id --';", .postgresql) == ["\\! 2:14"])
    }

    /// pg_dump sets standard_conforming_strings on and then sends only statements that cannot run user
    /// code: its strings are read one way only, so a default of `'C:\temp\'` is no finding.
    @Test func postgresExplicitSettingHoldsUntilCodeMayRun() {
        let dump = #"""
            \restrict oRnJxvMyRenpNZI8oACVqTanfX6X0bF12jDy8unkSaSuK3oWXdM7vHfZCApUIBY
            SET statement_timeout = 0;
            SET client_encoding = 'UTF8';
            SET standard_conforming_strings = on;
            SELECT pg_catalog.set_config('search_path', '', false);
            CREATE TABLE public.pricing (
                id bigint NOT NULL,
                note text DEFAULT 'C:\temp\'::text,
                pattern text DEFAULT '\d+'''::text
            );
            COMMENT ON TABLE public.pricing IS 'path C:\ and a quote '' and a semicolon ;';
            ALTER TABLE ONLY public.pricing ADD CONSTRAINT pricing_pkey PRIMARY KEY (id);
            \unrestrict oRnJxvMyRenpNZI8oACVqTanfX6X0bF12jDy8unkSaSuK3oWXdM7vHfZCApUIBY
            """#
        let result = SQLLexer.scan(dump, engine: .postgresql)
        #expect(result.forbiddenCommands(allowDumpRestrict: true).isEmpty && result.problems.isEmpty, "\(result.commands) \(result.problems)")
        // Known on: psql reads `'a\'' \! id --'` as one string.
        #expect(commands("SET standard_conforming_strings = on;\n" + #"SELECT 'a\'' \! id --';"#, .postgresql) == [])
        // A statement that can run a function (which can change the setting) ends what is known.
        let attack = #"SET standard_conforming_strings = on;"# + "\n" + #"SELECT f();"# + "\n" + #"SELECT 'a\'' \! id --';"# + "\n"
        #expect(commands(attack, .postgresql) == [#"\! 3:14"#])
        // Inside a transaction block the SET may not hold (a failed statement, ROLLBACK).
        let inBlock = "BEGIN;\nSET standard_conforming_strings = on;\n" + #"SELECT 'a\'' \! id --';"# + "\n"
        #expect(commands(inBlock, .postgresql) == [#"\! 3:14"#])
        let fromQuery = "SET standard_conforming_strings = on;\nCREATE TABLE t AS SELECT f();\n" + #"SELECT 'a\'' \! id --';"# + "\n"
        #expect(commands(fromQuery, .postgresql) == [#"\! 3:14"#])
    }

    /// psql reads the lines after `COPY … FROM stdin` as data up to `\.`: no commands in them, and a
    /// quote in the data opens nothing.
    @Test func postgresCopyDataIsNotSQL() {
        let text = "COPY t (name) FROM stdin;\nO'Brien\n" + #"\N"# + "\n" + #"\."# + "\n" + #"\! id"# + "\n"
        let result = SQLLexer.scan(text, engine: .postgresql)
        #expect(result.commands.first { $0.assumption == nil }.map { "\($0.name) \($0.line):\($0.column)" } == #"\! 5:1"#)
        // If the COPY fails (found by scripts/lexer-differential: no table t), psql reads the data as SQL.
        #expect(commands("COPY t FROM stdin;\n)\n" + #"\! id"# + "\n", .postgresql) == [#"\! 3:1"#])
    }

    /// Found by scripts/lexer-differential: a statement ending in `/*!` and blanks at the end of the file.
    @Test func mysqlOpenExecutableCommentAtTheEnd() {
        #expect(commands("system echo MARK\n/*!\n", .mysql) == ["system 1:1"])
        #expect(commands(" \n\nDELIMITER //\n\nsystem echo MARK\n/*!\n", .mysql) == ["system 5:1"])
    }

    @Test func postgresQuoteContinuationKeepsTheFirstPartsReading() {
        // E'a' newline 'x' is one E'' string: `\'` is an escape there.
        #expect(commands("SELECT E'a'\n'\\'' \\! id --';", .postgresql) == ["\\! 2:6"])
        #expect(commands("SELECT E'a'\n'\\' \\! id';", .postgresql) == [])
    }

    /// psql lexes the value of an unquoted `:VARIABLE` as input: with the server's last error message
    /// (which the script can choose) that is a meta-command (checked with psql 15: it ran `\! echo`).
    @Test func postgresVariablesPsqlDefinesAreCommands() {
        #expect(commands("DO $$ BEGIN RAISE EXCEPTION E'\\\\! id'; END $$;\nSELECT :LAST_ERROR_MESSAGE;", .postgresql) == [":LAST_ERROR_MESSAGE 2:8"])
        #expect(commands("SELECT :'LAST_ERROR_MESSAGE', a::text, b[1:n], :undefined_name;", .postgresql) == [])
    }

    @Test func postgresLineCommentEndsAtCarriageReturn() {
        #expect(commands("-- note\r\\! id\nSELECT 1;", .postgresql) == ["\\! 1:9"])
    }

    @Test func postgresParenthesesAndBeginAtomicKeepSemicolons() {
        #expect(statements("SELECT (1;2); SELECT 3;", .postgresql) == ["SELECT (1;2);", "SELECT 3;"])
        let body = "CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT CASE WHEN true THEN 2 END; END;\nSELECT 3;"
        #expect(statements(body, .postgresql) == [
            "CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT CASE WHEN true THEN 2 END; END;",
            "SELECT 3;",
        ])
        #expect(statements("BEGIN; SELECT 1; END;", .postgresql) == ["BEGIN;", "SELECT 1;", "END;"])
    }

    @Test func postgresStatementsAreWhatPsqlSends() {
        let text = "-- leading comment\nSELECT 1;  /* kept */ SELECT 2;\n\nSELECT 3\n"
        let found = SQLLexer.statements(in: text, engine: .postgresql)
        #expect(found.map(\.text) == ["SELECT 1;", "/* kept */ SELECT 2;", "SELECT 3"])
        #expect(found.map { "\($0.line):\($0.column)" } == ["2:1", "2:12", "4:1"])
    }

    @Test func postgresUnterminatedQuotes() {
        #expect(problems("SELECT 'abc;\n", .postgresql) == ["string 1:8"])
        #expect(problems("SELECT \"abc;\n", .postgresql) == ["quoted name 1:8"])
        #expect(problems("SELECT é, 'ab", .postgresql) == ["string 1:11"])
    }

    @Test func pgDumpRestrictLinesAreRecognisedExactly() {
        let dump = "\\restrict aB3xYz09\nSET client_encoding = 'UTF8';\nCREATE TABLE t (id int);\n\\unrestrict aB3xYz09\n"
        let result = SQLLexer.scan(dump, engine: .postgresql)
        #expect(result.commands.map(\.kind) == [.dumpRestrict, .dumpRestrict])
        #expect(result.forbiddenCommands(allowDumpRestrict: true).isEmpty)
        #expect(result.problems.isEmpty)
        #expect(SQLLexer.removingDumpRestrictLines(dump) == "\nSET client_encoding = 'UTF8';\nCREATE TABLE t (id int);\n\n")
        for near in ["\\restrict key extra\n", " \\restrict key\n", "\\restrict ke-y\n", "\\restrict\n", "\\Restrict key\n", "SELECT 1; \\restrict key\n"] {
            #expect(SQLLexer.scan(near, engine: .postgresql).forbiddenCommands(allowDumpRestrict: true).count == 1, "\(near)")
        }
    }

    @Test func postgresClientEncodingOtherThanUTF8IsAProblem() {
        #expect(problems("SET client_encoding = 'SJIS';", .postgresql) == ["client encoding change 1:5"])
        #expect(problems("SET NAMES 'BIG5';", .postgresql) == ["client encoding change 1:5"])
        #expect(problems("SET client_encoding = 'UTF8';\nSET NAMES 'utf8';", .postgresql) == [])
    }

    // MARK: MySQL

    @Test func mysqlDashDashNeedsABlank() {
        #expect(commands("SELECT 5 --1 \\! id\n;", .mysql) == ["\\! 1:14"])
        #expect(commands("SELECT 5 -- \\! id\n;", .mysql) == [])
        #expect(commands("SELECT 5 --\t\\! id\n;", .mysql) == [])
        #expect(commands("SELECT 5 # \\! id\n;", .mysql) == [])
        // A line that starts with `--` is skipped whole by the client (mariadb 10.11): the quote is hidden.
        #expect(commands("--'\n\\! id\n--'\n", .mysql) == ["\\! 2:1"])
    }

    @Test func mysqlExecutableCommentsAreCode() {
        #expect(commands("/*! \\! id */;", .mysql) == ["\\! 1:5"])
        #expect(commands("/*!50705 \\! id */;", .mysql) == ["\\! 1:10"])
        #expect(commands("/*M! \\! id */;", .mysql) == ["\\! 1:6"])
        #expect(commands("/*+ \\! id */;", .mysql) == ["\\! 1:5"])
        #expect(commands("/* \\! id */ SELECT 1;", .mysql) == [])
        #expect(statements("/*!40101 SET NAMES utf8 */;\n", .mysql) == ["/*!40101 SET NAMES utf8 */"])
    }

    @Test func mysqlNoBackslashEscapesIsFollowed() {
        let text = "SELECT 'a\\'; \\! id\n';\n"
        let found = SQLLexer.scan(text, engine: .mysql).commands
        #expect(found.map { "\($0.name) \($0.line):\($0.column)" } == ["\\! 1:14"])
        #expect(found.first?.assumption == "when sql_mode has NO_BACKSLASH_ESCAPES or ANSI_QUOTES")
        let set = "SET sql_mode = 'NO_BACKSLASH_ESCAPES';\nSELECT 'a\\'; \\! id\n';\n"
        #expect(SQLLexer.scan(set, engine: .mysql).commands.first?.assumption == nil)
        #expect(commands("SELECT `a\\! id`;", .mysql) == [])
        #expect(commands("SELECT \\N;", .mysql) == [])
    }

    /// mariadb-dump output: the sandbox line, then sql_mode set to literals (one with a mode MySQL 8
    /// refuses, which leaves the old value: the same as far as backslashes go) and restored from a
    /// saved variable around each routine. Backslashes in its strings read one way.
    @Test func mysqlDumpReadsOneWay() {
        let dump = #"""
            /*M!999999\- enable the sandbox mode */ 
            -- MariaDB dump 10.19  Distrib 10.11.19-MariaDB, for debian-linux-gnu (x86_64)
            /*!40101 SET @OLD_SQL_MODE=@@SQL_MODE, SQL_MODE='NO_AUTO_VALUE_ON_ZERO' */;
            CREATE TABLE `pricing` (
              `note` varchar(64) DEFAULT 'C:\\temp\\' COMMENT 'it''s a \\ path'
            );
            /*!50003 SET @saved_sql_mode       = @@sql_mode */ ;
            /*!50003 SET sql_mode              = 'STRICT_TRANS_TABLES,NO_AUTO_CREATE_USER,NO_ENGINE_SUBSTITUTION' */ ;
            DELIMITER ;;
            CREATE DEFINER=`root`@`localhost` PROCEDURE `p`()
            BEGIN SELECT 'x\'y'; END ;;
            DELIMITER ;
            /*!50003 SET sql_mode              = @saved_sql_mode */ ;
            /*!50001 VIEW `v` AS select `note` from `pricing` where `note` like '%\\%' */;
            /*!40101 SET SQL_MODE=@OLD_SQL_MODE */;
            """#
        let result = SQLLexer.scan(dump, engine: .mysql)
        #expect(result.forbiddenCommands(allowDumpRestrict: true).isEmpty && result.problems.isEmpty, "\(result.commands) \(result.problems)")
        #expect(result.commands.first?.kind == .dumpRestrict)
        // The sandbox line only counts whole.
        #expect(commands(#"/*M!999999\- enable the sandbox mode */ SELECT 1;"#, .mysql) == [#"\- 1:11"#])
        // A saved value written again before it is restored is not trusted.
        let rewritten = "SET sql_mode = '';\nSET @s = @@sql_mode;\nSET @s = 'NO_BACKSLASH_ESCAPES';\nSET sql_mode = @s;\n" + #"SELECT 'a\'; \! id"# + "\n';\n"
        #expect(commands(rewritten, .mysql) == [#"\! 5:14"#])
        // Without any SET the server's sql_mode is unknown: both readings.
        #expect(commands(#"SELECT 'a\'; \! id"# + "\n';\n", .mysql) == [#"\! 1:14"#])
        #expect(commands("SET sql_mode = '';\n" + #"SELECT 'a\'; \! id"# + "\n';\n", .mysql) == [])
    }

    @Test func mysqlNamedCommands() {
        #expect(commands("system id;", .mysql) == ["system 1:1"])
        #expect(commands("SELECT 4; system id;", .mysql) == ["system 1:11"])
        #expect(commands("/* c */ SYSTEM id;", .mysql) == ["SYSTEM 1:9"])
        #expect(commands("SELECT 1;\n  source /etc/passwd\n", .mysql) == ["source 2:3"])
        #expect(commands("use other;\n", .mysql) == ["use 1:1"])
        #expect(commands("SELECT status FROM t;\nSELECT\nsource FROM t;", .mysql) == [])
        #expect(commands("status x;", .mysql) == [])
        // The client reads a LOCAL INFILE from its own host.
        #expect(commands("LOAD DATA LOCAL INFILE '/etc/passwd' INTO TABLE t;", .mysql) == ["LOAD 1:1"])
        #expect(commands("load  xml local infile 'x' into table t;", .mysql) == ["load 1:1"])
        #expect(commands("LOAD DATA INFILE 'x' INTO TABLE t;", .mysql) == [])
    }

    @Test func mysqlDelimiterChangesTheTerminator() {
        let text = """
            DELIMITER //
            CREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW BEGIN SET NEW.a = 1; SET NEW.b = 2; END//
            DELIMITER ;
            SELECT 1;
            """
        let result = SQLLexer.scan(text, engine: .mysql)
        #expect(result.statements.map(\.text) == [
            "CREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW BEGIN SET NEW.a = 1; SET NEW.b = 2; END",
            "SELECT 1",
        ])
        #expect(result.statements.map { "\($0.line):\($0.column)" } == ["2:1", "4:1"])
        #expect(result.commands.map(\.kind) == [.delimiter, .delimiter])
        #expect(result.forbiddenCommands(allowDumpRestrict: false).isEmpty)
        // Mid-line, `delimiter` is plain text sent to the server (mariadb 10.11).
        #expect(statements("SELECT 1; delimiter //\nSELECT 2//", .mysql) == ["SELECT 1", "delimiter //\nSELECT 2//"])
    }

    @Test func mysqlStatementsDropCommentsAsTheClientDoes() {
        #expect(statements("-- head\nSELECT 1 /* c */ + 2; # tail\nSELECT 'a;b';", .mysql) == ["SELECT 1  + 2", "SELECT 'a;b'"])
    }

    @Test func mysqlUnterminated() {
        #expect(problems("SELECT 'abc;\n", .mysql) == ["string 1:8"])
        #expect(problems("SELECT `abc;\n", .mysql) == ["quoted name 1:8"])
        #expect(problems("SELECT 1; /* abc", .mysql) == ["comment 1:11"])
    }

    // MARK: hostile input

    /// `'a\''` reads as a closed string one way and an open one the other, on every line: the readings
    /// never meet again. The fork budget stops the work and the script is reported, not accepted.
    @Test func manyAmbiguousStringsStayBounded() {
        let text = String(repeating: "SELECT 'a\\'';\n", count: 5000)
        let result = SQLLexer.check(text, engine: .postgresql)
        #expect(!result.commands.isEmpty || result.problems.contains { $0.kind == .tooAmbiguous })
        let mysql = SQLLexer.check(String(repeating: "SELECT 'a\\'', \"b\\\"\";\n", count: 5000), engine: .mysql)
        #expect(!mysql.commands.isEmpty || mysql.problems.contains { $0.kind == .tooAmbiguous })
        // Unambiguous strings with backslashes cost one fork each, merged at the next line.
        let plain = SQLLexer.check(String(repeating: "SELECT 'a\\\\b';\n", count: 5000), engine: .postgresql)
        #expect(plain.commands.isEmpty && plain.problems.isEmpty)
    }
}
