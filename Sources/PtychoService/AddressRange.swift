#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import NIOCore

/// An IPv4 or IPv6 network in CIDR form (`10.0.0.0/8`, `::1`, `fd00::/8`); a bare address is a /32 or /128.
///
/// Invariants: `network` holds 4 or 16 bytes, `prefixLength` is within 0...8·count, and the host bits of
/// `network` are zero. An IPv4-mapped IPv6 peer (`::ffff:a.b.c.d`, as a dual-stack socket reports IPv4
/// clients) matches IPv4 ranges.
public struct AddressRange: Sendable, Equatable, CustomStringConvertible {
    public let network: [UInt8]
    public let prefixLength: Int

    /// Parses `ADDRESS` or `ADDRESS/PREFIX`; nil when either part is malformed.
    public init?(_ text: String) {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 1 || parts.count == 2, let bytes = Self.bytes(of: String(parts[0])) else { return nil }
        let maximum = bytes.count * 8
        var length = maximum
        if parts.count == 2 {
            guard let parsed = Int(parts[1]), parts[1].allSatisfy(\.isNumber), (0...maximum).contains(parsed) else { return nil }
            length = parsed
        }
        network = Self.masked(bytes, length)
        prefixLength = length
    }

    /// True when `address` (textual, as `SocketAddress.ipAddress` gives it) lies in the range.
    public func contains(_ address: String) -> Bool {
        guard var bytes = Self.bytes(of: address) else { return false }
        if network.count == 4, bytes.count == 16, bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xff, bytes[11] == 0xff {
            bytes = Array(bytes[12...])
        }
        guard bytes.count == network.count else { return false }
        return Self.masked(bytes, prefixLength) == network
    }

    public func contains(_ address: SocketAddress) -> Bool {
        address.ipAddress.map { contains($0) } ?? false
    }

    public var description: String {
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        network.withUnsafeBytes { raw in
            _ = inet_ntop(network.count == 4 ? AF_INET : AF_INET6, raw.baseAddress, &text, socklen_t(text.count))
        }
        return String(cString: text) + "/\(prefixLength)"
    }

    /// Loopback only: the default set of trusted proxies.
    public static let loopback: [AddressRange] = [AddressRange("127.0.0.0/8")!, AddressRange("::1")!]

    /// A comma-separated list; throws naming the first malformed entry.
    public static func list(_ text: String, setting: String) throws -> [AddressRange] {
        let entries = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !entries.isEmpty else { throw ServiceConfigurationError("\(setting) is empty: name at least one address or CIDR range") }
        return try entries.map { entry in
            guard let range = AddressRange(entry) else {
                throw ServiceConfigurationError("\(setting): '\(entry)' is not an IP address or CIDR range (e.g. 10.0.0.0/8, ::1)")
            }
            return range
        }
    }

    static func bytes(of text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        // A zone (`fe80::1%eth0`) is not part of the address.
        let bare = text.split(separator: "%", maxSplits: 1).first.map(String.init) ?? text
        if inet_pton(AF_INET6, bare, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }

    static func masked(_ bytes: [UInt8], _ length: Int) -> [UInt8] {
        bytes.enumerated().map { index, byte in
            let bits = max(0, min(8, length - index * 8))
            return bits == 0 ? 0 : byte & UInt8(truncatingIfNeeded: 0xff << (8 - bits))
        }
    }
}
