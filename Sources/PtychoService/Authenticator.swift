import Foundation
import Hummingbird
import NIOCore

/// What an authenticator concluded about one request.
public enum Authentication: Sendable, Equatable {
    /// The caller, by the name that owns their jobs.
    case user(String)
    /// No acceptable credential. `reason` (nil when none was presented) says what was wrong with the one
    /// that was; it goes into the 401's `WWW-Authenticate` and body and never names a secret.
    case rejected(reason: String?)
}

/// Decides who is calling. Implementations never throw for a bad credential: they answer `.rejected`
/// and the API answers 401 with `WWW-Authenticate` (never a 500).
public protocol Authenticator: Sendable {
    /// Who is calling. `remoteAddress` is the TCP peer (nil when unknown, as in in-process tests).
    func authenticate(_ request: Request, remoteAddress: SocketAddress?) async -> Authentication
    /// The token the web page should keep in its cookie: the request's `token` query parameter when that
    /// alone is an acceptable credential; nil otherwise, and in modes without tokens.
    func webSessionToken(for request: Request) -> String?
}

extension Authenticator {
    public func webSessionToken(for request: Request) -> String? { nil }
}

/// `token` mode: each accepted token maps to a user (one token for the single-user container; tests use
/// two to check that users cannot see each other's jobs). The token is read from `Authorization: Bearer`,
/// the `ptychite_token` cookie, or the `token` query parameter of the printed access URL.
public struct TokenAuthenticator: Authenticator {
    private let users: [(token: [UInt8], user: String)]

    public init(tokens: [String: String]) {
        users = tokens.filter { !$0.key.isEmpty }.map { (Array($0.key.utf8), $0.value) }
    }

    public func user(for request: Request) -> String? {
        guard let presented = Self.presentedToken(request) else { return nil }
        let bytes = Array(presented.utf8)
        return users.first { Self.constantTimeEqual($0.token, bytes) }?.user
    }

    public func authenticate(_ request: Request, remoteAddress: SocketAddress?) async -> Authentication {
        user(for: request).map(Authentication.user) ?? .rejected(reason: nil)
    }

    public func webSessionToken(for request: Request) -> String? {
        guard let token = request.uri.queryParameters.get("token") else { return nil }
        let bytes = Array(token.utf8)
        return users.contains { Self.constantTimeEqual($0.token, bytes) } ? token : nil
    }

    static func presentedToken(_ request: Request) -> String? {
        if let header = request.headers[.authorization] {
            let parts = header.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer" { return String(parts[1]).trimmingCharacters(in: .whitespaces) }
        }
        if let cookies = request.headers[.cookie] {
            for cookie in cookies.split(separator: ";") {
                let pair = cookie.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                // The web page stores the token percent-encoded (`WebPage.cookieValue`).
                if pair.count == 2, pair[0] == "ptychite_token" { return pair[1].removingPercentEncoding ?? pair[1] }
            }
        }
        return request.uri.queryParameters.get("token")
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for i in a.indices { difference |= a[i] ^ b[i] }
        return difference == 0
    }
}

/// `none` mode: everyone is the same local user (for a private, trusted network only).
public struct OpenAuthenticator: Authenticator {
    public let userName: String
    public init(userName: String = "local") { self.userName = userName }
    public func authenticate(_ request: Request, remoteAddress: SocketAddress?) async -> Authentication { .user(userName) }
}

/// The request context of the service: Hummingbird's core storage, the TCP peer and the authenticated user.
public struct ServiceRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by `AuthMiddleware` before any protected route runs.
    public var user: String?
    /// The connection's peer (a proxy in `proxy` mode); nil when there is none, as in in-process tests.
    public let remoteAddress: SocketAddress?

    public init(source: Source) {
        coreContext = .init(source: source)
        user = nil
        remoteAddress = source.channel.remoteAddress
    }
}

/// Answers 401 (JSON, with `WWW-Authenticate: Bearer`) unless the authenticator names a user. A presented
/// but invalid credential adds RFC 6750's `error="invalid_token"` and a one-line `error_description`.
struct AuthMiddleware: RouterMiddleware {
    let authenticator: any Authenticator

    func handle(_ request: Request, context: ServiceRequestContext,
                next: (Request, ServiceRequestContext) async throws -> Response) async throws -> Response {
        switch await authenticator.authenticate(request, remoteAddress: context.remoteAddress) {
        case .user(let user):
            var context = context
            context.user = user
            return try await next(request, context)
        case .rejected(let reason):
            throw Self.unauthorized(reason: reason)
        }
    }

    static func unauthorized(reason: String?) -> APIError {
        var error = APIError(.unauthorized, "unauthorized", detail: reason ?? "a valid bearer token is required")
        var challenge = #"Bearer realm="ptychite""#
        if let reason {
            // A quoted-string may not hold `"` or `\`; reasons are ours, but keep the header well formed.
            let quoted = reason.filter { $0 != "\"" && $0 != "\\" && !$0.isNewline }
            challenge += #", error="invalid_token", error_description="\#(quoted)""#
        }
        error.headers[.wwwAuthenticate] = challenge
        return error
    }
}

/// Turns every error into the API's JSON form; an unexpected error is a 500 with no internals.
struct JSONErrorMiddleware: RouterMiddleware {
    func handle(_ request: Request, context: ServiceRequestContext,
                next: (Request, ServiceRequestContext) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            throw error
        } catch let error as HTTPError {
            throw APIError(error.status, error.status.reasonPhrase.lowercased(), detail: error.body)
        } catch let error as any HTTPResponseError {
            throw APIError(error.status, error.status.reasonPhrase.lowercased())
        } catch {
            context.logger.error("internal error: \(error)")
            throw APIError(.internalServerError, "internal error")
        }
    }
}
