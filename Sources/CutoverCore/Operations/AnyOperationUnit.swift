/// A change's `OperationUnit`, as the public `Operation` enum holds it (the unit protocols are internal).
public struct AnyOperationUnit: Sendable {
    let base: any OperationUnit

    /// The operation's key in the spec, e.g. "dropConstraint".
    public var keyword: String { type(of: base).keyword }
}
