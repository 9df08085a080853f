import CutoverEmit
import CutoverCore
import CutoverProof
import ArgumentParser
import Foundation

extension RehearsalDelivery: ExpressibleByArgument {}

struct Rehearse: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rehearse",
        abstract: "Play a migration's generated output as the cluster would, with the app's traffic, and prove zero downtime.",
        discussion: """
        Validates the spec (errors: exit 1, nothing run), generates the output into a scratch folder, renders \
        its chart with `helm template` for each stage of plan.json's `delivery` (the runbook's helm invocations; \
        with --delivery kubectl or argocd, each manifests/ folder with `kubectl kustomize`), and runs each Job's \
        own command, runner script and SQL locally, in the order Helm, kubectl or Argo CD starts them, against a throwaway \
        PostgreSQL or MariaDB server (or a scratch database on --database-url), as a role that is not a superuser. \
        Meanwhile the old and the new app version send statements while they serve, and a lock monitor records \
        the longest lock per file that blocks reads or writes. Then it rolls back with the rollback Jobs and \
        checks that the base schema is back and no row was lost. See docs/rehearse.md.

        Exit 0: proven; 1: not proven (or the spec has errors); 64: usage.
        """)

    @OptionGroup var options: DiagnosticOptions

    @Option(name: .long, help: "Rows seeded per touched table (0: no traffic).")
    var rows: Int = 100_000

    @Flag(name: .long, help: "Keep the scratch folder (output, Job files; the server is stopped).")
    var keep = false

    @Flag(name: .long, help: "Also print where the time went (server start, rendering, seeding, each stage's Jobs, dwells, checks, server stop); --format json always has it.")
    var timings = false

    @Option(name: .long, help: "Use this server instead of starting a throwaway one (postgresql://…).")
    var databaseURL: String?

    @Option(name: .long, help: ArgumentHelp("How the output is applied, as the runbook says: helm (the chart's hooks), kubectl (apply -k one manifests/ folder per stage, all its objects at once) or argocd (a sync of manifests/, then one per later folder, in hook phases and sync waves).", valueName: "helm|kubectl|argocd"))
    var delivery: RehearsalDelivery = .helm

    @Option(name: .long, help: ArgumentHelp("Play the output already generated into DIR/<name>/ (as committed) instead of a fresh one; its Jobs must be the ones cutover generates, only when they start may differ. Needs --delivery kubectl or argocd.", valueName: "DIR"))
    var generated: String?

    @Option(name: .long, help: ArgumentHelp("A file of the old app version's own statements, sent in order and again while it serves (lexed as its client would; client commands refused).", valueName: "FILE"))
    var trafficOld: String?

    @Option(name: .long, help: ArgumentHelp("The same for the new app version.", valueName: "FILE"))
    var trafficNew: String?

    @Argument(help: "Spec files.", completion: .file(extensions: ["yaml", "yml"]))
    var specs: [String]

    func validate() throws {
        guard !specs.isEmpty else { throw ValidationError("give at least one spec file") }
        guard rows >= 0 else { throw ValidationError("--rows must be 0 or more") }
        if (trafficOld != nil || trafficNew != nil) && rows == 0 { throw ValidationError("--traffic-old/--traffic-new are sent beside the derived traffic: give --rows above 0") }
        if generated != nil && delivery == .helm { throw ValidationError("--generated plays the manifests/ folders: give --delivery kubectl or argocd") }
    }

    func run() throws {
        let compiler = Compiler(limits: options.limits)
        let batch = SpecBatch(paths: specs, compiler: compiler)
        // --format (shared with the diagnostics): json prints the report as JSON; the others print text.
        // Standard output holds one JSON document: the diagnostics when there are errors (nothing is
        // rehearsed), else the report, with warnings as text on standard error.
        let json = options.format == .json
        let failing = !batch.ioErrors.isEmpty || options.isFailure(batch.diagnostics)
        if json && !failing {
            batch.report(DiagnosticOptions.textFormatter, format: .text)
        } else {
            batch.report(options)
        }
        guard !failing else { throw ExitCode(1) }
        var proven = true
        var reports: [String] = []
        for entry in batch.results {
            guard let validated = entry.result.validated else { throw ExitCode(1) }
            let plan = compiler.plan(validated)
            var scripts: [AppVersion: TrafficScript] = [:]
            do {
                for (version, path) in [(AppVersion.old, trafficOld), (.new, trafficNew)] {
                    if let path { scripts[version] = try TrafficScript.load(path, engine: plan.spec.database.engine) }
                }
            } catch let refusal as TrafficScript.Refusal {
                Output.error(refusal.description)
                throw ExitCode(1)
            }
            var rehearsalOptions = Rehearsal.Options(rows: rows, keep: keep, databaseURL: databaseURL, progress: isatty(2) == 1 && !json,
                                                     delivery: delivery, generated: generated)
            rehearsalOptions.scripts = scripts
            let rehearsal = Rehearsal(plan: plan, options: rehearsalOptions,
                                      inform: { Output.error($0) })
            do {
                let report = try rehearsal.run()
                CleanupRegistry.shared.yieldToInterrupt()
                if !report.proven { proven = false }
                if json { reports.append(report.renderJSON()) } else { Output.print(report.renderText(timings: timings), terminator: "") }
            } catch let error as VerificationError {
                CleanupRegistry.shared.yieldToInterrupt()
                Output.error("error: \(plan.spec.name): \(error)")
                throw ExitCode(1)
            }
        }
        if json {
            Output.print(reports.count == 1 ? reports[0] : "[\n" + reports.map { $0.trimmingCharacters(in: .newlines) }.joined(separator: ",\n") + "\n]\n", terminator: "")
        }
        if !proven { throw ExitCode(1) }
    }
}
