/// The kinds of string the spec accepts, each with its own check. A check returns the rule and message
/// of the first problem, or nil when the text is acceptable.
public enum TextFormat: String, Sendable, CaseIterable {
    case plain
    case sqlIdentifier
    case sqlType
    case sqlExpression
    case sqlScript
    case resourceName
    case dnsLabel
    case dnsSubdomain
    case duration
    case url
    case image
    case quantity
    case path
    case version
    case labelKey
    case labelValue
    case flagKey
    case slug

    public var summary: String {
        switch self {
        case .plain: return "text"
        case .sqlIdentifier: return "an SQL identifier: a letter or '_', then letters, digits, '_' or '$'; at most 63 characters (64 on MySQL)"
        case .sqlType: return "an SQL type expression such as 'text', 'numeric(12,2)', 'timestamp with time zone', 'text[]', 'VARCHAR(1024)'"
        case .sqlExpression: return "an SQL expression; no ';', no comments, balanced quotes and parentheses"
        case .sqlScript: return "SQL statements, run as written"
        case .resourceName: return "a DNS-1123 label of at most 40 characters, so every derived Kubernetes name stays within 63"
        case .dnsLabel: return "a DNS-1123 label: lower-case letters, digits and '-', at most 63 characters"
        case .dnsSubdomain: return "a DNS-1123 subdomain: lower-case letters, digits, '-' and '.', at most 253 characters"
        case .duration: return "a positive duration: a number and a unit out of ms, s, m, h, e.g. '500ms', '2s', '5m', '1h'"
        case .url: return "an http or https URL"
        case .image: return "a container image reference, e.g. 'ghcr.io/acme/app:v1.2.3' or 'repo/app@sha256:…'"
        case .quantity: return "a Kubernetes quantity, e.g. '500m', '1Gi', '100Gi'"
        case .path: return "a relative file path inside the spec's folder"
        case .version: return "a server version, e.g. '15' or '8.0'"
        case .labelKey: return "a Kubernetes label key"
        case .labelValue: return "a Kubernetes label value"
        case .flagKey: return "a feature-flag key: letters, digits, '_', '-' and '.'"
        case .slug: return "a lower-case name of letters, digits and '-'"
        }
    }

    /// A regular expression for the JSON Schema, where one expresses the format well enough.
    public var pattern: String? {
        switch self {
        case .sqlIdentifier: return "^[A-Za-z_][A-Za-z0-9_$]{0,63}$"
        case .resourceName: return "^[a-z0-9]([-a-z0-9]{0,38}[a-z0-9])?$"
        case .dnsLabel: return "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$"
        case .dnsSubdomain: return "^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$"
        case .duration: return "^[0-9]+(\\.[0-9]+)?(ms|s|m|h)$"
        case .url: return "^https?://"
        case .quantity: return "^[0-9]+(\\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$"
        case .version: return "^[0-9]+(\\.[0-9]+){0,2}$"
        case .flagKey: return "^[A-Za-z0-9_.-]{1,128}$"
        case .slug: return "^[a-z0-9]([-a-z0-9]{0,38}[a-z0-9])?$"
        default: return nil
        }
    }
}
