import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A 2 GiB sparse file where cutover reads (the spec, the base schema, the manifest, a generated
/// file under --check) costs a size check, not 2 GiB of memory, and ends in a clear error.
/// Each run's own peak RSS comes from `wait4` (`MeasuredRun`).
@Suite(.serialized) struct BoundedReadTests {
    static let twoGiB: off_t = 2 << 30
    static let ceiling = 200 * 1024 * 1024

    func sparse(_ url: URL) throws {
        let descriptor = open(url.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else { throw HarnessError("cannot create \(url.path)") }
        defer { close(descriptor) }
        guard ftruncate(descriptor, Self.twoGiB) == 0 else { throw HarnessError("ftruncate failed") }
    }

    /// The shared pricing-tiers example and its schema, copied into `sandbox`.
    func example(in sandbox: URL) throws -> URL {
        let spec = sandbox.appendingPathComponent("pricing-tiers.yaml")
        try FileManager.default.copyItem(at: TestPaths.examples.appendingPathComponent("pricing-tiers.yaml"), to: spec)
        try FileManager.default.copyItem(at: TestPaths.examples.appendingPathComponent("pricing-tiers.schema.sql"),
                                         to: sandbox.appendingPathComponent("pricing-tiers.schema.sql"))
        return spec
    }

    @Test func hugeSpecIsRefusedBeforeItIsRead() throws {
        let sandbox = TestPaths.temporaryFolder("huge-spec")
        defer { try? FileManager.default.removeItem(at: sandbox) }
        let spec = sandbox.appendingPathComponent("huge.yaml")
        try sparse(spec)
        for command in [["validate", spec.path], ["generate", spec.path, "-o", sandbox.appendingPathComponent("out").path]] {
            let run = try MeasuredRun.run(command)
            #expect(run.status == 1, "\(command[0]): \(run.stderr)")
            #expect(run.stderr.contains("huge.yaml:1:1: error: "), "\(run.stderr)")
            #expect(run.stderr.contains("2147483648"), "the message should give the real size: \(run.stderr)")
            #expect(run.maxRSS < Self.ceiling, "\(command[0]) peaked at \(run.maxRSS / 1_048_576) MB")
        }
    }

    /// An endless device as a spec is read up to the cap and refused, in bounded memory.
    @Test func endlessDeviceIsReadToTheCapOnly() throws {
        let run = try MeasuredRun.run(["validate", "/dev/zero"])
        #expect(run.status == 1)
        #expect(run.stderr.contains("/dev/zero:1:1: error: input is over the limit of"), "\(run.stderr)")
        #expect(run.maxRSS < Self.ceiling, "validate peaked at \(run.maxRSS / 1_048_576) MB")
    }

    @Test func hugeSchemaIsALocatedError() throws {
        let sandbox = TestPaths.temporaryFolder("huge-schema")
        defer { try? FileManager.default.removeItem(at: sandbox) }
        let spec = try example(in: sandbox)
        try sparse(sandbox.appendingPathComponent("pricing-tiers.schema.sql"))
        let run = try MeasuredRun.run(["validate", spec.path])
        #expect(run.status == 1)
        #expect(run.stderr.range(of: #"pricing-tiers\.yaml:[0-9]+:[0-9]+: error: schema file 'pricing-tiers\.schema\.sql' is over the limit"#,
                                 options: .regularExpression) != nil, "\(run.stderr)")
        #expect(run.maxRSS < Self.ceiling, "validate peaked at \(run.maxRSS / 1_048_576) MB")
    }

    @Test func hugeManifestIsRefusedByEveryMode() throws {
        let sandbox = TestPaths.temporaryFolder("huge-manifest")
        defer { try? FileManager.default.removeItem(at: sandbox) }
        let spec = try example(in: sandbox)
        let out = sandbox.appendingPathComponent("out")
        #expect(try MeasuredRun.run(["generate", spec.path, "-o", out.path]).status == 0)
        try sparse(out.appendingPathComponent("pricing-tiers/.cutover-manifest.json"))
        for mode in [[], ["--check"], ["--dry-run"]] {
            let run = try MeasuredRun.run(["generate", spec.path, "-o", out.path] + mode)
            #expect(run.status == 1, "\(mode): \(run.stderr)")
            #expect(run.stderr.contains(".cutover-manifest.json': it is 2147483648 bytes"), "\(mode): \(run.stderr)")
            #expect(run.maxRSS < Self.ceiling, "\(mode) peaked at \(run.maxRSS / 1_048_576) MB")
        }
        // Nothing moved: the huge manifest is still the one in place, the README too.
        var info = stat()
        #expect(stat(out.appendingPathComponent("pricing-tiers/.cutover-manifest.json").path, &info) == 0 && info.st_size == Self.twoGiB)
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("pricing-tiers/README.md").path))
    }

    @Test func hugeGeneratedFileUnderCheckIsStreamed() throws {
        let sandbox = TestPaths.temporaryFolder("huge-generated")
        defer { try? FileManager.default.removeItem(at: sandbox) }
        let spec = try example(in: sandbox)
        let out = sandbox.appendingPathComponent("out")
        #expect(try MeasuredRun.run(["generate", spec.path, "-o", out.path]).status == 0)
        // Same size as the real file but different bytes: the size check passes, the streamed hash catches it.
        let readme = out.appendingPathComponent("pricing-tiers/README.md")
        let size = try FileManager.default.attributesOfItem(atPath: readme.path)[.size] as! Int
        try Data(repeating: UInt8(ascii: "x"), count: size).write(to: readme)
        try sparse(out.appendingPathComponent("pricing-tiers/plan.json"))
        let run = try MeasuredRun.run(["generate", spec.path, "-o", out.path, "--check"])
        #expect(run.status == 1)
        #expect(run.stdout.contains("stale: pricing-tiers/plan.json"), "\(run.stdout)")
        #expect(run.stdout.contains("stale: pricing-tiers/README.md"), "\(run.stdout)")
        #expect(run.maxRSS < Self.ceiling, "--check peaked at \(run.maxRSS / 1_048_576) MB")
    }
}
