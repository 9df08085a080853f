// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "cutover",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "cutover", targets: ["cutover"]),
        .library(name: "CutoverCore", targets: ["CutoverCore"]),
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
        // The compiler: syntax tree, validation, planning, emitters and the output writer.
        // No argument parsing and no process exit here, so tests and the fuzzer drive it directly.
        .target(
            name: "CutoverCore",
            dependencies: [.product(name: "Yams", package: "Yams"), "CutoverTemplates", "CutoverSystem"]
        ),
        // The proofs on real servers: verify (each up/down pair) and rehearse (the generated Jobs with
        // the app's traffic). They read the compiler's output; nothing in the compiler reads them.
        .target(
            name: "CutoverProof",
            dependencies: ["CutoverCore", .product(name: "Yams", package: "Yams"), "CutoverSystem", "CLibPQ", "CMariaDB"]
        ),
        // The command-line front end: argument parsing, exit codes, diagnostics rendering.
        .executableTarget(
            name: "cutover",
            dependencies: [
                "CutoverCore",
                "CutoverProof",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // libFuzzer target over the whole pipeline; `scripts/fuzz` builds it with the sanitizers.
        // Built normally it replays inputs given as arguments.
        .executableTarget(
            name: "CutoverFuzz",
            dependencies: ["CutoverCore"]
        ),
        .testTarget(
            name: "CutoverCoreTests",
            dependencies: ["CutoverCore", "CutoverProof"],
            exclude: ["SQL/golden", "SQL/specs", "Validation/specs", "Verification/specs"]
        ),
    ]
)
