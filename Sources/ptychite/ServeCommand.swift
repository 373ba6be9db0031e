import ArgumentParser
import Foundation
import Logging
import PtychoService

/// `ptychite serve`: the job service (HTTP API, SQLite job store, local executor).
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the job service: an HTTP API that queues and runs reconstructions.",
        discussion: """
            Every option also comes from its PTYCHITE_* environment variable (DATA_DIR, STATE_DIR or \
            RESULTS_DIR, BIND, BASE_PATH, AUTH, TOKEN, MAX_JOBS, CHECKPOINT_EVERY, OIDC_ISSUER, OIDC_AUDIENCE, \
            OIDC_JWKS, OIDC_LEEWAY, PROXY_USER_HEADER, PROXY_TRUSTED, EXECUTOR, SLURM_PARTITION, \
            SLURM_ACCOUNT, SLURM_IMAGE); flags win. Slurm polling, job resource defaults and maxima and \
            per-user limits come from the environment only (SLURM_POLL_SECONDS, DEFAULT_CPUS, MAX_GPUS, \
            MAX_JOBS_PER_OWNER, …: see the README). Prints one line \
            'Ptychite is serving at URL' (with ?token=… in token mode) once the port is open; stops \
            gracefully on SIGTERM (running jobs are stopped and restart with the next start).
            """)

    @Option(name: .customLong("data-dir"), help: "Input data folder (read-only) [PTYCHITE_DATA_DIR].") var dataDir: String?
    @Option(name: .customLong("state-dir"), help: "Database and job folders [PTYCHITE_STATE_DIR].") var stateDir: String?
    @Option(name: .customLong("results-dir"), help: "Results folder; state goes to RESULTS/.ptychite unless --state-dir [PTYCHITE_RESULTS_DIR].")
    var resultsDir: String?
    @Option(help: "HOST:PORT to listen on (default 0.0.0.0:8888) [PTYCHITE_BIND].") var bind: String?
    @Option(name: .customLong("base-path"), help: "URL prefix, e.g. /jupyter/abc [PTYCHITE_BASE_PATH].") var basePath: String?
    @Option(help: "token, oidc, proxy or none (default token) [PTYCHITE_AUTH].") var auth: String?
    @Option(help: "Access token (default: random) [PTYCHITE_TOKEN].") var token: String?
    @Option(name: .customLong("max-jobs"), help: "Jobs run at once (default 1) [PTYCHITE_MAX_JOBS].") var maxJobs: Int?
    @Option(name: .customLong("checkpoint-every"),
            help: "Checkpoint interval for jobs that set none (default 25) [PTYCHITE_CHECKPOINT_EVERY].")
    var checkpointEvery: Int?
    // MARK: Executor flags (issue 6, branch slurm); the resource limits are environment-only (README).
    @Option(help: "local or slurm (default local) [PTYCHITE_EXECUTOR].") var executor: String?
    @Option(name: .customLong("slurm-partition"), help: "sbatch --partition [PTYCHITE_SLURM_PARTITION].") var slurmPartition: String?
    @Option(name: .customLong("slurm-account"), help: "sbatch --account [PTYCHITE_SLURM_ACCOUNT].") var slurmAccount: String?
    @Option(name: .customLong("slurm-image"), help: "Apptainer image jobs run in [PTYCHITE_SLURM_IMAGE].") var slurmImage: String?
    // MARK: End of the executor flags

    // Auth modes oidc and proxy (issue 4, auth branch).
    @Option(name: .customLong("oidc-issuer"), help: "oidc: the issuer tokens must name (iss) [PTYCHITE_OIDC_ISSUER].")
    var oidcIssuer: String?
    @Option(name: .customLong("oidc-audience"), help: "oidc: this service's client id, required in aud [PTYCHITE_OIDC_AUDIENCE].")
    var oidcAudience: String?
    @Option(name: .customLong("oidc-jwks"), help: "oidc: the issuer's JWKS, an http(s) URL or a file [PTYCHITE_OIDC_JWKS].")
    var oidcJWKS: String?
    @Option(name: .customLong("oidc-leeway"), help: "oidc: seconds of clock skew allowed on exp/nbf (default 60) [PTYCHITE_OIDC_LEEWAY].")
    var oidcLeeway: Double?
    @Option(name: .customLong("proxy-user-header"),
            help: "proxy: header naming the user (default X-Forwarded-User) [PTYCHITE_PROXY_USER_HEADER].")
    var proxyUserHeader: String?
    @Option(name: .customLong("proxy-trusted"),
            help: "proxy: comma-separated addresses/CIDRs of the trusted proxies (default 127.0.0.0/8,::1) [PTYCHITE_PROXY_TRUSTED].")
    var proxyTrusted: String?
    // End of auth-mode flags.

    func run() async throws {
        do {
            var configuration = try ServiceConfiguration.fromEnvironment(ProcessInfo.processInfo.environment,
                                                                         executablePath: Self.executablePath())
            if let dataDir { configuration.dataDirectory = dataDir }
            if let resultsDir, stateDir == nil { configuration.stateDirectory = resultsDir + "/.ptychite" }
            if let stateDir { configuration.stateDirectory = stateDir }
            if let bind { try configuration.setBind(bind) }
            if let basePath { configuration.basePath = basePath }
            if let auth { try configuration.setAuth(auth) }
            if let token { configuration.token = token }
            if let maxJobs { configuration.maxJobs = maxJobs }
            if let checkpointEvery {
                guard checkpointEvery >= 1 else {
                    throw ServiceConfigurationError("--checkpoint-every must be ≥ 1")
                }
                configuration.checkpointEvery = checkpointEvery
            }
            try applyAuthFlags(to: &configuration)
            // Executor flags (issue 6, branch slurm).
            if let executor {
                guard let kind = ExecutorKind(rawValue: executor.lowercased()) else {
                    throw ServiceConfigurationError("--executor '\(executor)' is not one of local, slurm")
                }
                configuration.executor = kind
            }
            if let slurmPartition { configuration.slurm.partition = slurmPartition }
            if let slurmAccount { configuration.slurm.account = slurmAccount }
            if let slurmImage { configuration.slurm.image = slurmImage }
            configuration.version = Ptychite.version
            configuration = try configuration.validated()
            var logger = Logger(label: "ptychite.serve")
            logger.logLevel = .info
            let server = try await PtychiteServer(configuration: configuration, logger: logger)
            try await server.run()
        } catch let error as ServiceConfigurationError {
            printError(error.description)
            throw ExitCode(ExitStatus.usage)
        }
    }

    /// The oidc and proxy flags over their environment variables.
    func applyAuthFlags(to configuration: inout ServiceConfiguration) throws {
        if let oidcIssuer { configuration.oidcIssuer = oidcIssuer }
        if let oidcAudience { configuration.oidcAudience = oidcAudience }
        if let oidcJWKS { configuration.oidcJWKS = oidcJWKS }
        if let oidcLeeway {
            guard oidcLeeway >= 0, oidcLeeway <= 3600 else { throw ServiceConfigurationError("--oidc-leeway must be in 0...3600 seconds") }
            configuration.oidcLeewaySeconds = oidcLeeway
        }
        if let proxyUserHeader { try configuration.setProxyUserHeader(proxyUserHeader) }
        if let proxyTrusted { try configuration.setProxyTrusted(proxyTrusted) }
    }

    /// This very executable (children run `reconstruct` with it): /proc/self/exe, else argv[0] resolved.
    static func executablePath() -> String {
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return path }
        let argument = CommandLine.arguments[0]
        if argument.contains("/") {
            return URL(fileURLWithPath: argument).standardizedFileURL.resolvingSymlinksInPath().path
        }
        return Bundle.main.executablePath ?? argument
    }
}
