import Foundation
import Hummingbird
import HummingbirdTesting
import PtychoCore
import PtychoOpenCL
import PtychoService
import XCTest

/// In-process tests of every route and error status (HummingbirdTesting; the executor runs nothing).
final class APITests: XCTestCase {
    static let quickJob = #"{"input": "scan.cxi", "engine": "DM:5,ePIE:2", "probe_diameter": 3e-6}"#

    func testHealthAndMetricsNeedNoToken() async throws {
        let fixture = try ServiceFixture()
        try await fixture.test { client in
            try await client.execute(uri: "/healthz", method: .get) { XCTAssertEqual($0.status, .ok) }
            try await client.execute(uri: "/metrics", method: .get) { response in
                XCTAssertEqual(response.status, .ok)
                XCTAssertTrue(String(buffer: response.body).contains(#"ptychite_jobs{state="QUEUED"} 0"#))
            }
        }
    }

    func testAPIRequiresAToken() async throws {
        let fixture = try ServiceFixture()
        try await fixture.test { client in
            for token in [nil, "wrong-token"] {
                try await client.execute(uri: "/api/v1/service-info", method: .get,
                                         headers: ServiceFixture.headers(token)) { response in
                    XCTAssertEqual(response.status, .unauthorized)
                    XCTAssertEqual(response.headers[.wwwAuthenticate], #"Bearer realm="ptychite""#)
                    XCTAssertEqual(jsonObject(response.body)["error"] as? String, "unauthorized")
                }
            }
            try await client.execute(uri: "/api/v1/jobs", method: .post, headers: ServiceFixture.headers(nil),
                                     body: ByteBuffer(string: APITests.quickJob)) { XCTAssertEqual($0.status, .unauthorized) }
            try await client.execute(uri: "/api/v1/service-info", method: .get,
                                     headers: ServiceFixture.headers(ServiceFixture.aliceToken)) { response in
                XCTAssertEqual(response.status, .ok)
                let info = jsonObject(response.body)
                XCTAssertEqual(info["auth_mode"] as? String, "token")
                XCTAssertEqual(info["user"] as? String, "alice")
                XCTAssertEqual((info["engines"] as? [String])?.contains("DM"), true)
                // The CPU first, then every OpenCL device (PoCL's CPU device where CI installs it).
                let devices = info["devices"] as? [[String: Any]] ?? []
                XCTAssertEqual(devices.first?["kind"] as? String, "cpu")
                XCTAssertEqual(devices.first?["selector"] as? String, "cpu")
                XCTAssertEqual(devices.count, 1 + OpenCLDevice.all().count)
                for device in devices.dropFirst() {
                    XCTAssertTrue((device["kind"] as? String)?.hasPrefix("opencl-") == true, "\(device)")
                    XCTAssertNotNil(device["memory_bytes"] as? Int, "\(device)")
                }
            }
            // The access URL's query token and the web page's cookie are accepted too.
            try await client.execute(uri: "/api/v1/jobs?token=\(ServiceFixture.aliceToken)", method: .get) { XCTAssertEqual($0.status, .ok) }
            try await client.execute(uri: "/api/v1/jobs", method: .get,
                                     headers: [.cookie: "a=b; ptychite_token=\(ServiceFixture.aliceToken)"]) { XCTAssertEqual($0.status, .ok) }
        }
    }

    func testSubmitValidJob() async throws {
        let fixture = try ServiceFixture()
        try await fixture.test { client in
            let location = try await client.execute(uri: "/api/v1/jobs", method: .post, headers: ServiceFixture.headers(ServiceFixture.aliceToken),
                                                    body: ByteBuffer(string: APITests.quickJob)) { response -> String? in
                XCTAssertEqual(response.status, .created, String(buffer: response.body))
                let job = jsonObject(response.body)
                XCTAssertEqual(job["owner"] as? String, "alice")
                XCTAssertEqual((job["configuration"] as? [String: Any])?["input"] as? String, "scan.cxi")
                XCTAssertEqual(response.headers[.location], "/api/v1/jobs/\(job["id"] as? String ?? "?")")
                return response.headers[.location]
            }
            let path = try XCTUnwrap(location)
            let id = String(path.split(separator: "/").last!)
            // The job's folder holds the configuration the child will run: absolute input, output in the folder.
            let written = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: fixture.state.file("jobs/\(id)/job.json")))) as? [String: Any]
            XCTAssertEqual(written?["input"] as? String, fixture.service.configuration.dataDirectory + "/scan.cxi")
            XCTAssertEqual(written?["output"] as? String, fixture.service.configuration.stateDirectory + "/jobs/\(id)/results/result.h5")
            XCTAssertEqual(written?["progress"] as? String, "jsonl")
            try await APITests.waitForState(client, path: path, token: ServiceFixture.aliceToken, state: "RUNNING")
            try await client.execute(uri: path, method: .get, headers: ServiceFixture.headers(ServiceFixture.aliceToken)) { response in
                let job = jsonObject(response.body)
                XCTAssertEqual((job["progress"] as? [String: Any])?["iteration"] as? Int, 1)
                XCTAssertEqual((job["executor"] as? [String: Any])?["kind"] as? String, "local")
            }
            try await client.execute(uri: "/api/v1/jobs", method: .get, headers: ServiceFixture.headers(ServiceFixture.aliceToken)) { response in
                XCTAssertEqual((jsonObject(response.body)["jobs"] as? [Any])?.count, 1)
            }
        }
    }

    func testInvalidConfigurationIs400NamingTheKey() async throws {
        let fixture = try ServiceFixture()
        let cases: [(String, String)] = [
            (#"{"input": "scan.cxi", "iterations": 5}"#, "iterations"),
            (#"{"input": "scan.cxi", "probe_modes": "three"}"#, "probe_modes"),
            (#"{"input": "scan.cxi", "engine": "XYZ:5"}"#, "engine"),
            (#"{"input": "scan.cxi", "output": "/tmp/x.h5"}"#, "output"),
            (#"{"engine": "DM:5"}"#, "input"),
            (#"{"input": "missing.cxi"}"#, "input"),
            (#"{"input": "scan.cxi", "#, "not a JSON object"),
            (#"[1, 2]"#, "not a JSON object"),
        ]
        try await fixture.test { client in
            for (body, key) in cases {
                try await client.execute(uri: "/api/v1/jobs", method: .post, headers: ServiceFixture.headers(ServiceFixture.aliceToken),
                                         body: ByteBuffer(string: body)) { response in
                    XCTAssertEqual(response.status, .badRequest, body)
                    let error = jsonObject(response.body)
                    XCTAssertEqual(error["error"] as? String, "invalid configuration", body)
                    XCTAssertTrue((error["detail"] as? String ?? "").contains(key), "\(body): \(error)")
                }
            }
        }
    }

    func testPathsOutsideTheDataRootAre403() async throws {
        let fixture = try ServiceFixture()
        let inputs = ["../secret.cxi", "beamtime/../../x.cxi", fixture.outside.file("secret.cxi"), "/etc/passwd",
                      "escape.cxi", "escape-dir/secret.cxi", "~/x.cxi"]
        try await fixture.test { client in
            for input in inputs {
                let body = #"{"input": "\#(input)"}"#
                try await client.execute(uri: "/api/v1/jobs", method: .post, headers: ServiceFixture.headers(ServiceFixture.aliceToken),
                                         body: ByteBuffer(string: body)) { response in
                    XCTAssertEqual(response.status, .forbidden, input)
                    XCTAssertEqual(jsonObject(response.body)["error"] as? String, "path outside the data directory")
                }
            }
            // The probe file is a path too.
            try await client.execute(uri: "/api/v1/jobs", method: .post, headers: ServiceFixture.headers(ServiceFixture.aliceToken),
                                     body: ByteBuffer(string: #"{"input": "scan.cxi", "probe": "../p.h5"}"#)) {
                XCTAssertEqual($0.status, .forbidden)
            }
            // A subfolder inside the root is fine.
            try await client.execute(uri: "/api/v1/jobs", method: .post, headers: ServiceFixture.headers(ServiceFixture.aliceToken),
                                     body: ByteBuffer(string: #"{"input": "beamtime/scan2.cxi"}"#)) {
                XCTAssertEqual($0.status, .created)
            }
        }
        XCTAssertTrue(try fixture.service.store.jobs(inStates: JobState.allCases).count == 1)
    }

    func testOversizedBodyIs413() async throws {
        let fixture = try ServiceFixture(maxBodyBytes: 1024)
        let padding = String(repeating: " ", count: 4096)
        try await fixture.test { client in
            try await client.execute(uri: "/api/v1/jobs", method: .post, headers: ServiceFixture.headers(ServiceFixture.aliceToken),
                                     body: ByteBuffer(string: #"{"input": "scan.cxi"\#(padding)}"#)) { response in
                XCTAssertEqual(response.status, .contentTooLarge)
                XCTAssertEqual(jsonObject(response.body)["error"] as? String, "request body too large")
            }
        }
    }

    func testOtherUsersGet404OnEveryJobRoute() async throws {
        let fixture = try ServiceFixture()
        try await fixture.test { client in
            let path = try await APITests.submit(client, token: ServiceFixture.aliceToken)
            let routes: [(String, HTTPRequest.Method)] = [(path, .get), (path + "/results", .get),
                                                          (path + "/results/log.txt", .get), (path + "/events", .get),
                                                          (path + "/cancel", .post),
                                                          (path, .delete)]
            for (uri, method) in routes {
                try await client.execute(uri: uri, method: method, headers: ServiceFixture.headers(ServiceFixture.bobToken)) { response in
                    XCTAssertEqual(response.status, .notFound, "\(method) \(uri)")
                    XCTAssertEqual(jsonObject(response.body)["error"] as? String, "no such job")
                }
            }
            try await client.execute(uri: "/api/v1/jobs", method: .get, headers: ServiceFixture.headers(ServiceFixture.bobToken)) { response in
                XCTAssertEqual((jsonObject(response.body)["jobs"] as? [Any])?.count, 0)
            }
            try await client.execute(uri: path, method: .get, headers: ServiceFixture.headers(ServiceFixture.aliceToken)) {
                XCTAssertEqual($0.status, .ok)
            }
            for bad in ["/api/v1/jobs/not-a-uuid", "/api/v1/jobs/..%2F..%2Fetc", "/api/v1/jobs/\(UUID().uuidString.lowercased())"] {
                try await client.execute(uri: bad, method: .get, headers: ServiceFixture.headers(ServiceFixture.aliceToken)) {
                    XCTAssertEqual($0.status, .notFound, bad)
                }
            }
        }
    }

    func testQueueCancelAndDelete() async throws {
        let fixture = try ServiceFixture(maxJobs: 1)
        try await fixture.test { client in
            let first = try await APITests.submit(client, token: ServiceFixture.aliceToken)
            let second = try await APITests.submit(client, token: ServiceFixture.aliceToken)
            try await APITests.waitForState(client, path: first, token: ServiceFixture.aliceToken, state: "RUNNING")
            try await APITests.assertState(client, path: second, state: "QUEUED")
            // A running job cannot be deleted.
            try await client.execute(uri: first, method: .delete, headers: ServiceFixture.headers(ServiceFixture.aliceToken)) {
                XCTAssertEqual($0.status, .conflict)
            }
            // Cancel is idempotent and answers 202; the queued job then starts.
            for _ in 0..<2 {
                try await client.execute(uri: first + "/cancel", method: .post, headers: ServiceFixture.headers(ServiceFixture.aliceToken)) {
                    XCTAssertEqual($0.status, .accepted)
                }
            }
            try await APITests.waitForState(client, path: first, token: ServiceFixture.aliceToken, state: "CANCELED")
            try await APITests.waitForState(client, path: second, token: ServiceFixture.aliceToken, state: "RUNNING")
            try await client.execute(uri: "/api/v1/jobs?state=canceled", method: .get, headers: ServiceFixture.headers(ServiceFixture.aliceToken)) {
                XCTAssertEqual((jsonObject($0.body)["jobs"] as? [Any])?.count, 1)
            }
            try await client.execute(uri: "/metrics", method: .get) { response in
                let text = String(buffer: response.body)
                XCTAssertTrue(text.contains(#"ptychite_jobs{state="CANCELED"} 1"#), text)
                XCTAssertTrue(text.contains(#"ptychite_jobs{state="RUNNING"} 1"#), text)
            }
            try await client.execute(uri: first, method: .delete, headers: ServiceFixture.headers(ServiceFixture.aliceToken)) {
                XCTAssertEqual($0.status, .noContent)
            }
            try await client.execute(uri: first, method: .get, headers: ServiceFixture.headers(ServiceFixture.aliceToken)) {
                XCTAssertEqual($0.status, .notFound)
            }
            let id = String(first.split(separator: "/").last!)
            XCTAssertFalse(FileManager.default.fileExists(atPath: fixture.state.file("jobs/\(id)")))
        }
    }

    func testResultsManifestAndDownload() async throws {
        let fixture = try ServiceFixture()
        try await fixture.test { client in
            let path = try await APITests.submit(client, token: ServiceFixture.aliceToken)
            let id = String(path.split(separator: "/").last!)
            let results = fixture.state.file("jobs/\(id)/results")
            try Data("abc".utf8).write(to: URL(fileURLWithPath: results + "/result.h5"))
            try Data("hidden".utf8).write(to: URL(fileURLWithPath: results + "/.result.h5.tmp-1"))
            try await client.execute(uri: path + "/results", method: .get, headers: ServiceFixture.headers(ServiceFixture.aliceToken)) { response in
                XCTAssertEqual(response.status, .ok)
                let entries = jsonArray(response.body)
                XCTAssertEqual(entries.map { $0["name"] as? String }, ["result.h5"])
                XCTAssertEqual(entries.first?["sha256"] as? String,
                               "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
                XCTAssertEqual(entries.first?["size"] as? Int, 3)
                XCTAssertEqual(entries.first?["media_type"] as? String, "application/x-hdf5")
                XCTAssertEqual(entries.first?["href"] as? String, path + "/results/result.h5")
            }
            try await client.execute(uri: path + "/results/result.h5", method: .get, headers: ServiceFixture.headers(ServiceFixture.aliceToken)) { response in
                XCTAssertEqual(response.status, .ok)
                XCTAssertEqual(String(buffer: response.body), "abc")
            }
            var ranged = ServiceFixture.headers(ServiceFixture.aliceToken)
            ranged[.range] = "bytes=1-"
            try await client.execute(uri: path + "/results/result.h5", method: .get, headers: ranged) { response in
                XCTAssertEqual(response.status, .partialContent)
                XCTAssertEqual(response.headers[.contentRange], "bytes 1-2/3")
                XCTAssertEqual(String(buffer: response.body), "bc")
            }
            ranged[.range] = "bytes=5-9"
            try await client.execute(uri: path + "/results/result.h5", method: .get, headers: ranged) { response in
                XCTAssertEqual(response.status, .rangeNotSatisfiable)
                XCTAssertEqual(response.headers[.contentRange], "bytes */3")
            }
            for name in [".result.h5.tmp-1", "..%2Fjob.json", "job.json", "nothing.png"] {
                try await client.execute(uri: path + "/results/" + name, method: .get, headers: ServiceFixture.headers(ServiceFixture.aliceToken)) {
                    XCTAssertEqual($0.status, .notFound, name)
                }
            }
        }
    }

    func testEventStreamReplaysEveryEventAndEndsWithTheTerminalState() async throws {
        let fixture = try ServiceFixture()
        try await fixture.test { client in
            let path = try await APITests.submit(client, token: ServiceFixture.aliceToken)
            try await APITests.waitForState(client, path: path, token: ServiceFixture.aliceToken, state: "RUNNING")
            let id = String(path.split(separator: "/").last!)
            try Data("Reading scan.cxi\nDM iteration 1 \"quoted\"\npartial".utf8).write(to: URL(fileURLWithPath: fixture.state.file("jobs/\(id)/log.txt")))
            // While the child runs, only complete lines become events.
            try await APITests.waitForEvents(fixture.service.store, jobID: id) { $0.filter { $0.kind == .log }.count == 2 }
            try await client.execute(uri: path + "/cancel", method: .post, headers: ServiceFixture.headers(ServiceFixture.aliceToken)) {
                XCTAssertEqual($0.status, .accepted)
            }
            try await APITests.waitForState(client, path: path, token: ServiceFixture.aliceToken, state: "CANCELED")
            try await client.execute(uri: path + "/events", method: .get, headers: ServiceFixture.headers(ServiceFixture.aliceToken)) { response in
                XCTAssertEqual(response.status, .ok)
                XCTAssertEqual(response.headers[.contentType], "text/event-stream")
                let text = String(buffer: response.body)
                let events = SentEvent.parse(text)
                XCTAssertEqual(events.map(\.id), events.map(\.id).sorted(), text)
                XCTAssertEqual(Set(events.map(\.id)).count, events.count, "ids are unique")
                XCTAssertEqual(events.filter { $0.name == "log" }.map(\.data),
                               [#""Reading scan.cxi""#, #""DM iteration 1 \"quoted\"""#, #""partial""#],
                               "the unterminated last line is taken once the child has ended")
                XCTAssertEqual(events.filter { $0.name == "state" }.compactMap { SentEvent.state($0.data) },
                               ["QUEUED", "INITIALIZING", "RUNNING", "CANCELING", "CANCELED"])
                XCTAssertEqual(events.filter { $0.name == "progress" }.count, 1)
                XCTAssertEqual(events.last?.name, "state", "the terminal state is the last event")
                XCTAssertTrue(text.hasSuffix("\n\n"), text)
            }
        }
    }

    func testEventStreamResumesAfterLastEventID() async throws {
        let fixture = try ServiceFixture()
        try await fixture.test { client in
            let path = try await APITests.submit(client, token: ServiceFixture.aliceToken)
            try await APITests.waitForState(client, path: path, token: ServiceFixture.aliceToken, state: "RUNNING")
            let id = String(path.split(separator: "/").last!)
            try Data("one\ntwo\nthree\n".utf8).write(to: URL(fileURLWithPath: fixture.state.file("jobs/\(id)/log.txt")))
            try await APITests.waitForEvents(fixture.service.store, jobID: id) { $0.filter { $0.kind == .log }.count == 3 }
            try await client.execute(uri: path + "/cancel", method: .post, headers: ServiceFixture.headers(ServiceFixture.aliceToken)) { _ in }
            try await APITests.waitForState(client, path: path, token: ServiceFixture.aliceToken, state: "CANCELED")
            let all = try await client.execute(uri: path + "/events", method: .get,
                                               headers: ServiceFixture.headers(ServiceFixture.aliceToken)) { SentEvent.parse(String(buffer: $0.body)) }
            XCTAssertGreaterThan(all.count, 5)
            // Reconnecting after any event gives exactly the rest: by header, or by query for clients without headers.
            for (index, seen) in all.dropLast().enumerated() {
                var headers = ServiceFixture.headers(ServiceFixture.aliceToken)
                headers[HTTPFields.Element.Name("Last-Event-ID")!] = "\(seen.id)"
                let uri = index % 2 == 0 ? path + "/events" : path + "/events?last_event_id=\(seen.id)"
                if index % 2 == 1 { headers[HTTPFields.Element.Name("Last-Event-ID")!] = nil }
                try await client.execute(uri: uri, method: .get, headers: headers) { response in
                    XCTAssertEqual(response.status, .ok)
                    XCTAssertEqual(SentEvent.parse(String(buffer: response.body)), Array(all[(index + 1)...]), uri)
                }
            }
            // After the last event of a finished job: 204, which stops an EventSource from reconnecting.
            var headers = ServiceFixture.headers(ServiceFixture.aliceToken)
            headers[HTTPFields.Element.Name("Last-Event-ID")!] = "\(all.last!.id)"
            try await client.execute(uri: path + "/events", method: .get, headers: headers) { XCTAssertEqual($0.status, .noContent) }
            // An empty id (an EventSource whose last event had none) is no resume point; anything else not a
            // non-negative integer is refused.
            headers[HTTPFields.Element.Name("Last-Event-ID")!] = ""
            try await client.execute(uri: path + "/events", method: .get, headers: headers) {
                XCTAssertEqual(SentEvent.parse(String(buffer: $0.body)), all)
            }
            for bad in ["abc", "-1", "1.5", "99999999999999999999", "0x10", "+5"] {
                headers[HTTPFields.Element.Name("Last-Event-ID")!] = bad
                try await client.execute(uri: path + "/events", method: .get, headers: headers) { response in
                    XCTAssertEqual(response.status, .badRequest, bad)
                    XCTAssertEqual(jsonObject(response.body)["error"] as? String, "invalid Last-Event-ID", bad)
                }
            }
            try await client.execute(uri: path + "/events?last_event_id=x", method: .get,
                                     headers: ServiceFixture.headers(ServiceFixture.aliceToken)) { XCTAssertEqual($0.status, .badRequest) }
            // The ids are stored: a restarted service (a new store on the same database) serves the same ones.
            let reopened = try SQLiteJobStore(path: fixture.state.file("jobs.sqlite"))
            XCTAssertEqual(try reopened.events(jobID: id, after: 0, limit: 1000).map(\.id), all.map { Int64?($0.id) })
        }
    }

    /// The served OpenAPI document names exactly the routes the router is built from, and its auth
    /// requirements match (open routes have `security: []`).
    func testOpenAPIDocumentMatchesTheRoutes() async throws {
        let fixture = try ServiceFixture()
        let table = routeTable(service: fixture.service, authenticator: OpenAuthenticator())
        let document = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(OpenAPIDocument.json.utf8)) as? [String: Any])
        XCTAssertEqual(document["openapi"] as? String, "3.1.0")
        let paths = try XCTUnwrap(document["paths"] as? [String: [String: Any]])
        let methods: Set<String> = ["get", "post", "put", "delete", "patch", "head", "options"]
        var documented = Set<String>(), open = Set<String>()
        for (path, item) in paths {
            for (method, operation) in item where methods.contains(method) {
                documented.insert("\(method.uppercased()) \(path)")
                if ((operation as? [String: Any])?["security"] as? [Any])?.isEmpty == true { open.insert("\(method.uppercased()) \(path)") }
            }
        }
        XCTAssertEqual(documented, Set(table.map { "\($0.method.rawValue) \($0.path)" }))
        XCTAssertEqual(open, Set(table.filter { !$0.authenticated }.map { "\($0.method.rawValue) \($0.path)" }))
        try await fixture.test { client in
            try await client.execute(uri: "/api/v1/openapi.json", method: .get) { response in
                XCTAssertEqual(response.status, .ok)
                XCTAssertEqual(String(buffer: response.body), OpenAPIDocument.json)
            }
        }
    }

    /// The OpenAPI document's `Configuration` schema (which forbids other properties) lists exactly the keys
    /// the reconstruction configuration encodes, plus the submission's `resources`, so a new option cannot
    /// be missing from it (14 were, and a client validating its body against the schema refused them), nor
    /// a removed one linger.
    func testOpenAPIConfigurationSchemaHasEveryConfigurationKey() throws {
        let document = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(OpenAPIDocument.json.utf8)) as? [String: Any])
        let schemas = try XCTUnwrap((document["components"] as? [String: Any])?["schemas"] as? [String: Any])
        let schema = try XCTUnwrap(schemas["Configuration"] as? [String: Any])
        XCTAssertEqual(schema["additionalProperties"] as? Bool, false)
        let documented = Set(try XCTUnwrap(schema["properties"] as? [String: Any]).keys)
        let encoded = try XCTUnwrap(try JSONSerialization.jsonObject(
            with: Data(ReconstructionConfiguration().encodedJSON().utf8)) as? [String: Any])
        XCTAssertEqual(documented.subtracting(encoded.keys).sorted(), ["resources"], "documented but not a configuration key")
        XCTAssertEqual(Set(encoded.keys).subtracting(documented).sorted(), [], "configuration keys missing from the schema")
    }

    func testBasePath() async throws {
        let fixture = try ServiceFixture(basePath: "/jupyter/abc/")
        try await fixture.test { client in
            try await client.execute(uri: "/jupyter/abc/healthz", method: .get) { XCTAssertEqual($0.status, .ok) }
            try await client.execute(uri: "/healthz", method: .get) { XCTAssertEqual($0.status, .notFound) }
            try await client.execute(uri: "/jupyter/abc/api/v1/jobs", method: .post, headers: ServiceFixture.headers(ServiceFixture.aliceToken),
                                     body: ByteBuffer(string: APITests.quickJob)) { response in
                XCTAssertEqual(response.status, .created)
                XCTAssertTrue(response.headers[.location]?.hasPrefix("/jupyter/abc/api/v1/jobs/") == true)
            }
        }
    }

    // MARK: helpers

    /// Polls the store's events every 20 ms for up to 10 s until `condition` holds.
    static func waitForEvents(_ store: any JobStore, jobID: String, file: StaticString = #filePath, line: UInt = #line,
                              _ condition: ([JobEvent]) -> Bool) async throws {
        for _ in 0..<500 {
            if condition(try store.events(jobID: jobID, after: 0, limit: 1000)) { return }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        XCTFail("the events never met the condition: \(try store.events(jobID: jobID, after: 0, limit: 1000))", file: file, line: line)
    }

    static func submit(_ client: some TestClientProtocol, token: String) async throws -> String {
        let location = try await client.execute(uri: "/api/v1/jobs", method: .post, headers: ServiceFixture.headers(token),
                                                body: ByteBuffer(string: APITests.quickJob)) { response -> String? in
            XCTAssertEqual(response.status, .created, String(buffer: response.body))
            return response.headers[.location]
        }
        return try XCTUnwrap(location)
    }

    static func assertState(_ client: some TestClientProtocol, path: String, state: String,
                     file: StaticString = #filePath, line: UInt = #line) async throws {
        try await client.execute(uri: path, method: .get, headers: ServiceFixture.headers(ServiceFixture.aliceToken)) { response in
            XCTAssertEqual(jsonObject(response.body)["state"] as? String, state, file: file, line: line)
        }
    }

    /// Polls every 20 ms for up to 10 s.
    static func waitForState(_ client: some TestClientProtocol, path: String, token: String, state: String,
                      file: StaticString = #filePath, line: UInt = #line) async throws {
        var last = ""
        for _ in 0..<500 {
            last = try await client.execute(uri: path, method: .get, headers: ServiceFixture.headers(token)) {
                jsonObject($0.body)["state"] as? String ?? ""
            }
            if last == state { return }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        XCTFail("\(path) stayed \(last), expected \(state)", file: file, line: line)
    }
}
