// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "cutover",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "cutover", targets: ["cutover"]),
        .library(name: "CutoverCore", targets: ["CutoverSpec", "CutoverPlan", "CutoverEmit", "CutoverCore", "CutoverProof"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams.git", exact: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.0"),
    ],
    targets: [
        // Static text (chart helpers, NOTES.txt, starter specs) compiled into the binary so the
        // tool never reads files next to itself at run time.
        .target(
            name: "CutoverTemplates",
            path: "templates",
            resources: [
                .embedInCode("init-postgresql.yaml"),
                .embedInCode("init-mysql.yaml"),
                .embedInCode("init-schema-postgresql.sql"),
                .embedInCode("init-schema-mysql.sql"),
                .embedInCode("run-psql.sh"),
                .embedInCode("run-mysql.sh"),
                .embedInCode("run-flyway.sh"),
                .embedInCode("run-liquibase.sh"),
                .embedInCode("refusable.sh"),
                .embedInCode("checksum-psql.sh"),
                .embedInCode("checksum-mysql.sh"),
                .embedInCode("take-snapshot.sh"),
                .embedInCode("helm-helpers.tpl"),
                .embedInCode("helmignore.txt"),
                .embedInCode("notes-expand-contract.txt"),
                .embedInCode("notes-blue-green.txt"),
            ]
        ),
        // System calls Foundation does not expose: the atomic folder exchange the output writer needs,
        // and the fork/exec of verify's servers (their own user, death with the parent).
        .target(name: "CutoverSystem"),
        // The client libraries verify's sessions speak the wire protocols through (no psql or mariadb
        // client process, so no client meta-commands). Debian: libpq-dev, libmariadb-dev.
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CMariaDB", pkgConfig: "libmariadb", providers: [.apt(["libmariadb-dev"])]),
        // The compiler is three targets along its pipeline, so that an import is an arrow of the design
        // (docs/architecture.md) and an arrow it forbids does not build. No argument parsing and no
        // process exit in any of them, so tests and the fuzzer drive them directly.
        //
        // Bytes to a checked spec: syntax tree, diagnostics and the spec's rules, the shared schema model,
        // validation (the spec half of every operation is a protocol here; the operations, every rule and
        // the operation checks are injected from above). It knows nothing of lowering or planning.
        .target(
            name: "CutoverSpec",
            dependencies: [.product(name: "Yams", package: "Yams")]
        ),
        // Checked spec to plan: the operations (each one's checks and recipe in one file), the checks that
        // lower the spec, the planner with its last pass, the statement rendering, and the registries
        // injected into CutoverSpec. It knows nothing of what is emitted from the plan, nor of the proofs.
        .target(
            name: "CutoverPlan",
            dependencies: ["CutoverSpec"]
        ),
        // Plan to files: the SQL, Kubernetes, Helm and docs emitters and the output writer.
        .target(
            name: "CutoverEmit",
            dependencies: ["CutoverPlan", .product(name: "Yams", package: "Yams"), "CutoverTemplates", "CutoverSystem"]
        ),
        // The pipeline's driver (`Compiler`: check, plan, emit), above the stages it runs.
        .target(
            name: "CutoverCore",
            dependencies: ["CutoverPlan", "CutoverEmit"]
        ),
        // The proofs on real servers: verify (each up/down pair) and rehearse (the generated Jobs with
        // the app's traffic). They read the compiler's output; nothing in the compiler imports them.
        .target(
            name: "CutoverProof",
            dependencies: ["CutoverPlan", "CutoverEmit", "CutoverCore", .product(name: "Yams", package: "Yams"),
                           "CutoverSystem", "CLibPQ", "CMariaDB"]
        ),
        // The command-line front end: argument parsing, exit codes, diagnostics rendering.
        .executableTarget(
            name: "cutover",
            dependencies: [
                "CutoverPlan",
                "CutoverEmit",
                "CutoverCore",
                "CutoverProof",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // libFuzzer target over the whole pipeline; `scripts/fuzz` builds it with the sanitizers.
        // Built normally it replays inputs given as arguments.
        .executableTarget(
            name: "CutoverFuzz",
            dependencies: ["CutoverPlan", "CutoverEmit", "CutoverCore"]
        ),
        .testTarget(
            name: "CutoverCoreTests",
            dependencies: ["CutoverSpec", "CutoverPlan", "CutoverEmit", "CutoverCore", "CutoverProof", "CutoverTemplates"],
            exclude: ["SQL/golden", "SQL/specs", "Validation/specs", "Verification/specs"]
        ),
    ]
)
