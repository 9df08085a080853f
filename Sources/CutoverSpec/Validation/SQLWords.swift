/// The words of a column type (or any short SQL text) as ICU's regular expressions see them: maximal
/// runs of `\w` characters, between them gaps, where `\s` is ICU's white space. The few checks on types
/// that used `range(of:options: .regularExpression)` ask this instead, with the same answers: each such
/// call compiled a pattern through NSRegularExpression and loaded ICU's regex engine, about 1 ms of a
/// 14 ms `validate` of a spec with an addColumn, and again per column in `generate`.
package struct SQLWords {
    private let scalars: [Unicode.Scalar]
    /// Each word's scalar range, in order.
    private let words: [Range<Int>]

    package init(_ text: String) {
        let scalars = Array(text.unicodeScalars)
        var words: [Range<Int>] = []
        var start: Int?
        for (index, scalar) in scalars.enumerated() {
            if Self.isWord(scalar) {
                if start == nil { start = index }
            } else if let first = start {
                words.append(first..<index)
                start = nil
            }
        }
        if let first = start { words.append(first..<scalars.count) }
        self.scalars = scalars
        self.words = words
    }

    /// `\bW1\s+W2…\s+Wn\b`: the words in a row, only white space between them (words upper case as the
    /// text is; compared exactly).
    package func contains(_ sequence: String...) -> Bool {
        firstEnd(of: sequence) != nil
    }

    /// `\bW1\s+…\s+Wn\s*(`, with `next` for `(`: the words in a row, then (after white space) `next`.
    package func contains(_ sequence: String..., followedBy next: Unicode.Scalar) -> Bool {
        var from = 0
        while let (index, end) = firstEnd(of: sequence, from: from) {
            var after = end
            while after < scalars.count, Self.isSpace(scalars[after]) { after += 1 }
            if after < scalars.count, scalars[after] == next { return true }
            from = index + 1
        }
        return false
    }

    /// `\bW\s*$`: the text ends with the word `word`, then white space at most (and, as ICU's `$`, one
    /// line terminator).
    package func ends(with word: String) -> Bool {
        let end = Self.contentEnd(scalars)
        guard let last = words.last(where: { $0.lowerBound < end }), last.upperBound == end else { return false }
        return matches(last, word)
    }

    /// `^\s*(A|B|…)\s*$`: the whole text, white space aside, is one of `texts`.
    package static func isOneOf(_ text: String, _ texts: Set<String>) -> Bool {
        let scalars = Array(text.unicodeScalars)
        let end = contentEnd(scalars)
        var start = 0
        while start < end, isSpace(scalars[start]) { start += 1 }
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars[start..<end])
        return texts.contains(String(view))
    }

    /// Where the text ends for `\s*$`: before one final line terminator (ICU's `$` matches there too,
    /// `\r\n` counting as one), then before trailing white space.
    private static func contentEnd(_ scalars: [Unicode.Scalar]) -> Int {
        var end = scalars.count
        if end > 0, isLineTerminator(scalars[end - 1]) {
            end -= (end > 1 && scalars[end - 1] == "\n" && scalars[end - 2] == "\r") ? 2 : 1
        }
        while end > 0, isSpace(scalars[end - 1]) { end -= 1 }
        return end
    }

    private func firstEnd(of sequence: [String], from: Int = 0) -> (index: Int, end: Int)? {
        guard let first = sequence.first else { return nil }
        var index = from
        while index < words.count {
            if matches(words[index], first), index + sequence.count <= words.count {
                var ok = true
                for offset in 1..<max(sequence.count, 1) where ok {
                    let previous = words[index + offset - 1], word = words[index + offset]
                    ok = scalars[previous.upperBound..<word.lowerBound].allSatisfy(Self.isSpace) && matches(word, sequence[offset])
                }
                if ok { return (index, words[index + sequence.count - 1].upperBound) }
            }
            index += 1
        }
        return nil
    }

    private func matches(_ range: Range<Int>, _ word: String) -> Bool {
        var position = range.lowerBound
        for scalar in word.unicodeScalars {
            guard position < range.upperBound, scalars[position] == scalar else { return false }
            position += 1
        }
        return position == range.upperBound
    }

    /// ICU's `\w`: [\p{Alphabetic}\p{Mark}\p{Decimal_Number}\p{Connector_Punctuation}\u200c\u200d].
    static func isWord(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII {
            let value = scalar.value
            return (value >= 0x30 && value <= 0x39) || (value >= 0x41 && value <= 0x5A) || (value >= 0x61 && value <= 0x7A) || value == 0x5F
        }
        if scalar.value == 0x200C || scalar.value == 0x200D || scalar.properties.isAlphabetic { return true }
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .connectorPunctuation: return true
        default: return false
        }
    }

    /// ICU's `\s`: [\t\n\f\r\p{Z}].
    static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A, 0x0C, 0x0D, 0x20: return true
        case 0..<0x80: return false
        default:
            switch scalar.properties.generalCategory {
            case .spaceSeparator, .lineSeparator, .paragraphSeparator: return true
            default: return false
            }
        }
    }

    /// The line terminators ICU's `$` may stand before at the end of the text.
    private static func isLineTerminator(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x0A, 0x0B, 0x0C, 0x0D, 0x85, 0x2028, 0x2029: return true
        default: return false
        }
    }
}
