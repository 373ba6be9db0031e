import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import PtychoTestSupport
import XCTest

/// The built `ptychite` binary: `PTYCHITE_BINARY`, else beside the test bundle in the build folder.
enum PtychiteBinary {
    static func path() throws -> String {
        if let override = ProcessInfo.processInfo.environment["PTYCHITE_BINARY"], !override.isEmpty { return override }
        let places = [URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(), Bundle.main.bundleURL]
        for place in places {
            for folder in [place, place.deletingLastPathComponent()] {
                let candidate = folder.appendingPathComponent("ptychite").path
                if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            }
        }
        throw TestFailure("no ptychite executable beside the tests; run `swift build -c release --product ptychite` or set PTYCHITE_BINARY")
    }

    /// Runs the binary to completion (bounded by `timeout`), returning its exit status.
    @discardableResult
    static func run(_ arguments: [String], timeout: TimeInterval = 120) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try path())
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { process.terminate(); XCTFail("ptychite \(arguments) timed out") }
        process.waitUntilExit()
        return process.terminationStatus
    }
}

/// `ptychite serve` on 127.0.0.1 with a system-chosen port, found from its access-URL log line.
/// `baseURL` is that URL without the token and ends with `/`, so relative paths resolve below the base path.
final class ServerProcess {
    static let token = "e2e-token-0123456789abcdef"
    let process = Process()
    let baseURL: URL
    let stderrPath: String

    init(data: String, state: String, maxJobs: Int = 1, basePath: String = "", timeout: TimeInterval = 60,
         environment extra: [String: String] = [:]) throws {
        stderrPath = state + "/server-stderr-\(UUID().uuidString).txt"
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        let stdout = Pipe()
        process.executableURL = URL(fileURLWithPath: try PtychiteBinary.path())
        process.arguments = ["serve"]
        var environment = ProcessInfo.processInfo.environment
        environment["PTYCHITE_DATA_DIR"] = data
        environment["PTYCHITE_STATE_DIR"] = state
        environment["PTYCHITE_BIND"] = "127.0.0.1:0"
        environment["PTYCHITE_TOKEN"] = Self.token
        environment["PTYCHITE_MAX_JOBS"] = "\(maxJobs)"
        environment["PTYCHITE_BASE_PATH"] = basePath
        environment.merge(extra) { $1 }
        process.environment = environment
        process.standardOutput = stdout
        process.standardError = FileHandle(forWritingAtPath: stderrPath)
        try process.run()
        // Read lines until the access URL appears (bounded).
        let reader = stdout.fileHandleForReading
        var text = ""
        let deadline = Date().addingTimeInterval(timeout)
        var found: URL?
        while found == nil && Date() < deadline && process.isRunning {
            let chunk = reader.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
            if let range = text.range(of: #"Ptychite is serving at http://127\.0\.0\.1:\d+\S*/\?token=(\S+)"#, options: .regularExpression) {
                let line = String(text[range])
                let url = line.replacingOccurrences(of: "Ptychite is serving at ", with: "")
                XCTAssertTrue(url.hasSuffix("?token=\(Self.token)"), line)
                found = URL(string: String(url.prefix(while: { $0 != "?" })))
                XCTAssertTrue(found?.absoluteString.hasSuffix(":\(found?.port ?? 0)\(basePath)/") == true, line)
            }
        }
        guard let found else {
            process.terminate()
            throw TestFailure("server did not print its URL: \(text) \((try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "")")
        }
        baseURL = found
        // Keep draining standard output so that the server never blocks on a full pipe.
        Thread.detachNewThread { while !reader.availableData.isEmpty {} }
    }

    func kill9() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// SIGTERM, then waits (bounded) for the exit status.
    func terminate(timeout: TimeInterval = 30) -> Int32? {
        kill(process.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { kill9(); return nil }
        return process.terminationStatus
    }

    deinit { if process.isRunning { kill9() } }

    /// One HTTP request to the server (loopback only), bounded by a 30 s timeout.
    func request(_ path: String, method: String = "GET", body: String? = nil,
                 headers: [String: String] = [:]) throws -> (status: Int, data: Data) {
        var request = URLRequest(url: URL(string: path, relativeTo: baseURL)!)
        request.httpMethod = method
        request.timeoutInterval = 30
        request.setValue("Bearer \(Self.token)", forHTTPHeaderField: "Authorization")
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        if let body {
            request.httpBody = Data(body.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let box = ResponseBox()
        let done = DispatchSemaphore(value: 0)
        URLSession.shared.dataTask(with: request) { data, response, error in
            box.set(status: (response as? HTTPURLResponse)?.statusCode ?? -1, data: data ?? Data(), error: error)
            done.signal()
        }.resume()
        guard done.wait(timeout: .now() + 35) == .success else { throw URLError(.timedOut) }
        if let error = box.error { throw error }
        return (box.status, box.data)
    }

    func json(_ path: String) throws -> [String: Any] {
        let (status, data) = try request(path)
        XCTAssertEqual(status, 200, path)
        return (try JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
    }

    /// Polls the job every 100 ms until a terminal state or `timeout`; returns the last record.
    func waitForTerminal(_ path: String, timeout: TimeInterval) throws -> [String: Any] {
        let terminal: Set<String> = ["COMPLETE", "EXECUTOR_ERROR", "SYSTEM_ERROR", "CANCELED", "PREEMPTED"]
        let deadline = Date().addingTimeInterval(timeout)
        var job: [String: Any] = [:]
        while Date() < deadline {
            job = try json(path)
            if terminal.contains(job["state"] as? String ?? "") { return job }
            usleep(100_000)
        }
        XCTFail("job \(path) did not end within \(timeout) s: \(job)")
        return job
    }
}

extension ServerProcess {
    /// Starts reading an event stream in the background; the returned object collects what arrives.
    func openEventStream(_ path: String) throws -> EventStreamReader {
        var request = URLRequest(url: URL(string: path, relativeTo: baseURL)!)
        request.setValue("Bearer \(Self.token)", forHTTPHeaderField: "Authorization")
        request.timeoutInterval = 60
        let reader = EventStreamReader()
        let session = URLSession(configuration: .default, delegate: reader, delegateQueue: nil)
        session.dataTask(with: request).resume()
        reader.session = session
        return reader
    }
}

/// Collects the bytes of a streaming response as they arrive.
final class EventStreamReader: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    private let lock = NSLock()
    private var received = Data()
    var session: URLSession?

    var text: String { lock.lock(); defer { lock.unlock() }; return String(decoding: received, as: UTF8.self) }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        lock.lock(); received.append(data); lock.unlock()
    }

    /// Polls (bounded) until some data arrived.
    func waitForData(timeout: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if !text.isEmpty { return true }
            usleep(20_000)
        }
        return false
    }

    deinit { session?.invalidateAndCancel() }
}

private final class ResponseBox: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var status = -1
    private(set) var data = Data()
    private(set) var error: (any Error)?
    func set(status: Int, data: Data, error: (any Error)?) {
        lock.lock(); defer { lock.unlock() }
        self.status = status; self.data = data; self.error = error
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
