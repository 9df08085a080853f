extension String {
    /// The text with each scalar of `escapes` replaced by its replacement, scalar by scalar. Quoting and
    /// escaping go through here, never through Foundation's `replacingOccurrences`, which compares
    /// characters: a quote followed by a combining mark (`'\u{301}`) is one Character, so it was not
    /// doubled, while a server, a shell or a template engine still reads a quote there and the literal
    /// ended early (an SRE review found `'a''\u{301}b'` in a view's text breaking out of its EXECUTE).
    package func escapingScalars(_ escapes: [Unicode.Scalar: String]) -> String {
        guard unicodeScalars.contains(where: { escapes[$0] != nil }) else { return self }
        var out = ""
        for scalar in unicodeScalars {
            if let replacement = escapes[scalar] { out += replacement } else { out.unicodeScalars.append(scalar) }
        }
        return out
    }

    /// Each of `scalars` written twice (`'` → `''`, `"` → `""`, `` ` `` → ``` `` ```, `\` → `\\`).
    /// No dictionary: `SQLNames.quote` calls this for every name of every step.
    package func doublingScalars(_ scalars: Unicode.Scalar...) -> String {
        guard unicodeScalars.contains(where: scalars.contains) else { return self }
        var out = String.UnicodeScalarView()
        for scalar in unicodeScalars {
            out.append(scalar)
            if scalars.contains(scalar) { out.append(scalar) }
        }
        return String(out)
    }

    /// Whether the text holds `scalar` anywhere, combining marks after it or not.
    package func containsScalar(_ scalar: Unicode.Scalar) -> Bool { unicodeScalars.contains(scalar) }
}
