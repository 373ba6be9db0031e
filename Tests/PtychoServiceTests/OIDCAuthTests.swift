import CryptoExtras
import Foundation
import Hummingbird
import HummingbirdTesting
import JWTKit
import Logging
import PtychoService
import PtychoTestSupport
import XCTest

/// `oidc` mode: tokens from a stand-in issuer (keys made in the test), the JWKS from a file and from a
/// real HTTP server on 127.0.0.1, every kind of bad token, and job ownership between two token users.
final class OIDCAuthTests: XCTestCase {
    typealias IdP = TestIdentityProvider

    /// A fixture in oidc mode whose JWKS file publishes `keys`.
    static func fixture(keys: [IdP.SigningKey], leeway: Double = 60) throws -> (ServiceFixture, OIDCAuthenticator, TemporaryDirectory) {
        let folder = try TemporaryDirectory(prefix: "ptychite-oidc-")
        try IdP.jwks(keys).write(to: URL(fileURLWithPath: folder.file("jwks.json")))
        let authenticator = OIDCAuthenticator(issuer: IdP.issuer, audience: IdP.audience, jwks: JWKSSource(folder.file("jwks.json")),
                                              leeway: leeway, minimumRefetchInterval: 0, logger: Logger(label: "test"))
        let fixture = try ServiceFixture(authenticator: authenticator) { configuration in
            configuration.authMode = .oidc
            configuration.oidcIssuer = IdP.issuer
            configuration.oidcAudience = IdP.audience
            configuration.oidcJWKS = folder.file("jwks.json")
        }
        return (fixture, authenticator, folder)
    }

    /// `token` with the header (alg, kid) of `donor`.
    static func withHeader(of donor: String, _ token: String) -> String {
        String(donor.prefix { $0 != "." }) + String(token.drop { $0 != "." })
    }

    func testValidTokensNameTheirOwner() async throws {
        let key = IdP.SigningKey(kid: "k1")
        let (fixture, _, folder) = try Self.fixture(keys: [key])
        _ = folder
        let alice = try await IdP.token(.init(user: "alice"), key: key)
        var subjectOnly = IdP.Claims(user: nil, sub: "f3c1-subject")
        subjectOnly.aud = ["account", IdP.audience]  // several audiences, ours among them
        let subject = try await IdP.token(subjectOnly, key: key)
        var barelyExpired = IdP.Claims(user: "alice")
        barelyExpired.exp = Date().addingTimeInterval(-20)  // within the 60 s leeway
        let lenient = try await IdP.token(barelyExpired, key: key)
        let keyless = try await IdP.token(.init(user: "alice"), key: key, withKid: false)  // the JWKS has one signing key
        try await fixture.test { client in
            for (token, user) in [(alice, "alice"), (subject, "f3c1-subject"), (lenient, "alice"), (keyless, "alice")] {
                try await client.execute(uri: "/api/v1/service-info", method: .get, headers: ServiceFixture.headers(token)) { response in
                    XCTAssertEqual(response.status, .ok, String(buffer: response.body))
                    let info = jsonObject(response.body)
                    XCTAssertEqual(info["user"] as? String, user)
                    XCTAssertEqual(info["auth_mode"] as? String, "oidc")
                    XCTAssertEqual((info["oidc"] as? [String: Any])?["issuer"] as? String, IdP.issuer)
                }
            }
        }
    }

    /// Each bad token is a 401 with `WWW-Authenticate` naming the reason — never a 500, never accepted.
    func testBadTokensAre401WithTheReason() async throws {
        let key = IdP.SigningKey(kid: "k1"), other = IdP.SigningKey(kid: "k2"), unpublished = IdP.SigningKey(kid: "k9")
        let (fixture, _, folder) = try Self.fixture(keys: [key, other])
        _ = folder
        func claims(_ change: (inout IdP.Claims) -> Void) -> IdP.Claims {
            var claims = IdP.Claims(user: "alice")
            change(&claims)
            return claims
        }
        let valid = try await IdP.token(.init(user: "alice"), key: key)
        let cases: [(String, String, String)] = [
            ("expired", try await IdP.token(claims { $0.exp = Date().addingTimeInterval(-3600) }, key: key), "token expired"),
            ("not yet valid", try await IdP.token(claims { $0.nbf = Date().addingTimeInterval(3600) }, key: key), "token not yet valid (nbf)"),
            ("no expiry", try await IdP.token(claims { $0.exp = nil }, key: key), "the token has no expiry (exp)"),
            ("wrong issuer", try await IdP.token(claims { $0.iss = "https://evil.example.org/realms/beamline" }, key: key), "wrong issuer"),
            ("no issuer", try await IdP.token(claims { $0.iss = nil }, key: key), "wrong issuer"),
            ("wrong audience", try await IdP.token(claims { $0.aud = ["another-service"] }, key: key), "wrong audience"),
            ("no user", try await IdP.token(claims { $0.preferredUsername = nil; $0.sub = nil }, key: key),
             "the token names no user (preferred_username or sub)"),
            ("alg none", try IdP.unsignedToken(.init(user: "alice"), kid: "k1"), "algorithm 'none' is not accepted"),
            ("HS256 with the key id", try await IdP.hmacToken(.init(user: "alice"), secret: "k1", kid: "k1"), "algorithm 'HS256' is not accepted"),
            ("tampered payload", try IdP.tampered(valid, claims: .init(user: "mallory")), "invalid signature"),
            ("flipped signature bit", IdP.flippedSignature(valid), "invalid signature"),
            ("signed by another key than its kid's", Self.withHeader(of: valid, try await IdP.token(.init(user: "alice"), key: other)),
             "invalid signature"),
            ("unknown key id", try await IdP.token(.init(user: "alice"), key: unpublished), "unknown key id (kid)"),
            ("no kid, two keys", try await IdP.token(.init(user: "alice"), key: key, withKid: false),
             "the token names no key id (kid) and the issuer has several keys"),
            ("malformed", "not-a-jwt", "malformed token"),
            ("two parts", "eyJhbGciOiJFUzI1NiJ9.e30", "malformed token"),
        ]
        try await fixture.test { client in
            for (name, token, reason) in cases {
                try await client.execute(uri: "/api/v1/jobs", method: .get, headers: ServiceFixture.headers(token)) { response in
                    XCTAssertEqual(response.status, .unauthorized, name)
                    XCTAssertEqual(response.headers[.wwwAuthenticate],
                                   #"Bearer realm="ptychite", error="invalid_token", error_description="\#(reason)""#, name)
                    let body = jsonObject(response.body)
                    XCTAssertEqual(body["error"] as? String, "unauthorized", name)
                    XCTAssertEqual(body["detail"] as? String, reason, name)
                }
            }
            // No credential: the plain challenge. A valid token in the query or a cookie is not a bearer token.
            try await client.execute(uri: "/api/v1/jobs", method: .get) { response in
                XCTAssertEqual(response.status, .unauthorized)
                XCTAssertEqual(response.headers[.wwwAuthenticate], #"Bearer realm="ptychite""#)
            }
            try await client.execute(uri: "/api/v1/jobs?token=\(valid)", method: .get) { XCTAssertEqual($0.status, .unauthorized) }
            try await client.execute(uri: "/api/v1/jobs", method: .get, headers: [.cookie: "ptychite_token=\(valid)"]) {
                XCTAssertEqual($0.status, .unauthorized)
            }
            // The valid token itself passes, so the failures above are the claims', not the setup's.
            try await client.execute(uri: "/api/v1/jobs", method: .get, headers: ServiceFixture.headers(valid)) {
                XCTAssertEqual($0.status, .ok)
            }
        }
    }

    /// Two users from two tokens: each sees only their own jobs; every job route answers 404 to the other.
    func testJobsAreVisibleOnlyToTheirOwner() async throws {
        let key = IdP.SigningKey(kid: "k1")
        let (fixture, _, folder) = try Self.fixture(keys: [key])
        _ = folder
        let alice = try await IdP.token(.init(user: "alice"), key: key)
        let bob = try await IdP.token(.init(user: nil, sub: "bob-subject"), key: key)
        try await fixture.test { client in
            let path = try await APITests.submit(client, token: alice)
            try await APITests.waitForState(client, path: path, token: alice, state: "RUNNING")
            let routes: [(HTTPRequest.Method, String)] = [
                (.get, path), (.get, path + "/events"), (.get, path + "/results"), (.get, path + "/results/log.txt"),
                (.post, path + "/cancel"), (.delete, path),
            ]
            for (method, uri) in routes {
                try await client.execute(uri: uri, method: method, headers: ServiceFixture.headers(bob)) { response in
                    XCTAssertEqual(response.status, .notFound, "\(method) \(uri)")
                }
            }
            try await client.execute(uri: "/api/v1/jobs", method: .get, headers: ServiceFixture.headers(bob)) {
                XCTAssertEqual((jsonObject($0.body)["jobs"] as? [Any])?.count, 0)
            }
            try await client.execute(uri: path, method: .get, headers: ServiceFixture.headers(alice)) { response in
                XCTAssertEqual(response.status, .ok)
                XCTAssertEqual(jsonObject(response.body)["owner"] as? String, "alice")
                XCTAssertEqual(jsonObject(response.body)["state"] as? String, "RUNNING", "bob's cancel did nothing")
            }
        }
    }

    /// RSA keys as Keycloak publishes them (`RS256` by default): a key that declares its `alg` takes only
    /// that one; a key without `alg` takes RS256 and PS256 alike, each token checked with its own algorithm.
    func testRSAKeysWithAndWithoutTheirAlgorithm() async throws {
        let declared = try JWTKit.Insecure.RSA.PrivateKey(backing: _RSA.Signing.PrivateKey(keySize: .bits2048))
        let open = try JWTKit.Insecure.RSA.PrivateKey(backing: _RSA.Signing.PrivateKey(keySize: .bits2048))
        func jwk(_ key: JWTKit.Insecure.RSA.PrivateKey, kid: String, alg: String?) throws -> [String: String] {
            let primitives = try key.publicKey.getKeyPrimitives()
            var entry = ["kty": "RSA", "use": "sig", "kid": kid, "n": IdP.base64URL(primitives.modulus),
                         "e": IdP.base64URL(primitives.publicExponent)]
            entry["alg"] = alg
            return entry
        }
        let folder = try TemporaryDirectory(prefix: "ptychite-oidc-rsa-")
        let document: [String: [[String: String]]] = ["keys": [try jwk(declared, kid: "rs", alg: "RS256"), try jwk(open, kid: "any", alg: String?.none)]]
        try JSONSerialization.data(withJSONObject: document).write(to: URL(fileURLWithPath: folder.file("jwks.json")))
        let authenticator = OIDCAuthenticator(issuer: IdP.issuer, audience: IdP.audience, jwks: JWKSSource(folder.file("jwks.json")),
                                              logger: Logger(label: "test"))
        try await authenticator.loadKeys()
        func token(_ key: JWTKit.Insecure.RSA.PrivateKey, kid: String, pss: Bool, user: String) async throws -> String {
            let keys = JWTKeyCollection()
            if pss { await keys.add(pss: key, digestAlgorithm: .sha256, kid: JWKIdentifier(string: kid)) }
            else { await keys.add(rsa: key, digestAlgorithm: .sha256, kid: JWKIdentifier(string: kid)) }
            return try await keys.sign(IdP.Claims(user: user), kid: JWKIdentifier(string: kid))
        }
        let rs256 = try await authenticator.owner(of: try await token(declared, kid: "rs", pss: false, user: "alice"))
        XCTAssertEqual(rs256, "alice")
        let openRS = try await authenticator.owner(of: try await token(open, kid: "any", pss: false, user: "bob"))
        XCTAssertEqual(openRS, "bob")
        let openPS = try await authenticator.owner(of: try await token(open, kid: "any", pss: true, user: "carol"))
        XCTAssertEqual(openPS, "carol", "the alg-less key was not pinned to the first algorithm it saw")
        let again = try await authenticator.owner(of: try await token(open, kid: "any", pss: false, user: "dave"))
        XCTAssertEqual(again, "dave")
        await XCTAssertRejects(try await authenticator.owner(of: try await token(declared, kid: "rs", pss: true, user: "eve")),
                               "the token's algorithm does not match its key")
    }

    /// The JWKS from a URL, for real: loaded at start, not fetched again for a known key, fetched again on
    /// an unknown kid after the issuer rotates its keys, and no more often than the refetch interval.
    func testJWKSFromAURLIsRefetchedOnAnUnknownKeyID() async throws {
        let first = IdP.SigningKey(kid: "2024-a"), second = IdP.SigningKey(kid: "2025-b")
        let issuer = JWKSServer(document: IdP.jwks([first]))
        try await issuer.serve { url in
            let authenticator = OIDCAuthenticator(issuer: IdP.issuer, audience: IdP.audience, jwks: JWKSSource(url),
                                                  minimumRefetchInterval: 0, logger: Logger(label: "test"))
            try await authenticator.loadKeys()
            var fetches = await authenticator.jwksFetchCount
            XCTAssertEqual(fetches, 1)
            XCTAssertEqual(issuer.requests, 1)
            let firstToken = try await IdP.token(.init(user: "alice"), key: first)
            let secondToken = try await IdP.token(.init(user: "bob"), key: second)
            let alice = try await authenticator.owner(of: firstToken)
            XCTAssertEqual(alice, "alice")
            fetches = await authenticator.jwksFetchCount
            XCTAssertEqual(fetches, 1, "a known key needs no fetch")

            issuer.document = IdP.jwks([second])  // the issuer rotates its key
            let bob = try await authenticator.owner(of: secondToken)
            XCTAssertEqual(bob, "bob")
            fetches = await authenticator.jwksFetchCount
            XCTAssertEqual(fetches, 2, "the unknown kid made one refetch")
            XCTAssertEqual(issuer.requests, 2)
            // The retired key is gone after the refetch.
            await XCTAssertRejects(try await authenticator.owner(of: firstToken), "unknown key id (kid)")

            // Requests that meet a new kid at once share one fetch.
            let third = IdP.SigningKey(kid: "2026-c")
            issuer.document = IdP.jwks([second, third])
            let thirdToken = try await IdP.token(.init(user: "carol"), key: third)
            let beforeBurst = issuer.requests
            try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<8 { group.addTask { try await authenticator.owner(of: thirdToken) } }
                for try await owner in group { XCTAssertEqual(owner, "carol") }
            }
            XCTAssertEqual(issuer.requests, beforeBurst + 1, "concurrent lookups of a new kid share one fetch")

            // With a refetch interval, made-up kids cannot make the service hammer the issuer.
            let patient = OIDCAuthenticator(issuer: IdP.issuer, audience: IdP.audience, jwks: JWKSSource(url),
                                            minimumRefetchInterval: 3600, logger: Logger(label: "test"))
            try await patient.loadKeys()
            let before = issuer.requests
            for _ in 0..<5 { await XCTAssertRejects(try await patient.owner(of: firstToken), "unknown key id (kid)") }
            XCTAssertEqual(issuer.requests, before, "no refetch within the interval")
            let stillBob = try await patient.owner(of: secondToken)
            XCTAssertEqual(stillBob, "bob")

            // An issuer that is down: a 401 naming the keys, not a 500 and not a crash.
            issuer.failing = true
            let unlucky = OIDCAuthenticator(issuer: IdP.issuer, audience: IdP.audience, jwks: JWKSSource(url),
                                            minimumRefetchInterval: 0, logger: Logger(label: "test"))
            do { try await unlucky.loadKeys(); XCTFail("loading from a failing issuer succeeded") } catch {
                XCTAssertTrue("\(error)".contains("HTTP 503"), "\(error)")
            }
            await XCTAssertRejects(try await unlucky.owner(of: secondToken), "the issuer's keys are unavailable")
            issuer.failing = false
            let bobAgain = try await unlucky.owner(of: secondToken)
            XCTAssertEqual(bobAgain, "bob", "the keys are fetched once the issuer is back")
        }
    }

    /// A JWKS file is read again on an unknown kid too, so replacing it rotates the keys.
    func testJWKSFileIsReadAgainOnAnUnknownKeyID() async throws {
        let first = IdP.SigningKey(kid: "a"), second = IdP.SigningKey(kid: "b")
        let (fixture, authenticator, folder) = try Self.fixture(keys: [first])
        _ = fixture
        try await authenticator.loadKeys()
        let alice = try await authenticator.owner(of: try await IdP.token(.init(user: "alice"), key: first))
        XCTAssertEqual(alice, "alice")
        try IdP.jwks([first, second]).write(to: URL(fileURLWithPath: folder.file("jwks.json")))
        let bob = try await authenticator.owner(of: try await IdP.token(.init(user: "bob"), key: second))
        XCTAssertEqual(bob, "bob", "the replaced file's new key is known")
    }

    func testOIDCConfigurationErrorsNameTheVariable() async throws {
        let data = try TemporaryDirectory(prefix: "ptychite-oidc-config-")
        let base = ["PTYCHITE_DATA_DIR": data.path, "PTYCHITE_STATE_DIR": data.file("state"), "PTYCHITE_AUTH": "oidc",
                    "PTYCHITE_OIDC_ISSUER": IdP.issuer, "PTYCHITE_OIDC_AUDIENCE": IdP.audience,
                    "PTYCHITE_OIDC_JWKS": "https://login.example.org/certs"]
        func startupError(_ environment: [String: String]) async -> String? {
            do {
                let configuration = try ServiceConfiguration.fromEnvironment(environment, executablePath: "/bin/true").validated()
                _ = try await configuration.makeAuthenticator(logger: Logger(label: "test"))
                return nil
            } catch { return "\(error)" }
        }
        for name in ["PTYCHITE_OIDC_ISSUER", "PTYCHITE_OIDC_AUDIENCE", "PTYCHITE_OIDC_JWKS"] {
            var environment = base
            environment[name] = nil
            let error = await startupError(environment)
            XCTAssertEqual(error, "auth mode oidc needs \(name) (see ptychite serve --help)")
        }
        var environment = base
        environment["PTYCHITE_OIDC_JWKS"] = data.file("missing.json")
        let unreadable = await startupError(environment)
        XCTAssertEqual(unreadable,
                       "PTYCHITE_OIDC_JWKS: cannot read the file \(data.file("missing.json")) (give a readable file or an http(s) URL)")
        try Data("{\"keys\": 3}".utf8).write(to: URL(fileURLWithPath: data.file("bad.json")))
        environment["PTYCHITE_OIDC_JWKS"] = data.file("bad.json")
        let malformed = await startupError(environment)
        XCTAssertEqual(malformed, #"PTYCHITE_OIDC_JWKS: the JWKS is not a JSON object with a "keys" array"#)
        environment = base
        environment["PTYCHITE_OIDC_LEEWAY"] = "soon"
        let leeway = await startupError(environment)
        XCTAssertEqual(leeway, "PTYCHITE_OIDC_LEEWAY 'soon' is not a number of seconds in 0...3600")
        // A good file configuration starts, and so does an unreachable URL (fetched again on the first token).
        try IdP.jwks([IdP.SigningKey(kid: "k")]).write(to: URL(fileURLWithPath: data.file("good.json")))
        environment = base
        environment["PTYCHITE_OIDC_JWKS"] = "file://" + data.file("good.json")
        environment["PTYCHITE_OIDC_LEEWAY"] = "30"
        let goodFile = await startupError(environment)
        XCTAssertNil(goodFile)
        let configuration = try ServiceConfiguration.fromEnvironment(environment, executablePath: "/bin/true")
        XCTAssertEqual(configuration.oidcLeewaySeconds, 30)
        environment["PTYCHITE_OIDC_JWKS"] = "http://127.0.0.1:9/unreachable"
        let unreachableURL = await startupError(environment)
        XCTAssertNil(unreachableURL)
    }

    /// The real `ptychite serve` refuses to start in oidc mode without an issuer: one line naming the
    /// variable, the usage exit status, and no access URL.
    func testServeRefusesToStartWithoutTheIssuer() throws {
        let data = try TemporaryDirectory(prefix: "ptychite-oidc-serve-")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try PtychiteBinary.path())
        process.arguments = ["serve", "--auth", "oidc", "--oidc-audience", IdP.audience, "--oidc-jwks", "https://login.example.org/certs"]
        process.environment = ["PTYCHITE_DATA_DIR": data.path, "PTYCHITE_STATE_DIR": data.file("state"),
                               "PTYCHITE_BIND": "127.0.0.1:0", "PATH": "/usr/bin:/bin"]
        let stdout = Pipe(), stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let errors = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let output = String(decoding: stdout.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertNotEqual(process.terminationStatus, 0)
        XCTAssertTrue(errors.contains("auth mode oidc needs PTYCHITE_OIDC_ISSUER"), errors)
        XCTAssertFalse(output.contains("serving at"), output)
    }
}

/// Asserts that `expression` throws a `TokenRejection` with `reason`.
func XCTAssertRejects(_ expression: @autoclosure () async throws -> String, _ reason: String,
                      file: StaticString = #filePath, line: UInt = #line) async {
    do {
        let user = try await expression()
        XCTFail("accepted as \(user); expected: \(reason)", file: file, line: line)
    } catch let rejection as TokenRejection {
        XCTAssertEqual(rejection.reason, reason, file: file, line: line)
    } catch {
        XCTFail("unexpected error \(error)", file: file, line: line)
    }
}

/// A stand-in issuer's JWKS endpoint on 127.0.0.1 (a real HTTP server): serves `document` at
/// `/protocol/openid-connect/certs`, 503 while `failing`, and counts requests.
final class JWKSServer: @unchecked Sendable {
    private let lock = NSLock()
    private var _document: Data
    private var _failing = false
    private var _requests = 0

    init(document: Data) { _document = document }

    var document: Data {
        get { lock.lock(); defer { lock.unlock() }; return _document }
        set { lock.lock(); _document = newValue; lock.unlock() }
    }
    var failing: Bool {
        get { lock.lock(); defer { lock.unlock() }; return _failing }
        set { lock.lock(); _failing = newValue; lock.unlock() }
    }
    var requests: Int { lock.lock(); defer { lock.unlock() }; return _requests }

    /// Runs `body` with the URL of the JWKS while the server listens.
    func serve(_ body: @escaping @Sendable (String) async throws -> Void) async throws {
        let router = Router()
        router.get("protocol/openid-connect/certs") { [self] _, _ -> Response in
            let (failing, document) = lock.withLock { _requests += 1; return (_failing, _document) }
            if failing { return Response(status: .serviceUnavailable) }
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: document)))
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            let port = try XCTUnwrap(client.port)
            try await body("http://127.0.0.1:\(port)/protocol/openid-connect/certs")
        }
    }
}
