import Foundation

/// What a verify run killed with SIGKILL leaves on a --database-url server: its scratch databases
/// and owner account. Each run notes them in its scratch folder before creating them; the next
/// run on the same server (same engine, host or socket, and port) finds folders of dead runs with
/// such a note, drops what they name, and removes the folder. Only names of the exact form verify
/// makes (`cutover_verify_` and 10 hex digits, `_blue`/`_green` for databases) are ever dropped,
/// and only notes in folders this user owns (`ScratchFolder.deadFolders`) are read.
enum ExternalLeftovers {
    struct Note: Equatable {
        var server: String
        var owner: String
        var ownerHost: String
        var databases: [String]
    }

    /// engine, host or socket, and port: the server a note is about.
    static func identity(_ server: ExternalServer) -> String {
        let admin = server.admin
        return "\(admin.engine.rawValue) \(admin.socket ?? admin.host ?? "-") \(admin.port.map(String.init) ?? "-")"
    }

    static func record(names: [String], owner: ScratchOwner, server: ExternalServer, in scratch: ScratchFolder) {
        var lines = ["server \(identity(server))", "owner \(owner.name) \(owner.host)"]
        lines += names.map { "database \($0)" }
        FileManager.default.createFile(atPath: scratch.file(ScratchFolder.externalRecordName),
                                       contents: Data((lines.joined(separator: "\n") + "\n").utf8),
                                       attributes: [.posixPermissions: 0o600])
    }

    static func parse(_ text: String) -> Note? {
        var note = Note(server: "", owner: "", ownerHost: "", databases: [])
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { return nil }
            switch parts[0] {
            case "server": note.server = parts[1]
            case "owner":
                let owner = parts[1].split(separator: " ").map(String.init)
                guard owner.count == 2, owner[1] == "localhost" || owner[1] == "%" else { return nil }
                (note.owner, note.ownerHost) = (owner[0], owner[1])
            case "database": note.databases.append(parts[1])
            default: return nil
            }
        }
        let role = #/cutover_verify_[0-9a-f]{10}/#
        let database = #/cutover_verify_[0-9a-f]{10}(_blue|_green)?/#
        guard !note.server.isEmpty, (try? role.wholeMatch(in: note.owner)) != nil,
              note.databases.allSatisfy({ (try? database.wholeMatch(in: $0)) != nil }) else { return nil }
        return note
    }

    static func dropDeadRuns(on server: ExternalServer, scratch: ScratchFolder, inform: (String) -> Void) {
        let identity = identity(server)
        for folder in ScratchFolder.deadFolders(scratch.base, prefix: scratch.prefix) where folder != scratch.path {
            let path = "\(folder)/\(ScratchFolder.externalRecordName)"
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { continue }
            guard let note = parse(text) else {
                try? FileManager.default.removeItem(atPath: folder)
                continue
            }
            guard note.server == identity else { continue }
            let owner = ScratchOwner(engine: server.engine, name: note.owner, password: "", host: note.ownerHost)
            inform("dropping what a killed verify run left: \(note.databases.joined(separator: ", ")) and \(note.owner)")
            VerificationEnvironment.drop(databases: note.databases, owner: owner, on: server, inform: inform)
            try? FileManager.default.removeItem(atPath: folder)
        }
    }
}
