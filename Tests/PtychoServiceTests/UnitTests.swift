import Foundation
import PtychoService
import PtychoTestSupport
import XCTest

final class UnitTests: XCTestCase {
    func testSHA256KnownVectors() {
        XCTAssertEqual(SHA256.hexDigest(of: Data()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256.hexDigest(of: Data("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(SHA256.hexDigest(of: Data("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(SHA256.hexDigest(of: Data(repeating: 0x61, count: 1_000_000)),
                       "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    func testExitCodesMapToSpecStates() {
        typealias S = JobScheduler
        XCTAssertEqual(S.mapOutcome(.finished(.exited(0), lastErrorLine: nil), canceled: false).0, .complete)
        XCTAssertEqual(S.mapOutcome(.finished(.exited(0), lastErrorLine: nil), canceled: true).0, .complete)
        XCTAssertEqual(S.mapOutcome(.finished(.exited(143), lastErrorLine: nil), canceled: true).0, .canceled)
        XCTAssertEqual(S.mapOutcome(.finished(.exited(130), lastErrorLine: nil), canceled: true).0, .canceled)
        XCTAssertEqual(S.mapOutcome(.finished(.signaled(SIGKILL), lastErrorLine: nil), canceled: true).0, .canceled)
        for code: Int32 in [1, 2, 3] {
            let (state, exit, message) = S.mapOutcome(.finished(.exited(code), lastErrorLine: "ptychite: error: x.cxi: bad"),
                                                      canceled: false)
            XCTAssertEqual(state, .executorError)
            XCTAssertEqual(exit, Int(code))
            XCTAssertTrue(message?.contains("ptychite: error: x.cxi: bad") == true)
        }
        XCTAssertEqual(S.mapOutcome(.finished(.exited(143), lastErrorLine: nil), canceled: false).0, .executorError)
        XCTAssertEqual(S.mapOutcome(.finished(.signaled(SIGKILL), lastErrorLine: nil), canceled: false).1, 137)
        XCTAssertEqual(S.mapOutcome(.launchFailed("no such file"), canceled: false).0, .systemError)
    }

    func testByteRanges() {
        XCTAssertEqual(ByteRange.parse("bytes=0-9", size: 100), 0...9)
        XCTAssertEqual(ByteRange.parse("bytes=90-", size: 100), 90...99)
        XCTAssertEqual(ByteRange.parse("bytes=-10", size: 100), 90...99)
        XCTAssertEqual(ByteRange.parse("bytes=-500", size: 100), 0...99)
        XCTAssertEqual(ByteRange.parse("bytes=95-200", size: 100), 95...99)
        for bad in ["bytes=100-", "bytes=5-2", "bytes=0-1,3-4", "items=0-1", "bytes=-0", "bytes=x-1"] {
            XCTAssertNil(ByteRange.parse(bad, size: 100), bad)
        }
    }

    func testInputPathPolicy() throws {
        let data = try TemporaryDirectory(), outside = try TemporaryDirectory()
        try Data().write(to: URL(fileURLWithPath: data.file("a.cxi")))
        try Data().write(to: URL(fileURLWithPath: outside.file("b.cxi")))
        try FileManager.default.createSymbolicLink(atPath: data.file("link.cxi"), withDestinationPath: outside.file("b.cxi"))
        try FileManager.default.createSymbolicLink(atPath: data.file("inner.cxi"), withDestinationPath: "a.cxi")
        let policy = InputPathPolicy(dataDirectory: data.path)
        XCTAssertEqual(try policy.resolve("a.cxi", key: "input"), policy.root + "/a.cxi")
        XCTAssertEqual(try policy.resolve("./a.cxi", key: "input"), policy.root + "/a.cxi")
        XCTAssertEqual(try policy.resolve("inner.cxi", key: "input"), policy.root + "/a.cxi")
        for bad in ["../a.cxi", "/etc/passwd", "link.cxi", outside.file("b.cxi"), ""] {
            XCTAssertThrowsError(try policy.resolve(bad, key: "input"), bad) { error in
                XCTAssertEqual(error as? InputPathError, .outsideDataRoot(key: "input", path: bad))
            }
        }
        XCTAssertThrowsError(try policy.resolve("none.cxi", key: "input")) {
            XCTAssertEqual($0 as? InputPathError, .notFound(key: "input", path: "none.cxi"))
        }
    }

    func testConfigurationFromEnvironment() throws {
        let data = try TemporaryDirectory(), state = try TemporaryDirectory()
        var configuration = try ServiceConfiguration.fromEnvironment(
            ["PTYCHITE_DATA_DIR": data.path, "PTYCHITE_STATE_DIR": state.path + "/s", "PTYCHITE_BIND": "127.0.0.1:9000",
             "PTYCHITE_BASE_PATH": "prefix/", "PTYCHITE_MAX_JOBS": "3"], executablePath: "/bin/true")
        configuration = try configuration.validated()
        XCTAssertEqual(configuration.host, "127.0.0.1")
        XCTAssertEqual(configuration.port, 9000)
        XCTAssertEqual(configuration.basePath, "/prefix")
        XCTAssertEqual(configuration.maxJobs, 3)
        XCTAssertEqual(configuration.authMode, .token)
        let token = try XCTUnwrap(configuration.token)
        XCTAssertEqual(token.count, 64)
        XCTAssertEqual(configuration.accessURL(port: 9000), "http://127.0.0.1:9000/prefix/?token=\(token)")
        XCTAssertTrue(FileManager.default.fileExists(atPath: state.path + "/s"))
        // oidc needs its issuer (and audience and JWKS: OIDCAuthTests); proxy starts with its defaults.
        let oidc = try ServiceConfiguration.fromEnvironment(["PTYCHITE_DATA_DIR": data.path, "PTYCHITE_AUTH": "oidc",
                                                             "PTYCHITE_STATE_DIR": state.path], executablePath: "/bin/true")
        XCTAssertThrowsError(try oidc.validated()) {
            XCTAssertEqual("\($0)", "auth mode oidc needs PTYCHITE_OIDC_ISSUER (see ptychite serve --help)")
        }
        let proxy = try ServiceConfiguration.fromEnvironment(["PTYCHITE_DATA_DIR": data.path, "PTYCHITE_AUTH": "proxy",
                                                              "PTYCHITE_STATE_DIR": state.path], executablePath: "/bin/true")
        XCTAssertEqual(try proxy.validated().authMode, .proxy)
        XCTAssertThrowsError(try ServiceConfiguration.fromEnvironment(["PTYCHITE_BIND": "nonsense"], executablePath: "/bin/true"))
        XCTAssertThrowsError(try ServiceConfiguration.fromEnvironment(["PTYCHITE_AUTH": "kerberos"], executablePath: "/bin/true"))
    }

    func testStoreKeepsSubmissionOrderAndCounts() throws {
        let state = try TemporaryDirectory()
        let store = try SQLiteJobStore(path: state.file("jobs.sqlite"))
        let ids = (0..<3).map { _ in UUID().uuidString.lowercased() }
        for id in ids { _ = try store.insert(id: id, owner: "alice", configuration: "{}", createdAt: Date()) }
        XCTAssertEqual(try store.jobs(inStates: [.queued]).map(\.id), ids)
        XCTAssertEqual(try store.jobs(owner: "alice", state: nil, limit: 2, offset: 0).map(\.id), [ids[2], ids[1]])
        try store.update(id: ids[0]) { $0.state = .running }
        XCTAssertEqual(try store.countByState(), [.queued: 2, .running: 1])
        // Reopening (a restarted service) sees the same jobs; the migration is not applied twice.
        let reopened = try SQLiteJobStore(path: state.file("jobs.sqlite"))
        XCTAssertEqual(try reopened.job(id: ids[0])?.state, .running)
        XCTAssertEqual(try reopened.insert(id: UUID().uuidString.lowercased(), owner: "bob", configuration: "{}",
                                           createdAt: Date()).sequence, 4)
    }
}
