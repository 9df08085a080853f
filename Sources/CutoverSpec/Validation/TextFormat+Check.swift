extension TextFormat {
    /// The first problem with `text` in this format, or nil. Written as character scans, not regular
    /// expressions, because validate runs in pre-commit hooks where start-up time counts.
    public func problem(_ text: String, field: String) -> (RuleID, String)? {
        switch self {
        case .plain, .sqlScript:
            return text.contains("\u{0}") ? (.encoding, Message.controlCharacter(field)) : nil
        case .sqlIdentifier:
            return SQLText.identifierProblem(text, maxLength: 64).map { (.sqlIdentifier, Message.sqlIdentifier(text, field: field, problem: $0)) }
        case .sqlType:
            return SQLText.typeProblem(text).map { (.typeExpression, Message.typeExpression(text, problem: $0)) }
        case .sqlExpression:
            return SQLText.expressionProblem(text).map { (.unsafeSQL, Message.unsafeSQL(field, problem: $0)) }
        case .resourceName:
            return KubernetesText.labelProblem(text, maxLength: MigrationNames.maxLength)
                .map { (.resourceName, Message.resourceName(text, problem: $0)) }
        case .dnsLabel:
            return KubernetesText.labelProblem(text, maxLength: 63).map { (.kubernetesName, Message.kubernetesName(text, field: field, problem: $0)) }
        case .dnsSubdomain:
            return KubernetesText.subdomainProblem(text).map { (.kubernetesName, Message.kubernetesName(text, field: field, problem: $0)) }
        case .labelKey:
            return KubernetesText.labelKeyProblem(text).map { (.kubernetesName, Message.kubernetesName(text, field: field, problem: $0)) }
        case .labelValue:
            return KubernetesText.labelValueProblem(text).map { (.kubernetesName, Message.kubernetesName(text, field: field, problem: $0)) }
        case .duration:
            return Duration.parse(text) == nil ? (.duration, Message.duration(text, field: field)) : nil
        case .url:
            return KubernetesText.urlProblem(text).map { (.url, Message.url(text, field: field, problem: $0)) }
        case .image:
            return KubernetesText.imageProblem(text).map { (.imageReference, Message.image(text, problem: $0)) }
        case .quantity:
            return KubernetesText.isQuantity(text) ? nil : (.quantity, Message.quantity(text, field: field))
        case .path:
            return KubernetesText.relativePathProblem(text).map { (.schemaFile, Message.path(text, problem: $0)) }
        case .version:
            return KubernetesText.isVersion(text) ? nil : (.engineConsistency, Message.version(text, field: field))
        case .flagKey:
            let ok = !text.isEmpty && text.count <= 128 && text.unicodeScalars.allSatisfy {
                $0.isASCII && (ASCII.alnum($0) || "_.-".unicodeScalars.contains($0))
            }
            return ok ? nil : (.kubernetesName, Message.flagKey(text))
        case .slug:
            return KubernetesText.labelProblem(text, maxLength: 40).map { (.kubernetesName, Message.kubernetesName(text, field: field, problem: $0)) }
        }
    }
}

/// ASCII character classes without Foundation, for the scanners.
package enum ASCII {
    package static func alnum(_ s: Unicode.Scalar) -> Bool { lower(s) || upper(s) || digit(s) }
    static func lower(_ s: Unicode.Scalar) -> Bool { s.value >= 0x61 && s.value <= 0x7A }
    static func upper(_ s: Unicode.Scalar) -> Bool { s.value >= 0x41 && s.value <= 0x5A }
    static func digit(_ s: Unicode.Scalar) -> Bool { s.value >= 0x30 && s.value <= 0x39 }
}
