/// Step slugs: lower-case `[a-z0-9_]`, words joined by '_', cut to a length budget with a stable hash
/// suffix so two long slugs that share a prefix stay distinct.
public enum SlugBuilder {
    public static func slug(_ words: String, maxLength: Int) -> String {
        var out = ""
        var pendingUnderscore = false
        for scalar in words.lowercased().unicodeScalars {
            let ok = ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar)
            if ok {
                if pendingUnderscore && !out.isEmpty { out += "_" }
                pendingUnderscore = false
                out.unicodeScalars.append(scalar)
            } else {
                pendingUnderscore = true
            }
        }
        if out.isEmpty { out = "step" }
        return fit(out, maxLength: maxLength)
    }

    public static func fit(_ slug: String, maxLength: Int) -> String {
        guard slug.count > maxLength else { return slug }
        let hash = SQLNames.shortHash(slug)
        var prefix = String(slug.prefix(max(1, maxLength - hash.count - 1)))
        while prefix.hasSuffix("_") { prefix.removeLast() }
        return prefix + "_" + hash
    }

    public static func suffixed(_ slug: String, _ n: Int, maxLength: Int) -> String {
        let suffix = "_\(n)"
        var base = slug
        if base.count + suffix.count > maxLength { base = String(base.prefix(maxLength - suffix.count)) }
        return base + suffix
    }
}
