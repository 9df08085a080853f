/// Up to 16 bytes kept inline (a MySQL delimiter, a user variable's name), so the lexer's reading
/// states copy, hash and compare without touching the heap.
package struct SQLShortBytes: Hashable {
    private var low: UInt64 = 0
    private var high: UInt64 = 0
    private(set) var count = 0

    init?(_ bytes: [UInt8]) {
        guard bytes.count <= 16 else { return nil }
        for index in 0..<bytes.count { set(index, bytes[index]) }
        count = bytes.count
    }

    /// `bytes[range]`, ASCII letters lower-cased when asked.
    init?(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, lowercased: Bool = false) {
        guard range.count <= 16 else { return nil }
        for index in 0..<range.count {
            var byte = bytes[range.lowerBound + index]
            if lowercased && byte >= 0x41 && byte <= 0x5A { byte |= 0x20 }
            set(index, byte)
        }
        count = range.count
    }

    @inline(__always) private mutating func set(_ index: Int, _ byte: UInt8) {
        if index < 8 { low |= UInt64(byte) << (8 * UInt64(index)) } else { high |= UInt64(byte) << (8 * UInt64(index - 8)) }
    }

    @inline(__always) subscript(index: Int) -> UInt8 {
        index < 8 ? UInt8(truncatingIfNeeded: low >> (8 * UInt64(index))) : UInt8(truncatingIfNeeded: high >> (8 * UInt64(index - 8)))
    }
}
