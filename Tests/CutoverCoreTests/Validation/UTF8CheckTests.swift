@testable import CutoverPlan
@testable import CutoverSpec
import Testing

/// `UTF8Check` (the schema file's encoding check, on its bytes) answers as `String(validating:)` does.
@Suite struct UTF8CheckTests {
    @Test func edgeCasesAnswerAsTheStandardLibrary() {
        let cases: [[UInt8]] = [
            [], Array("plain ascii, longer than eight bytes".utf8), Array("caf\u{e9} \u{20ac} \u{1F600}".utf8),
            [0xC0, 0x80], [0xC1, 0xBF], [0xE0, 0x80, 0x80], [0xE0, 0xA0, 0x80], [0xED, 0xA0, 0x80], [0xED, 0x9F, 0xBF],
            [0xF0, 0x80, 0x80, 0x80], [0xF0, 0x90, 0x80, 0x80], [0xF4, 0x8F, 0xBF, 0xBF], [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80],
            [0x80], [0xBF], [0xC2], [0xE2, 0x82], [0xF0, 0x9F, 0x98], [0xFF], [0xFE],
            Array("12345678".utf8) + [0xC3, 0xA9] + Array("12345678".utf8), Array("1234567".utf8) + [0xE2, 0x82, 0xAC, 0x41],
        ]
        for bytes in cases {
            #expect(UTF8Check.isValid(bytes) == (String(validating: bytes, as: UTF8.self) != nil), "\(bytes)")
        }
    }

    @Test func randomBytesAnswerAsTheStandardLibrary() {
        var generator = SystemRandomNumberGenerator()
        // Mostly ASCII with lead and continuation bytes mixed in, so every branch is taken.
        let alphabet: [UInt8] = Array(0x20...0x7E) + [0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC2, 0xDF, 0xE0, 0xE1, 0xED, 0xEF, 0xF0, 0xF3, 0xF4, 0xF5]
        for _ in 0..<20_000 {
            let count = Int.random(in: 0..<24, using: &generator)
            let bytes = (0..<count).map { _ in alphabet.randomElement(using: &generator)! }
            #expect(UTF8Check.isValid(bytes) == (String(validating: bytes, as: UTF8.self) != nil), "\(bytes)")
        }
    }
}
