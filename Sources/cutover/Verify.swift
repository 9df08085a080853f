import CutoverCore
import CutoverProof
import ArgumentParser
import Foundation

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Prove every up/down pair of a spec on a real database server.",
        discussion: """
        Without --database-url, starts a throwaway server of the spec's engine (PostgreSQL via initdb/postgres, \
        MariaDB via mariadb-install-db/mariadbd; as the postgres / mysql user when run as root) in a temporary \
        folder, and stops it and deletes the folder on every exit, Ctrl-C included; a killed run's servers \
        die with it and its folder goes at the next run. With --database-url (postgresql://… or mysql://…), \
        works in a scratch database cutover_verify_<random> and a role of the same name on that server and \
        drops both afterwards; a server that is not on a Unix socket or loopback needs --allow-remote. \
        The spec's SQL runs as that role: not a superuser, with rights on the scratch database only.

        Loads database.schema, then for each step: snapshot, up, up again (idempotent), down (restores the \
        snapshot), down again, up again; then every down in reverse order back to the base schema. Purge \
        steps, which cannot be undone, run last on the migrated schema: their up twice, their down never. \
        Blue-green specs run on two PostgreSQL servers with logical replication (blue, green), and also \
        check that rows written on blue arrive on green, that green's sequences are ahead after the sync, \
        and that rows written on green arrive on blue through the reverse replication.

        Prints PASS/FAIL per step with its time and a diff on a mismatch, then `verified: N steps, M failed`; \
        exits 1 on any failure.
        """)

    @OptionGroup var options: DiagnosticOptions

    @Option(name: .long, help: "Use this server instead of starting a throwaway one (postgresql://… or mysql://…).")
    var databaseURL: String?

    @Flag(name: .long, help: "Keep the throwaway server's folder (with a URL: the scratch databases).")
    var keep = false

    @Flag(name: .long, help: "Allow a --database-url that is not a Unix socket or loopback address.")
    var allowRemote = false

    @Argument(help: "Spec file.", completion: .file(extensions: ["yaml", "yml"]))
    var spec: String

    func run() throws {
        let compiler = Compiler(limits: options.limits)
        let batch = SpecBatch(paths: [spec], compiler: compiler)
        batch.report(options)
        guard batch.ioErrors.isEmpty, !options.isFailure(batch.diagnostics),
              let validated = batch.results.first?.result.validated else { throw ExitCode(1) }
        let plan = compiler.plan(validated)
        let verifier = Verifier(
            plan: plan,
            options: Verifier.Options(databaseURL: databaseURL, keep: keep, allowRemote: allowRemote),
            emit: { Output.print($0) },
            inform: { Output.error($0) })
        do {
            let report = try verifier.run()
            CleanupRegistry.shared.yieldToInterrupt()
            if !report.passed { throw ExitCode(1) }
        } catch let error as VerificationError {
            CleanupRegistry.shared.yieldToInterrupt()
            Output.error("error: \(error)")
            throw ExitCode(1)
        }
    }
}
