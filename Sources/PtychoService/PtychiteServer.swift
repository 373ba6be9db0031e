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
        service = JobService(configuration: configuration, store: store, executor: Self.makeExecutor(configuration, logger: logger),
                             logger: logger)
        authenticator = try await configuration.makeAuthenticator(logger: logger)
        try await service.scheduler.recover()
    }

    /// The executor `PTYCHITE_EXECUTOR` names (issue 6, branch slurm).
    static func makeExecutor(_ configuration: ServiceConfiguration, logger: Logger) -> any JobExecutor {
        switch configuration.executor {
        case .local:
            return LocalExecutor(executablePath: configuration.executablePath)
        case .slurm:
            return SlurmExecutor(settings: configuration.slurm, executablePath: configuration.executablePath,
                                 dataDirectory: configuration.dataDirectory, logger: logger)
        }
    }

    public func makeApplication(onRunning: @escaping @Sendable (String) -> Void = { _ in }) -> some ApplicationProtocol {
        let configuration = self.configuration
        return Application(
            router: makeRouter(service: service, authenticator: authenticator),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "ptychite"),
            onServerRunning: { channel in
                onRunning(configuration.accessURL(port: channel.localAddress?.port ?? configuration.port))
            },
            logger: logger)
    }

    /// Serves until SIGTERM or SIGINT, then stops running jobs (they are re-queued for the next start),
    /// ends the event streams, stops the HTTP server and returns. Prints the access URL once the port is bound.
    ///
    /// Order matters: a service group shuts its services down last to first, so `JobsShutdown` (last)
    /// runs before the server's own graceful shutdown, which waits for open requests such as event streams.
    public func run() async throws {
        let app = makeApplication { url in
            let line = "Ptychite is serving at \(url)\n"
            FileHandle.standardOutput.write(Data(line.utf8))
        }
        let group = ServiceGroup(configuration: .init(
            services: [app, JobsShutdown(service: service, timeout: configuration.cancelGraceSeconds)],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}

/// Waits for the graceful shutdown of the service group, then ends the event streams and stops the
/// scheduler's running jobs.
struct JobsShutdown: Service {
    let service: JobService
    let timeout: Double

    func run() async throws {
        try? await gracefulShutdown()
        service.stopping.set()
        await service.scheduler.shutdown(timeout: timeout)
    }
}
