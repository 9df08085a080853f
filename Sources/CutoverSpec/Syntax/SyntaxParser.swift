import CYaml

/// Stage 1: text to syntax tree. One protocol, one method; problems are reported, never thrown.
public protocol SyntaxParsing: Sendable {
    func parse(_ source: SourceFile, limits: InputLimits, diagnostics: inout DiagnosticBag) -> SyntaxNode?
}

/// Builds the tree from libyaml's event stream (the parser inside Yams) rather than from a composed
/// `Yams.Node`: composing resolves aliases, and walking or hashing an aliased tree is exponential.
/// Here anchors, aliases, merge keys and custom tags are refused the moment they appear, depth and
/// node count are bounded while reading, and the loop keeps its own stack, so no input can recurse.
public struct SyntaxParser: SyntaxParsing {
    public init() {}

    private enum Frame {
        case mapping(entries: [SyntaxNode.Entry], keys: Set<String>, pendingKey: (String, SourceLocation)?, location: SourceLocation)
        case sequence(items: [SyntaxNode], location: SourceLocation)
    }

    private static let coreTags: Set<String> = [
        "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
        "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null", "tag:yaml.org,2002:map",
        "tag:yaml.org,2002:seq", "!",
    ]

    public func parse(_ source: SourceFile, limits: InputLimits, diagnostics: inout DiagnosticBag) -> SyntaxNode? {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else {
            diagnostics.report(.yamlSyntax, Message.parserUnavailable, at: .start)
            return nil
        }
        defer { yaml_parser_delete(&parser) }
        yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)

        var utf8 = Array(source.text.utf8)
        return utf8.withUnsafeMutableBufferPointer { buffer -> SyntaxNode? in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            return run(&parser, limits: limits, diagnostics: &diagnostics)
        }
    }

    private func run(_ parser: inout yaml_parser_t, limits: InputLimits, diagnostics: inout DiagnosticBag) -> SyntaxNode? {
        var stack: [Frame] = []
        var root: SyntaxNode?
        var documents = 0
        var nodes = 0
        var event = yaml_event_t()

        func fail(_ rule: RuleID, _ message: String, _ location: SourceLocation) -> SyntaxNode? {
            diagnostics.report(rule, message, at: location)
            return nil
        }

        while true {
            guard yaml_parser_parse(&parser, &event) == 1 else {
                let mark = parser.problem_mark
                let problem = parser.problem.map { String(cString: $0) } ?? "unreadable input"
                let context = parser.context.map { String(cString: $0) }
                let at = SourceLocation(line: Int(mark.line) + 1, column: Int(mark.column) + 1)
                if problem.contains("nesting level") || context?.contains("nesting level") == true {
                    return fail(.inputLimit, Message.tooDeep(limit: limits.maxDepth), at)
                }
                return fail(.yamlSyntax, Message.yamlSyntax(problem: problem, context: context),
                            SourceLocation(line: Int(mark.line) + 1, column: Int(mark.column) + 1))
            }
            defer { yaml_event_delete(&event) }
            let location = SourceLocation(line: Int(event.start_mark.line) + 1, column: Int(event.start_mark.column) + 1)

            switch event.type {
            case YAML_STREAM_START_EVENT, YAML_DOCUMENT_END_EVENT:
                continue
            case YAML_STREAM_END_EVENT:
                guard let root else { return fail(.documentCount, Message.noDocument, location) }
                return root
            case YAML_DOCUMENT_START_EVENT:
                documents += 1
                if documents > 1 { return fail(.documentCount, Message.multipleDocuments, location) }
                continue
            case YAML_ALIAS_EVENT:
                return fail(.anchorAlias, Message.alias, location)
            default:
                break
            }

            let node: SyntaxNode?
            switch event.type {
            case YAML_SCALAR_EVENT:
                let scalar = event.data.scalar
                if scalar.anchor != nil { return fail(.anchorAlias, Message.anchor, location) }
                if let tag = scalar.tag.map({ String(cString: $0) }), !Self.coreTags.contains(tag) {
                    return fail(.yamlTag, Message.tag(tag), location)
                }
                if scalar.length > limits.maxScalarBytes {
                    return fail(.inputLimit, Message.scalarTooLong(scalar.length, limit: limits.maxScalarBytes), location)
                }
                let text = String(decoding: UnsafeBufferPointer(start: scalar.value, count: scalar.length), as: UTF8.self)
                let style: SyntaxNode.ScalarStyle
                switch scalar.style {
                case YAML_SINGLE_QUOTED_SCALAR_STYLE: style = .singleQuoted
                case YAML_DOUBLE_QUOTED_SCALAR_STYLE: style = .doubleQuoted
                case YAML_LITERAL_SCALAR_STYLE: style = .literal
                case YAML_FOLDED_SCALAR_STYLE: style = .folded
                default: style = .plain
                }
                node = SyntaxNode(.scalar(text, style), at: location)
            case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                let isMapping = event.type == YAML_MAPPING_START_EVENT
                let anchor = isMapping ? event.data.mapping_start.anchor : event.data.sequence_start.anchor
                let tagPointer = isMapping ? event.data.mapping_start.tag : event.data.sequence_start.tag
                if anchor != nil { return fail(.anchorAlias, Message.anchor, location) }
                if let tag = tagPointer.map({ String(cString: $0) }), !Self.coreTags.contains(tag) {
                    return fail(.yamlTag, Message.tag(tag), location)
                }
                if case .mapping(_, _, nil, _)? = stack.last {
                    return fail(.complexKey, Message.complexKey, location)
                }
                if stack.count >= limits.maxDepth {
                    return fail(.inputLimit, Message.tooDeep(limit: limits.maxDepth), location)
                }
                nodes += 1
                if nodes > limits.maxNodes { return fail(.inputLimit, Message.tooManyNodes(limit: limits.maxNodes), location) }
                stack.append(isMapping
                    ? .mapping(entries: [], keys: [], pendingKey: nil, location: location)
                    : .sequence(items: [], location: location))
                continue
            case YAML_SEQUENCE_END_EVENT:
                guard case .sequence(let items, let start)? = stack.popLast() else {
                    return fail(.yamlSyntax, Message.yamlSyntax(problem: "unbalanced sequence", context: nil), location)
                }
                node = SyntaxNode(.sequence(items), at: start)
            case YAML_MAPPING_END_EVENT:
                guard case .mapping(let entries, _, _, let start)? = stack.popLast() else {
                    return fail(.yamlSyntax, Message.yamlSyntax(problem: "unbalanced mapping", context: nil), location)
                }
                node = SyntaxNode(.mapping(entries), at: start)
            default:
                node = nil
            }
            guard let node else { continue }
            if case .scalar = node.kind {
                nodes += 1
                if nodes > limits.maxNodes { return fail(.inputLimit, Message.tooManyNodes(limit: limits.maxNodes), location) }
            }

            switch stack.popLast() {
            case nil:
                root = node
            case .sequence(var items, let start)?:
                if items.count >= limits.maxCollectionSize {
                    return fail(.inputLimit, Message.collectionTooLarge(limit: limits.maxCollectionSize), start)
                }
                items.append(node)
                stack.append(.sequence(items: items, location: start))
            case .mapping(var entries, var keys, let pending, let start)?:
                if let (key, keyLocation) = pending {
                    entries.append(SyntaxNode.Entry(key: key, keyLocation: keyLocation, value: node))
                    stack.append(.mapping(entries: entries, keys: keys, pendingKey: nil, location: start))
                } else {
                    guard case .scalar(let key, let style) = node.kind else {
                        return fail(.complexKey, Message.complexKey, node.location)
                    }
                    if key == "<<" && style == .plain { return fail(.anchorAlias, Message.mergeKey, node.location) }
                    if keys.contains(key) { return fail(.duplicateKey, Message.duplicateKey(key), node.location) }
                    if keys.count >= limits.maxCollectionSize {
                        return fail(.inputLimit, Message.collectionTooLarge(limit: limits.maxCollectionSize), start)
                    }
                    keys.insert(key)
                    stack.append(.mapping(entries: entries, keys: keys, pendingKey: (key, node.location), location: start))
                }
            }
        }
    }
}
