import Foundation
import Hummingbird
import NIOCore

/// `proxy` mode: an authenticating reverse proxy (a portal, oauth2-proxy, …) names the user in a header.
///
/// Invariant: the header is believed only on a connection whose peer lies in `trusted`; from anywhere
/// else — or without the header, or with it repeated or unusable — the request is rejected, whatever the
/// header says. The proxy must strip the header from the requests it forwards.
public struct ProxyAuthenticator: Authenticator {
    public let userHeader: HTTPFields.Element.Name
    public let trusted: [AddressRange]

    /// Longest user name accepted (it becomes a job's owner and shows in the API).
    static let maximumUserLength = 256

    public init(userHeader: HTTPFields.Element.Name, trusted: [AddressRange]) {
        self.userHeader = userHeader
        self.trusted = trusted
    }

    public func authenticate(_ request: Request, remoteAddress: SocketAddress?) async -> Authentication {
        guard let peer = remoteAddress, trusted.contains(where: { $0.contains(peer) }) else {
            return .rejected(reason: "the request did not come through a trusted proxy")
        }
        let values = request.headers[values: userHeader]
        guard values.count == 1 else {
            return .rejected(reason: values.isEmpty ? "the proxy named no user (\(userHeader.rawName) header)"
                                                    : "the \(userHeader.rawName) header is repeated")
        }
        let user = values[0].trimmingCharacters(in: .whitespaces)
        guard !user.isEmpty, user.count <= Self.maximumUserLength,
              !user.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) }) else {
            return .rejected(reason: "the \(userHeader.rawName) header is not a usable user name")
        }
        return .user(user)
    }
}
