/// The built-in column types one engine has and the other lacks (CUT069). Only what is certainly
/// foreign is listed: PostgreSQL has user-defined and extension types, so a name it does not know
/// may still exist there (`geometry` is PostGIS's, so MySQL's spatial names are not listed), and MySQL spells many PostgreSQL names as synonyms (`double precision`,
/// `character varying`, `int8`, `float4`, `serial`, `bool`), which are not listed.
package enum EngineTypes {
    package struct Foreign: Sendable {
        /// What the type is, e.g. "a time stamp with time zone".
        package var what: String
        /// The engine that has it.
        package var engine: String
        /// What to write on the target engine instead.
        package var instead: String
    }

    /// The type's name as the table below keys it: lower case, arguments and array brackets removed,
    /// single-spaced (`TIMESTAMP(3) WITH TIME ZONE` -> `timestamp with time zone`).
    package static func name(_ type: String) -> String {
        var out = ""
        var depth = 0
        for character in type.lowercased() {
            if character == "(" { depth += 1; out.append(" "); continue }
            if character == ")" { depth = max(0, depth - 1); out.append(" "); continue }
            if depth == 0 && character != "[" && character != "]" { out.append(character) }
        }
        return out.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).joined(separator: " ")
    }

    /// Why `type` does not exist on `engine`, or nil when it may.
    package static func foreign(_ type: String, engine: MigrationSpec.Engine) -> Foreign? {
        let name = name(type)
        let words = name.split(separator: " ").map(String.init)
        switch engine {
        case .mysql:
            if type.contains("[") || words.last == "array" {
                return Foreign(what: "an array type", engine: "PostgreSQL", instead: "json, or a child table")
            }
            if let entry = postgresOnly[name] ?? words.first.flatMap({ postgresOnly[$0] }) { return entry }
        case .postgresql:
            if words.contains("unsigned") || words.contains("zerofill") {
                return Foreign(what: "an UNSIGNED or ZEROFILL integer", engine: "MySQL",
                               instead: "a wider signed type (integer for smallint unsigned, bigint for int unsigned, numeric(20) for bigint unsigned) and a CHECK (column >= 0)")
            }
            // MySQL's display width: int(11), bigint(20), smallint(6) (the most common types of mysqldump output).
            if ["smallint", "int", "integer", "bigint"].contains(where: { type.lowercased().hasPrefix($0 + "(") || type.lowercased().hasPrefix($0 + " (") }) {
                return Foreign(what: "an integer with a display width", engine: "MySQL", instead: "the integer type without the width (\(words.first ?? "integer"))")
            }
            if let first = words.first, let entry = mysqlOnly[first] {
                // `double precision` is PostgreSQL's own; `double` alone is not.
                if first == "double" && words.count > 1 { return nil }
                return entry
            }
        }
        return nil
    }

    private static let postgresOnly: [String: Foreign] = {
        var table: [String: Foreign] = [:]
        func add(_ names: [String], _ what: String, _ instead: String) {
            for name in names { table[name] = Foreign(what: what, engine: "PostgreSQL", instead: instead) }
        }
        add(["timestamptz", "timestamp with time zone"], "a time stamp with time zone",
            "timestamp(6) (stored in UTC, converted to the session time zone) or datetime(6)")
        add(["timetz", "time with time zone"], "a time of day with time zone", "time(6)")
        add(["interval"], "an interval", "an integer count of seconds (or time(6) up to 838 hours)")
        add(["uuid"], "a UUID type", "char(36), or binary(16) with UUID_TO_BIN()")
        add(["jsonb"], "binary JSON", "json")
        add(["bytea"], "a byte array", "varbinary(n) or longblob")
        add(["bigserial", "serial8", "smallserial", "serial2", "serial4"], "a serial pseudo-type",
            "bigint AUTO_INCREMENT (an identity column)")
        add(["money"], "a money type", "decimal(19,4)")
        add(["inet", "cidr", "macaddr", "macaddr8"], "a network address type", "varchar(43), or varbinary(16) with INET6_ATON()")
        add(["tsvector", "tsquery"], "a text search type", "a FULLTEXT index on the text column")
        add(["xml"], "an XML type", "longtext")
        add(["int4range", "int8range", "numrange", "tsrange", "tstzrange", "daterange",
             "int4multirange", "int8multirange", "nummultirange", "tsmultirange", "tstzmultirange", "datemultirange"],
            "a range type", "two columns for the bounds")
        add(["varbit", "bit varying"], "a varying bit string", "varbinary(n) or bit(n)")
        add(["box", "circle", "lseg", "path", "line"], "a geometric type", "a spatial type (geometry, polygon, linestring)")
        add(["oid", "regclass", "regtype", "regproc", "pg_lsn", "txid_snapshot", "pg_snapshot"], "a system type", "bigint or varchar")
        add(["citext"], "an extension type (citext)", "varchar(n) with a case-insensitive collation")
        add(["hstore"], "an extension type (hstore)", "json")
        return table
    }()

    private static let mysqlOnly: [String: Foreign] = {
        var table: [String: Foreign] = [:]
        func add(_ names: [String], _ what: String, _ instead: String) {
            for name in names { table[name] = Foreign(what: what, engine: "MySQL", instead: instead) }
        }
        add(["tinyint"], "a one-byte integer", "smallint (or boolean for tinyint(1))")
        add(["mediumint"], "a three-byte integer", "integer")
        add(["datetime"], "a date and time type", "timestamp (or timestamptz for an instant)")
        add(["year"], "a year type", "smallint")
        add(["tinytext", "mediumtext", "longtext"], "a sized text type", "text")
        add(["tinyblob", "blob", "mediumblob", "longblob"], "a binary large object type", "bytea")
        add(["binary", "varbinary"], "a binary string type", "bytea")
        add(["double"], "'double' without 'precision'", "double precision")
        add(["enum"], "an inline enum type", "text with a CHECK (column IN (...)), or an enum type made by createEnum")
        add(["set"], "a SET type", "text[]")
        add(["nvarchar"], "a national character varying type", "varchar (PostgreSQL text is Unicode in a UTF8 database)")
        return table
    }()
}
