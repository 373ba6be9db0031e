import AsyncHTTPClient
import Foundation
import NIOCore

/// Where the OIDC issuer's signing keys (a JSON Web Key Set) come from: `PTYCHITE_OIDC_JWKS`, an
/// `http(s)://` URL (the issuer's `jwks_uri`) or a file (a path, or a `file://` URL).
///
/// Invariant: `fetch()` returns the whole current document or throws a `JWKSError` naming the source;
/// a file is read anew on every fetch, so that replacing it rotates the keys as a URL does.
public enum JWKSSource: Sendable, Equatable, CustomStringConvertible {
    case file(String)
    case url(String)

    /// Largest JWKS document accepted (real ones are a few kilobytes).
    static let maximumBytes = 1 << 20
    /// Bound on one HTTP fetch, connection included.
    static let timeout: TimeAmount = .seconds(5)

    public init(_ text: String) {
        let lowered = text.lowercased()
        if lowered.hasPrefix("https://") || lowered.hasPrefix("http://") {
            self = .url(text)
        } else if lowered.hasPrefix("file://") {
            self = .file(URL(string: text)?.path ?? String(text.dropFirst(7)))
        } else {
            self = .file(text)
        }
    }

    public var description: String {
        switch self {
        case .file(let path): return "file \(path)"
        case .url(let url): return url
        }
    }

    public func fetch() async throws -> Data {
        switch self {
        case .file(let path):
            guard let data = FileManager.default.contents(atPath: path) else {
                throw JWKSError("cannot read the JWKS file \(path)")
            }
            guard data.count <= Self.maximumBytes else { throw JWKSError("the JWKS file \(path) is larger than 1 MiB") }
            return data
        case .url(let url):
            var request = HTTPClientRequest(url: url)
            request.headers.add(name: "Accept", value: "application/jwk-set+json, application/json")
            let response: HTTPClientResponse
            do {
                response = try await HTTPClient.shared.execute(request, timeout: Self.timeout)
            } catch {
                throw JWKSError("cannot fetch the JWKS from \(url): \(error)")
            }
            guard response.status == .ok else {
                throw JWKSError("fetching the JWKS from \(url) answered HTTP \(response.status.code)")
            }
            do {
                let body = try await response.body.collect(upTo: Self.maximumBytes)
                return Data(body.readableBytesView)
            } catch {
                throw JWKSError("cannot read the JWKS from \(url): \(error)")
            }
        }
    }
}

public struct JWKSError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
