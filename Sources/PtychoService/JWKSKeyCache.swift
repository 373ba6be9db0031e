import Foundation
import JWTKit
import Logging

/// The signing keys of one JWKS document. Keys for encryption (`use: enc`), of unknown types, or whose
/// `alg` is outside `OIDCAuthenticator.allowedAlgorithms` are left out rather than failing the document.
struct JWKSKeySet: Sendable {
    let keys: [JWK]

    static func parse(_ data: Data) throws -> JWKSKeySet {
        struct Document: Decodable { let keys: [Entry] }
        struct Entry: Decodable {
            let key: JWK?
            let use: String?
            enum CodingKeys: String, CodingKey { case use }
            init(from decoder: any Decoder) throws {
                key = try? JWK(from: decoder)
                use = try? decoder.container(keyedBy: CodingKeys.self).decodeIfPresent(String.self, forKey: .use)
            }
        }
        let document: Document
        do { document = try JSONDecoder().decode(Document.self, from: data) } catch {
            throw JWKSError("the JWKS is not a JSON object with a \"keys\" array")
        }
        let keys = document.keys.compactMap { entry -> JWK? in
            guard let key = entry.key, entry.use == nil || entry.use == "sig" else { return nil }
            if let algorithm = key.algorithm, !OIDCAuthenticator.allowedAlgorithms.contains(algorithm.rawValue) { return nil }
            return key
        }
        return JWKSKeySet(keys: keys)
    }

    /// The key named `kid`; for a token without one, the set's only key (several would be ambiguous).
    func key(kid: String?) -> JWK? {
        guard let kid else { return keys.count == 1 ? keys[0] : nil }
        return keys.first { $0.keyIdentifier?.string == kid }
    }
}

/// The issuer's current keys, fetched from a `JWKSSource` and fetched again when a token names a key id
/// the cache does not know (the issuer rotated its keys).
///
/// Invariants: refetches start at most once per `minimumRefetchInterval` (so that tokens with made-up
/// key ids cannot make the service hammer the issuer), and concurrent lookups share one fetch; a failed
/// fetch keeps the previous keys. Each verifier is pinned to one key and one algorithm, the token's,
/// which the caller has checked against the allow-list and the key's own `alg` and type.
actor JWKSKeyCache {
    enum Lookup {
        case found(JWK)
        /// The set has no such key, even after a refetch (or a refetch was not yet allowed).
        case unknown
        /// No keys could be had at all; the reason names the source.
        case unavailable(String)
    }

    let source: JWKSSource
    let minimumRefetchInterval: TimeInterval
    private let now: @Sendable () -> Date
    private let logger: Logger
    private var current: JWKSKeySet?
    private var lastAttempt: Date?
    private var lastError: String?
    private var inFlight: Task<Void, Never>?
    private var verifiers: [String: JWTKeyCollection] = [:]
    /// Fetches started so far (tests check the refetch policy with it).
    private(set) var fetchCount = 0

    init(source: JWKSSource, minimumRefetchInterval: TimeInterval, logger: Logger,
         now: @escaping @Sendable () -> Date = { Date() }) {
        self.source = source
        self.minimumRefetchInterval = minimumRefetchInterval
        self.logger = logger
        self.now = now
    }

    /// Fetches the keys now; throws when that fails (the caller decides whether that is fatal).
    func load() async throws {
        await refetch()
        if let lastError { throw JWKSError(lastError) }
    }

    func key(kid: String?) async -> Lookup {
        if let key = current?.key(kid: kid) { return .found(key) }
        if lastAttempt.map({ now().timeIntervalSince($0) >= minimumRefetchInterval }) ?? true {
            await refetch()
            if let key = current?.key(kid: kid) { return .found(key) }
        }
        if current == nil { return .unavailable(lastError ?? "the issuer's keys have not been fetched yet") }
        return .unknown
    }

    /// A verifier holding only `key`, for `algorithm` alone.
    func verifier(for key: JWK, algorithm: JWK.Algorithm) async throws -> JWTKeyCollection {
        let name = "\(key.keyIdentifier?.string ?? "")\u{0}\(algorithm.rawValue)"
        if let verifier = verifiers[name] { return verifier }
        var pinned = key
        pinned.algorithm = algorithm
        if pinned.keyIdentifier == nil { pinned.keyIdentifier = JWKIdentifier(string: "unnamed") }
        let verifier = JWTKeyCollection()
        try await verifier.add(jwk: pinned)
        verifiers[name] = verifier
        return verifier
    }

    private func refetch() async {
        if let inFlight { await inFlight.value; return }
        lastAttempt = now()
        let task = Task { await self.fetchAndInstall() }
        inFlight = task
        await task.value
    }

    private func fetchAndInstall() async {
        fetchCount += 1
        do {
            let set = try JWKSKeySet.parse(try await source.fetch())
            current = set
            verifiers = [:]
            lastError = nil
            logger.info("loaded \(set.keys.count) signing key(s) from \(source)")
        } catch {
            lastError = "\(error)"
            logger.warning("cannot load the OIDC keys: \(error)")
        }
        inFlight = nil
    }
}
