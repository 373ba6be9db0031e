import Foundation
import Hummingbird
import JWTKit
import Logging
import NIOCore

/// `oidc` mode: `Authorization: Bearer <JWT>` from the site's OpenID Connect issuer, verified offline
/// against the issuer's JWKS.
///
/// A token is accepted only when all of these hold, checked in this order (the first failure is the
/// 401's reason): three base64url parts with a JSON header; `alg` in `allowedAlgorithms` (never `none`,
/// never an HMAC, which would let a public key act as a shared secret); no `crit` header; a key with the
/// token's `kid` in the JWKS (fetched again once on an unknown `kid`); the key's own `alg`, if it names
/// one, equal to the token's and its type fitting the algorithm; a valid signature; `exp` present and not
/// passed, `nbf` (if present) reached, both with `leeway`; `iss` exactly `issuer`; `aud` containing
/// `audience`; and a user name. The owner is `preferred_username`, else `sub`.
public struct OIDCAuthenticator: Authenticator {
    /// Asymmetric JWS algorithms only.
    public static let allowedAlgorithms: Set<String> = [
        "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA",
    ]

    public let issuer: String
    public let audience: String
    /// Clock skew tolerated on `exp` and `nbf`, seconds.
    public let leeway: TimeInterval
    let keys: JWKSKeyCache
    private let now: @Sendable () -> Date

    public init(issuer: String, audience: String, jwks: JWKSSource, leeway: TimeInterval = 60,
                minimumRefetchInterval: TimeInterval = 10, logger: Logger,
                now: @escaping @Sendable () -> Date = { Date() }) {
        self.issuer = issuer
        self.audience = audience
        self.leeway = leeway
        self.now = now
        keys = JWKSKeyCache(source: jwks, minimumRefetchInterval: minimumRefetchInterval, logger: logger, now: now)
    }

    /// Fetches the keys at start; throws when they cannot be had.
    public func loadKeys() async throws { try await keys.load() }

    /// How many times the JWKS has been fetched (for tests of the refetch policy).
    public var jwksFetchCount: Int { get async { await keys.fetchCount } }

    public func authenticate(_ request: Request, remoteAddress: SocketAddress?) async -> Authentication {
        guard let token = Self.bearerToken(request) else { return .rejected(reason: nil) }
        do {
            return .user(try await owner(of: token))
        } catch let rejection as TokenRejection {
            return .rejected(reason: rejection.reason)
        } catch {
            return .rejected(reason: "the token could not be verified")
        }
    }

    /// The owner named by a valid token; throws `TokenRejection` with the reason otherwise.
    public func owner(of token: String) async throws -> String {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerData = Base64URL.decode(parts[0]),
              let header = try? JSONDecoder().decode(Header.self, from: headerData) else {
            throw TokenRejection("malformed token")
        }
        guard let algorithmName = header.alg else { throw TokenRejection("the token names no algorithm") }
        guard Self.allowedAlgorithms.contains(algorithmName), let algorithm = JWK.Algorithm(rawValue: algorithmName) else {
            throw TokenRejection("algorithm '\(algorithmName.prefix(16))' is not accepted")
        }
        guard header.crit == nil else { throw TokenRejection("critical header extensions are not supported") }
        let key: JWK
        switch await keys.key(kid: header.kid) {
        case .found(let found): key = found
        case .unknown:
            throw TokenRejection(header.kid == nil ? "the token names no key id (kid) and the issuer has several keys"
                                                   : "unknown key id (kid)")
        case .unavailable:
            throw TokenRejection("the issuer's keys are unavailable")
        }
        if let keyAlgorithm = key.algorithm, keyAlgorithm != algorithm {
            throw TokenRejection("the token's algorithm does not match its key")
        }
        guard Self.fits(algorithmName, key.keyType) else { throw TokenRejection("the token's algorithm does not match its key") }
        let claims: OIDCClaims
        do {
            let verifier = try await keys.verifier(for: key, algorithm: algorithm)
            claims = try await verifier.verify(token, as: OIDCClaims.self)
        } catch let error as JWTError where error.errorType == .signatureVerificationFailed {
            throw TokenRejection("invalid signature")
        } catch {
            throw TokenRejection("the token could not be verified")
        }
        return try check(claims)
    }

    /// The claim checks, after the signature: times with leeway, issuer, audience, user name.
    func check(_ claims: OIDCClaims) throws -> String {
        let now = self.now()
        guard let expiry = claims.exp?.value else { throw TokenRejection("the token has no expiry (exp)") }
        guard now.timeIntervalSince(expiry) <= leeway else { throw TokenRejection("token expired") }
        if let notBefore = claims.nbf?.value, notBefore.timeIntervalSince(now) > leeway {
            throw TokenRejection("token not yet valid (nbf)")
        }
        guard claims.iss?.value == issuer else { throw TokenRejection("wrong issuer") }
        guard claims.aud?.value.contains(audience) == true else { throw TokenRejection("wrong audience") }
        let candidates = [claims.preferredUsername, claims.sub?.value]
        guard let user = candidates.compactMap({ $0?.trimmingCharacters(in: .whitespaces) }).first(where: { !$0.isEmpty }),
              user.count <= 256, !user.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) }) else {
            throw TokenRejection("the token names no user (preferred_username or sub)")
        }
        return user
    }

    static func fits(_ algorithm: String, _ keyType: JWK.KeyType) -> Bool {
        if keyType == .rsa { return algorithm.hasPrefix("RS") || algorithm.hasPrefix("PS") }
        if keyType == .ecdsa { return algorithm.hasPrefix("ES") }
        if keyType == .octetKeyPair { return algorithm == "EdDSA" }
        return false
    }

    /// The token of `Authorization: Bearer …` (tokens in URLs or cookies are not accepted in this mode).
    static func bearerToken(_ request: Request) -> String? {
        guard let header = request.headers[.authorization] else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }

    struct Header: Decodable {
        let alg: String?
        let kid: String?
        let crit: [String]?
    }
}

/// Why a bearer token was refused: one line, safe to show to the caller.
public struct TokenRejection: Error, CustomStringConvertible, Equatable {
    public let reason: String
    init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}

/// The claims the service reads. They are checked by `OIDCAuthenticator.check` (with its clock and
/// leeway), not by jwt-kit's `verify(using:)`, which checks nothing here.
struct OIDCClaims: JWTPayload {
    var iss: IssuerClaim?
    var aud: AudienceClaim?
    var exp: ExpirationClaim?
    var nbf: NotBeforeClaim?
    var sub: SubjectClaim?
    var preferredUsername: String?

    enum CodingKeys: String, CodingKey {
        case iss, aud, exp, nbf, sub, preferredUsername = "preferred_username"
    }

    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

/// Base64url without padding (RFC 7515 §2).
enum Base64URL {
    static func decode(_ text: Substring) -> Data? {
        guard !text.contains("=") else { return nil }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
    }
}
