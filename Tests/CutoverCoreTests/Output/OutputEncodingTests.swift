@testable import CutoverEmit
@testable import CutoverCore
import Foundation
import Testing

/// The incremental SHA-256 of the writer against the one-shot one, the manifest, and the streaming
/// emit against the list form.
@Suite struct OutputEncodingTests {
    @Test func sha256KnownVectorsAndIncrementalUpdates() {
        #expect(SHA256.hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        let text = String(repeating: "naïve SQL;\n", count: 1000)
        for chunk in [1, 3, 63, 64, 65, 1000] {
            var hasher = SHA256()
            let bytes = Array(text.utf8)
            var offset = 0
            while offset < bytes.count {
                let end = min(bytes.count, offset + chunk)
                bytes[offset..<end].withUnsafeBytes { hasher.update($0) }
                offset = end
            }
            #expect(hasher.finalizeHex() == SHA256.hex(text), "chunk \(chunk)")
        }
    }

    @Test func manifestOfGeneratedFilesIsSortedAndReadsBack() throws {
        let plan = KubernetesFixtures.fullPlan(KubernetesFixtures.spec(KubernetesFixtures.expandContractYAML))
        let manifest = GeneratedManifest(files: Compiler().emit(plan))
        #expect(manifest.files.map(\.path) == manifest.files.map(\.path).sorted())
        let decoded = try JSONDecoder().decode(GeneratedManifest.self, from: Data(manifest.encoded().utf8))
        #expect(decoded == manifest)
    }

    @Test func streamingAndListEmitAgree() {
        let compiler = Compiler()
        let plan = KubernetesFixtures.fullPlan(KubernetesFixtures.spec(KubernetesFixtures.blueGreenYAML))
        var streamed: [OutputFile] = []
        compiler.emit(plan) { streamed.append($0) }
        #expect(streamed.sorted { $0.path < $1.path } == compiler.emit(plan))
        #expect(Set(streamed.map(\.path)).count == streamed.count, "no path twice")
    }
}
