@testable import CutoverPlan
@testable import CutoverSpec
@testable import CutoverEmit
@testable import CutoverCore
import Foundation
import Testing

/// Plans spec text written to a fresh temporary folder, with its schema file beside it.
enum PlanningHarness {
    static func plan(_ spec: String, schema: String? = nil) throws -> MigrationPlan {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cutover-planning-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        if let schema { try Data(schema.utf8).write(to: folder.appendingPathComponent("schema.sql")) }
        let path = folder.appendingPathComponent("spec.yaml").path
        try Data(spec.utf8).write(to: URL(fileURLWithPath: path))
        let compiler = Compiler()
        let result = try compiler.check(fileAt: path)
        let validated = try #require(result.validated, "\(result.diagnostics.map(\.message))")
        return compiler.plan(validated)
    }

    /// A minimal spec on `engine` with the base schema `schema.sql` and these changes (YAML list items, 4 spaces in).
    static func spec(_ engine: MigrationSpec.Engine, changes: String, schema: Bool = true) -> String {
        """
        apiVersion: cutover.dev/v1alpha1
        kind: Migration
        metadata:
          name: shop-change
          namespace: shop
        spec:
          database:
            engine: \(engine.rawValue)
            version: "\(engine == .mysql ? "8.0" : "15")"
            cluster: shop-db
            name: shop
            credentialsSecret: shop-db-credentials
        \(schema ? "    schema: schema.sql\n" : "")  app:
            name: storefront
            image: ghcr.io/acme/storefront:v5.1.0
          changes:
        \(changes)
        """
    }

    /// The statements of one side of a step, without the comment-only ones.
    static func statements(_ step: PlanStep, _ direction: SQLFileRenderer.Direction) -> [String] {
        (direction == .up ? step.up : step.down).statements.map(\.text).filter { !$0.isEmpty }
    }

    static func step(_ plan: MigrationPlan, slug: String) throws -> PlanStep {
        try #require(plan.steps.first { $0.slug == slug }, "no step \(slug) in \(plan.steps.map(\.slug))")
    }
}
