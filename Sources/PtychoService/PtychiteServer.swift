import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// Wires the service together: SQLite store, local executor, scheduler (recovered), router, HTTP server.
public struct PtychiteServer: Sendable {
    public let configuration: ServiceConfiguration
    public let service: JobService
    public let authenticator: any Authenticator
    private let logger: Logger

    /// Opens the database in the state directory and recovers jobs a previous run left behind.
    public init(configuration: ServiceConfiguration, logger: Logger) async throws {
        self.configuration = configuration
        self.logger = logger
        let store = try SQLiteJobStore(path: configuration.stateDirectory + "/jobs.sqlite")
        service = JobService(configuration: configuration, store: store,
                             executor: LocalExecutor(executablePath: configuration.executablePath), logger: logger)
        switch configuration.authMode {
        case .none: authenticator = OpenAuthenticator()
        default: authenticator = TokenAuthenticator(tokens: [configuration.token ?? "": "user"])
        }
        try await service.scheduler.recover()
    }

    public func makeApplication(onRunning: @escaping @Sendable (String) -> Void = { _ in }) -> some ApplicationProtocol {
        let configuration = self.configuration
        return Application(
            router: makeRouter(service: service, authenticator: authenticator),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "ptychite"),
            services: [SchedulerShutdown(scheduler: service.scheduler, timeout: configuration.cancelGraceSeconds)],
            onServerRunning: { channel in
                onRunning(configuration.accessURL(port: channel.localAddress?.port ?? configuration.port))
            },
            logger: logger)
    }

    /// Serves until SIGTERM or SIGINT, then stops accepting requests, stops running jobs (they are
    /// re-queued for the next start) and returns. Prints the access URL once the port is bound.
    public func run() async throws {
        let app = makeApplication { url in
            let line = "Ptychite is serving at \(url)\n"
            FileHandle.standardOutput.write(Data(line.utf8))
        }
        try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
    }
}

/// Waits for the graceful shutdown of the service group, then stops the scheduler's running jobs.
struct SchedulerShutdown: Service {
    let scheduler: JobScheduler
    let timeout: Double

    func run() async throws {
        try? await gracefulShutdown()
        await scheduler.shutdown(timeout: timeout)
    }
}
