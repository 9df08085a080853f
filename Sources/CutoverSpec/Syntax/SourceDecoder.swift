import Foundation

/// Stage 0: raw bytes to text. Enforces the size limit and the encoding rules before any YAML is read:
/// UTF-8 only, a UTF-8 byte-order mark and CRLF line ends are accepted (and normalised), NUL bytes and
/// invalid sequences are rejected with the line and column where they start.
public protocol SourceDecoding: Sendable {
    func decode(_ bytes: [UInt8], path: String, limits: InputLimits, diagnostics: inout DiagnosticBag) -> SourceFile?
}

public struct SourceDecoder: SourceDecoding {
    public init() {}

    public func decode(_ bytes: [UInt8], path: String, limits: InputLimits, diagnostics: inout DiagnosticBag) -> SourceFile? {
        if bytes.count > limits.maxBytes {
            diagnostics.report(.inputLimit, Message.fileTooLarge(bytes.count, limit: limits.maxBytes), at: .start)
            return nil
        }
        var body = bytes[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) {
            body = body.dropFirst(3)
        } else if body.starts(with: [0xFF, 0xFE]) || body.starts(with: [0xFE, 0xFF]) {
            diagnostics.report(.encoding, Message.utf16, at: .start)
            return nil
        }
        if let problem = Self.firstProblem(in: body) {
            diagnostics.report(.encoding, problem.message, at: problem.location)
            return nil
        }
        var text = String(decoding: body, as: UTF8.self)
        if text.utf8.contains(13) {
            text = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        }
        return SourceFile(path: path, text: text)
    }

    /// Validates UTF-8 by hand in one pass so the error can name the exact line and column.
    private static func firstProblem(in bytes: ArraySlice<UInt8>) -> (message: String, location: SourceLocation)? {
        var line = 1
        var column = 1
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            let here = SourceLocation(line: line, column: column)
            if byte == 0 { return (Message.nulByte, here) }
            let width: Int
            switch byte {
            case 0x00...0x7F: width = 1
            case 0xC2...0xDF: width = 2
            case 0xE0...0xEF: width = 3
            case 0xF0...0xF4: width = 4
            default: return (Message.invalidUTF8, here)
            }
            guard index + width <= bytes.endIndex else { return (Message.invalidUTF8, here) }
            if width > 1 {
                for offset in 1..<width where bytes[index + offset] & 0xC0 != 0x80 {
                    return (Message.invalidUTF8, here)
                }
                let second = bytes[index + 1]
                if (byte == 0xE0 && second < 0xA0) || (byte == 0xED && second > 0x9F)
                    || (byte == 0xF0 && second < 0x90) || (byte == 0xF4 && second > 0x8F) {
                    return (Message.invalidUTF8, here)
                }
            }
            if byte == 0x0A {
                line += 1
                column = 1
            } else if !(byte == 0x0D && index + 1 < bytes.endIndex && bytes[index + 1] == 0x0A) {
                column += 1
            }
            index += width
        }
        return nil
    }
}
