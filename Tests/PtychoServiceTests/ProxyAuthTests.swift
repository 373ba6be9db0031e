import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import PtychoService
import PtychoTestSupport
import XCTest

/// `proxy` mode over real connections from 127.0.0.1: the user header is believed only from a trusted
/// proxy address; and the CIDR matching it rests on.
final class ProxyAuthTests: XCTestCase {
    static let header = HTTPFields.Element.Name("X-Forwarded-User")!

    static func fixture(trusted: String) throws -> ServiceFixture {
        let ranges = try AddressRange.list(trusted, setting: "test")
        return try ServiceFixture(authenticator: ProxyAuthenticator(userHeader: header, trusted: ranges)) { configuration in
            configuration.authMode = .proxy
            configuration.proxyTrusted = ranges
        }
    }

    static func headers(user: String?...) -> HTTPFields {
        var fields = HTTPFields()
        for user in user { if let user { fields.append(.init(name: header, value: user)) } }
        fields[.contentType] = "application/json"
        return fields
    }

    func testTrustedProxyNamesTheUserAndJobsStayTheirs() async throws {
        let fixture = try Self.fixture(trusted: "10.0.0.0/8, 127.0.0.1")
        try await fixture.test(.live) { client in
            try await client.execute(uri: "/api/v1/service-info", method: .get, headers: Self.headers(user: "carol")) { response in
                XCTAssertEqual(response.status, .ok)
                XCTAssertEqual(jsonObject(response.body)["user"] as? String, "carol")
                XCTAssertEqual(jsonObject(response.body)["auth_mode"] as? String, "proxy")
            }
            let path = try await client.execute(uri: "/api/v1/jobs", method: .post, headers: Self.headers(user: "carol"),
                                                body: ByteBuffer(string: APITests.quickJob)) { response -> String? in
                XCTAssertEqual(response.status, .created)
                XCTAssertEqual(jsonObject(response.body)["owner"] as? String, "carol")
                return response.headers[.location]
            }
            let job = try XCTUnwrap(path)
            try await client.execute(uri: job, method: .get, headers: Self.headers(user: "dave")) { XCTAssertEqual($0.status, .notFound) }
            try await client.execute(uri: job, method: .get, headers: Self.headers(user: "carol")) { XCTAssertEqual($0.status, .ok) }
            // No header, an empty one, or two of them: no user.
            for (headers, reason) in [(Self.headers(), "the proxy named no user (X-Forwarded-User header)"),
                                      (Self.headers(user: " "), "the X-Forwarded-User header is not a usable user name"),
                                      (Self.headers(user: "carol", "dave"), "the X-Forwarded-User header is repeated")] {
                try await client.execute(uri: "/api/v1/jobs", method: .get, headers: headers) { response in
                    XCTAssertEqual(response.status, .unauthorized, reason)
                    XCTAssertEqual(jsonObject(response.body)["detail"] as? String, reason)
                    XCTAssertTrue(response.headers[.wwwAuthenticate]?.hasPrefix(#"Bearer realm="ptychite""#) == true)
                }
            }
            try await client.execute(uri: "/healthz", method: .get) { XCTAssertEqual($0.status, .ok) }
        }
    }

    func testUntrustedAddressIsRefusedWhateverTheHeaderSays() async throws {
        let fixture = try Self.fixture(trusted: "10.0.0.0/8,fd00::/8")
        try await fixture.test(.live) { client in
            try await client.execute(uri: "/api/v1/service-info", method: .get, headers: Self.headers(user: "carol")) { response in
                XCTAssertEqual(response.status, .unauthorized)
                XCTAssertEqual(jsonObject(response.body)["detail"] as? String, "the request did not come through a trusted proxy")
                XCTAssertNotNil(response.headers[.wwwAuthenticate])
            }
            try await client.execute(uri: "/metrics", method: .get) { XCTAssertEqual($0.status, .ok) }
        }
        // Without a peer address (in-process requests) nothing is trusted either.
        let loopback = try Self.fixture(trusted: "127.0.0.0/8")
        try await loopback.test(.router) { client in
            try await client.execute(uri: "/api/v1/jobs", method: .get, headers: Self.headers(user: "carol")) {
                XCTAssertEqual($0.status, .unauthorized)
            }
        }
    }

    func testAddressRanges() throws {
        let v4 = try XCTUnwrap(AddressRange("192.168.10.0/23"))
        XCTAssertEqual(v4.description, "192.168.10.0/23")
        XCTAssertTrue(v4.contains("192.168.11.254"))
        XCTAssertFalse(v4.contains("192.168.12.1"))
        XCTAssertTrue(v4.contains("::ffff:192.168.10.7"), "IPv4-mapped IPv6 peers match IPv4 ranges")
        XCTAssertFalse(v4.contains("2001:db8::1"))
        XCTAssertEqual(AddressRange("10.1.2.3/8")?.description, "10.0.0.0/8", "host bits are cleared")
        let v6 = try XCTUnwrap(AddressRange("2001:db8::/32"))
        XCTAssertTrue(v6.contains("2001:db8:ffff::1"))
        XCTAssertFalse(v6.contains("2001:db9::1"))
        XCTAssertFalse(v6.contains("10.0.0.1"))
        XCTAssertTrue(AddressRange("::1")!.contains("::1"))
        XCTAssertFalse(AddressRange("127.0.0.1")!.contains("127.0.0.2"))
        XCTAssertTrue(AddressRange("0.0.0.0/0")!.contains("203.0.113.9"))
        XCTAssertTrue(AddressRange.loopback.contains { $0.contains("127.8.9.1") })
        XCTAssertTrue(AddressRange.loopback.contains { $0.contains("::1") })
        for bad in ["", "10.0.0.0/33", "::/129", "10.0.0/8", "example.org", "10.0.0.0/x", "10.0.0.0/8/1", "10.0.0.0/+8"] {
            XCTAssertNil(AddressRange(bad), bad)
        }
        XCTAssertEqual(try AddressRange.list(" 10.0.0.0/8 , ::1 ", setting: "S").map(\.description), ["10.0.0.0/8", "::1/128"])
        XCTAssertThrowsError(try AddressRange.list("10.0.0.0/8,proxy.local", setting: "PTYCHITE_PROXY_TRUSTED")) {
            XCTAssertEqual("\($0)", "PTYCHITE_PROXY_TRUSTED: 'proxy.local' is not an IP address or CIDR range (e.g. 10.0.0.0/8, ::1)")
        }
    }

    func testProxyConfiguration() throws {
        let data = try TemporaryDirectory(prefix: "ptychite-proxy-config-")
        let base = ["PTYCHITE_DATA_DIR": data.path, "PTYCHITE_STATE_DIR": data.file("state"), "PTYCHITE_AUTH": "proxy"]
        let defaults = try ServiceConfiguration.fromEnvironment(base, executablePath: "/bin/true").validated()
        XCTAssertEqual(defaults.authMode, .proxy)
        XCTAssertEqual(defaults.proxyUserHeader, "X-Forwarded-User")
        XCTAssertEqual(defaults.proxyTrusted.map(\.description), ["127.0.0.0/8", "::1/128"])
        var environment = base
        environment["PTYCHITE_PROXY_USER_HEADER"] = "X-Remote-User"
        environment["PTYCHITE_PROXY_TRUSTED"] = "172.16.0.0/12"
        let chosen = try ServiceConfiguration.fromEnvironment(environment, executablePath: "/bin/true").validated()
        XCTAssertEqual(chosen.proxyUserHeader, "X-Remote-User")
        XCTAssertEqual(chosen.proxyTrusted.map(\.description), ["172.16.0.0/12"])
        environment["PTYCHITE_PROXY_TRUSTED"] = "everyone"
        XCTAssertThrowsError(try ServiceConfiguration.fromEnvironment(environment, executablePath: "/bin/true")) {
            XCTAssertTrue("\($0)".hasPrefix("PTYCHITE_PROXY_TRUSTED: 'everyone'"), "\($0)")
        }
        environment["PTYCHITE_PROXY_TRUSTED"] = nil
        environment["PTYCHITE_PROXY_USER_HEADER"] = "Bad Header"
        XCTAssertThrowsError(try ServiceConfiguration.fromEnvironment(environment, executablePath: "/bin/true")) {
            XCTAssertEqual("\($0)", "PTYCHITE_PROXY_USER_HEADER 'Bad Header' is not an HTTP header name")
        }
    }
}
