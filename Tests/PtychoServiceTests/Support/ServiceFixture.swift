import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import PtychoService
import PtychoTestSupport
import XCTest

/// An executor that runs nothing: each job stays running until canceled (then exits as the CLI does on
/// SIGTERM, 143) or until `finishAll` lets it exit 0. Lets the API tests check the queue and states
/// without the engine.
actor HoldingExecutor: JobExecutor {
    private var waiting: [String: CheckedContinuation<ExecutionOutcome, Never>] = [:]
    /// Cancels that arrived while `run` was suspended reporting progress or the start, before the job was
    /// waiting (as `LocalExecutor.earlyCancels`): without them such a cancel was lost and the job stayed
    /// CANCELING (seen once in a full CI run, `testQueueCancelAndDelete`).
    private var earlyCancels: Set<String> = []

    func run(_ launch: JobLaunch, started: @escaping @Sendable (Int) async -> Void,
             progress: @escaping @Sendable (String) async -> Void) async -> ExecutionOutcome {
        // Progress first: it moves the job to RUNNING together with its progress, so a test that waits for
        // RUNNING always finds the progress there (reported after `started`, a poll could fall between).
        await progress(#"{"iteration":1,"of":7,"engine":"DM","fourier_error":0.5,"llk_poisson":2.0,"seconds":0.01}"#)
        await started(0)
        if earlyCancels.remove(launch.id) != nil { return Self.canceled }
        return await withCheckedContinuation { waiting[launch.id] = $0 }
    }

    func cancel(jobID: String, grace: Double) async {
        guard let job = waiting.removeValue(forKey: jobID) else {
            earlyCancels.insert(jobID)
            return
        }
        job.resume(returning: Self.canceled)
    }

    /// What the CLI's exit on SIGTERM looks like to the service.
    private static let canceled = ExecutionOutcome.finished(.exited(143), lastErrorLine: "interrupted")

    func terminateAll(grace: Double) async {
        for id in waiting.keys { await cancel(jobID: id, grace: grace) }
    }

    var runningCount: Int { waiting.count }
}

/// A service over temporary data and state folders with two token users, `alice` and `bob` (or another
/// authenticator, with `configure` adjusting the configuration before it is validated).
final class ServiceFixture: @unchecked Sendable {
    static let aliceToken = "alice-token-0123456789"
    static let bobToken = "bob-token-9876543210"

    let data: TemporaryDirectory
    let state: TemporaryDirectory
    let outside: TemporaryDirectory
    let executor = HoldingExecutor()
    let service: JobService
    let router: Router<ServiceRequestContext>

    init(maxJobs: Int = 1, maxBodyBytes: Int = 64 * 1024, basePath: String = "",
         authenticator: (any Authenticator)? = nil,
         configure: (inout ServiceConfiguration) -> Void = { _ in }) throws {
        data = try TemporaryDirectory(prefix: "ptychite-service-data-")
        state = try TemporaryDirectory(prefix: "ptychite-service-state-")
        outside = try TemporaryDirectory(prefix: "ptychite-service-outside-")
        try Data("not really CXI".utf8).write(to: URL(fileURLWithPath: data.file("scan.cxi")))
        try FileManager.default.createDirectory(atPath: data.file("beamtime"), withIntermediateDirectories: true)
        try Data("x".utf8).write(to: URL(fileURLWithPath: data.file("beamtime/scan2.cxi")))
        try Data("secret".utf8).write(to: URL(fileURLWithPath: outside.file("secret.cxi")))
        try FileManager.default.createSymbolicLink(atPath: data.file("escape.cxi"), withDestinationPath: outside.file("secret.cxi"))
        try FileManager.default.createSymbolicLink(atPath: data.file("escape-dir"), withDestinationPath: outside.path)
        var configuration = ServiceConfiguration(dataDirectory: data.path, stateDirectory: state.path,
                                                 executablePath: "/nonexistent/ptychite")
        configuration.maxJobs = maxJobs
        configuration.maxBodyBytes = maxBodyBytes
        configuration.basePath = basePath
        configuration.token = Self.aliceToken
        configure(&configuration)
        configuration = try configuration.validated()
        let store = try SQLiteJobStore(path: state.file("jobs.sqlite"))
        service = JobService(configuration: configuration, store: store, executor: executor,
                             logger: Logger(label: "test"))
        router = makeRouter(service: service,
                            authenticator: authenticator ?? TokenAuthenticator(tokens: [Self.aliceToken: "alice", Self.bobToken: "bob"]))
    }

    /// Runs `body` with an in-process test client (`.router`), or over a real connection on 127.0.0.1 (`.live`).
    func test(_ setup: TestingSetup = .router,
              _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(setup) { client in try await body(client) }
        await executor.terminateAll(grace: 0)
    }

    static func headers(_ token: String?) -> HTTPFields {
        var fields = HTTPFields()
        if let token { fields[.authorization] = "Bearer \(token)" }
        fields[.contentType] = "application/json"
        return fields
    }
}

/// A response's body as a JSON object (empty when it is not one).
func jsonObject(_ buffer: ByteBuffer) -> [String: Any] {
    (try? JSONSerialization.jsonObject(with: Data(buffer.readableBytesView))) as? [String: Any] ?? [:]
}

func jsonArray(_ buffer: ByteBuffer) -> [[String: Any]] {
    (try? JSONSerialization.jsonObject(with: Data(buffer.readableBytesView))) as? [[String: Any]] ?? []
}
