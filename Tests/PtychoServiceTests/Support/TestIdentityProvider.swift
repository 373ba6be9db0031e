import Foundation
import JWTKit

/// A stand-in OpenID Connect issuer: ES256 keys made on the spot, their public halves as a JWKS, and
/// tokens signed with them — valid ones and each kind of bad one.
struct TestIdentityProvider: Sendable {
    static let issuer = "https://login.example.org/realms/beamline"
    static let audience = "ptychite"

    struct SigningKey: Sendable {
        let kid: String
        let key: ES256PrivateKey

        init(kid: String) {
            self.kid = kid
            key = ES256PrivateKey()
        }

        /// The public JWK, as an issuer publishes it.
        var jwk: [String: String] {
            let parameters = key.publicKey.parameters!
            return ["kty": "EC", "crv": "P-256", "alg": "ES256", "use": "sig", "kid": kid,
                    "x": parameters.x, "y": parameters.y]
        }
    }

    /// A JWKS document of `keys` (plus an encryption key, which the service must skip).
    static func jwks(_ keys: [SigningKey]) -> Data {
        var entries: [[String: String]] = keys.map(\.jwk)
        entries.append(["kty": "RSA", "use": "enc", "alg": "RSA-OAEP", "kid": "encryption-key", "n": "sXch", "e": "AQAB"])
        return try! JSONSerialization.data(withJSONObject: ["keys": entries], options: [.sortedKeys])
    }

    /// The claims of a token; every field may be left out or changed to make a bad token.
    struct Claims: JWTPayload {
        var iss: String? = TestIdentityProvider.issuer
        var aud: [String]? = [TestIdentityProvider.audience]
        var exp: Date? = Date().addingTimeInterval(300)
        var nbf: Date? = Date().addingTimeInterval(-10)
        var iat: Date? = Date()
        var sub: String?
        var preferredUsername: String?

        enum CodingKeys: String, CodingKey {
            case iss, aud, exp, nbf, iat, sub, preferredUsername = "preferred_username"
        }

        init(user: String?, sub: String? = nil) {
            preferredUsername = user
            self.sub = sub ?? "uid-\(user ?? "nobody")"
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encodeIfPresent(iss, forKey: .iss)
            try c.encodeIfPresent(aud, forKey: .aud)
            try c.encodeIfPresent(exp.map { Int($0.timeIntervalSince1970) }, forKey: .exp)
            try c.encodeIfPresent(nbf.map { Int($0.timeIntervalSince1970) }, forKey: .nbf)
            try c.encodeIfPresent(iat.map { Int($0.timeIntervalSince1970) }, forKey: .iat)
            try c.encodeIfPresent(sub, forKey: .sub)
            try c.encodeIfPresent(preferredUsername, forKey: .preferredUsername)
        }

        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    /// `claims` signed with `key`, its kid in the header unless `withKid` is false.
    static func token(_ claims: Claims, key: SigningKey, withKid: Bool = true) async throws -> String {
        let keys = JWTKeyCollection()
        guard withKid else {
            await keys.add(ecdsa: key.key)
            return try await keys.sign(claims)
        }
        await keys.add(ecdsa: key.key, kid: JWKIdentifier(string: key.kid))
        return try await keys.sign(claims, kid: JWKIdentifier(string: key.kid))
    }

    /// An unsigned token (`alg: none`) with a valid-looking header and claims.
    static func unsignedToken(_ claims: Claims, kid: String) throws -> String {
        let header = try JSONSerialization.data(withJSONObject: ["alg": "none", "typ": "JWT", "kid": kid])
        let payload = try JSONEncoder().encode(claims)
        return base64URL(header) + "." + base64URL(payload) + "."
    }

    /// A token signed with HS256 under `secret` (an algorithm the service must refuse).
    static func hmacToken(_ claims: Claims, secret: String, kid: String) async throws -> String {
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256, kid: JWKIdentifier(string: kid))
        return try await keys.sign(claims, kid: JWKIdentifier(string: kid))
    }

    /// `token` with its payload replaced by `claims` and the original signature kept.
    static func tampered(_ token: String, claims: Claims) throws -> String {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        return parts[0] + "." + base64URL(try JSONEncoder().encode(claims)) + "." + parts[2]
    }

    /// `token` with one bit of its signature flipped.
    static func flippedSignature(_ token: String) -> String {
        var parts = token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        var signature = Data(base64Encoded: padded(parts[2]))!
        signature[5] ^= 0x01
        parts[2] = base64URL(signature)
        return parts.joined(separator: ".")
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    private static func padded(_ text: String) -> String {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return base64
    }
}
