import Foundation

/// How the job service authenticates callers.
public enum AuthMode: String, Sendable, CaseIterable {
    case token, oidc, proxy, none
}

/// Everything `ptychite serve` needs, read from `PTYCHITE_*` environment variables and overridden by flags.
///
/// Invariants after `validated()`: `dataDirectory` and `stateDirectory` are absolute, standardized paths
/// whose folders exist (the state folder is created); `basePath` is empty or starts with `/` and does not
/// end with one; `maxJobs ≥ 1`; in `token` mode `token` is non-empty.
public struct ServiceConfiguration: Sendable {
    public var dataDirectory: String
    public var stateDirectory: String
    public var host: String = "0.0.0.0"
    /// 0 lets the system choose; the access-URL log line then names the real port.
    public var port: Int = 8888
    public var basePath: String = ""
    public var authMode: AuthMode = .token
    public var token: String?
    public var maxJobs: Int = 1
    /// Largest accepted request body (a configuration document), bytes.
    public var maxBodyBytes: Int = 64 * 1024
    /// Seconds between SIGTERM and SIGKILL when a job is canceled.
    public var cancelGraceSeconds: Double = 10
    /// Checkpoint interval (iterations) given to jobs that set none, so that a job interrupted by a
    /// service restart resumes instead of starting again (`PTYCHITE_CHECKPOINT_EVERY`).
    public var checkpointEvery: Int = 25
    /// The `ptychite` executable the local executor runs.
    public var executablePath: String
    /// Reported by `service-info`.
    public var version: String = "unknown"

    // MARK: auth modes oidc and proxy (issue 4, auth branch; read and checked in ServiceConfiguration+Auth.swift)
    /// `oidc`: the issuer tokens must name in `iss` (`PTYCHITE_OIDC_ISSUER`).
    public var oidcIssuer: String?
    /// `oidc`: the audience tokens must name in `aud`, this service's client id (`PTYCHITE_OIDC_AUDIENCE`).
    public var oidcAudience: String?
    /// `oidc`: the issuer's JWKS, an http(s) URL or a file (`PTYCHITE_OIDC_JWKS`).
    public var oidcJWKS: String?
    /// `oidc`: clock skew tolerated on `exp` and `nbf`, seconds (`PTYCHITE_OIDC_LEEWAY`).
    public var oidcLeewaySeconds: Double = 60
    /// `proxy`: the header that names the user (`PTYCHITE_PROXY_USER_HEADER`).
    public var proxyUserHeader: String = "X-Forwarded-User"
    /// `proxy`: addresses or CIDR ranges of the proxies whose header is believed (`PTYCHITE_PROXY_TRUSTED`).
    public var proxyTrusted: [AddressRange] = AddressRange.loopback
    // MARK: end of auth-mode settings
    // MARK: Executor and job resources (issue 6, branch slurm; read in ServiceConfiguration+Executor.swift)
    /// Which executor runs jobs (`PTYCHITE_EXECUTOR`).
    public var executor: ExecutorKind = .local
    /// `PTYCHITE_SLURM_*`: used when `executor` is `.slurm`.
    public var slurm = SlurmSettings()
    /// Defaults and maxima of job resources, per-owner limits.
    public var resourcePolicy = ResourcePolicy()
    // MARK: End of the executor block

    public init(dataDirectory: String, stateDirectory: String, executablePath: String) {
        self.dataDirectory = dataDirectory
        self.stateDirectory = stateDirectory
        self.executablePath = executablePath
    }

    /// Reads the `PTYCHITE_*` variables; unset ones keep their defaults. Throws for malformed values.
    public static func fromEnvironment(_ environment: [String: String],
                                       executablePath: String) throws -> ServiceConfiguration {
        func value(_ name: String) -> String? {
            guard let text = environment["PTYCHITE_" + name], !text.isEmpty else { return nil }
            return text
        }
        let data = value("DATA_DIR") ?? FileManager.default.currentDirectoryPath
        let state = value("STATE_DIR") ?? value("RESULTS_DIR").map { $0 + "/.ptychite" } ?? "./ptychite-state"
        var configuration = ServiceConfiguration(dataDirectory: data, stateDirectory: state,
                                                 executablePath: executablePath)
        if let bind = value("BIND") { try configuration.setBind(bind) }
        if let base = value("BASE_PATH") { configuration.basePath = base }
        if let auth = value("AUTH") { try configuration.setAuth(auth) }
        configuration.token = value("TOKEN")
        try configuration.readAuthSettings(value)  // oidc and proxy settings (ServiceConfiguration+Auth.swift)
        if let jobs = value("MAX_JOBS") {
            guard let count = Int(jobs) else { throw ServiceConfigurationError("PTYCHITE_MAX_JOBS '\(jobs)' is not a number") }
            configuration.maxJobs = count
        }
        if let every = value("CHECKPOINT_EVERY") {
            guard let count = Int(every), count >= 1 else {
                throw ServiceConfigurationError("PTYCHITE_CHECKPOINT_EVERY '\(every)' is not a positive number of iterations")
            }
            configuration.checkpointEvery = count
        }
        // Executor, Slurm and resource variables (issue 6, branch slurm).
        try configuration.readExecutorEnvironment(value)
        return configuration
    }

    /// `HOST:PORT`, `:PORT` or `[IPv6]:PORT`.
    public mutating func setBind(_ bind: String) throws {
        guard let colon = bind.lastIndex(of: ":"), let port = Int(bind[bind.index(after: colon)...]),
              (0...65535).contains(port) else {
            throw ServiceConfigurationError("bind address '\(bind)' is not HOST:PORT")
        }
        var host = String(bind[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        self.host = host.isEmpty ? "0.0.0.0" : host
        self.port = port
    }

    public mutating func setAuth(_ text: String) throws {
        guard let mode = AuthMode(rawValue: text.lowercased()) else {
            throw ServiceConfigurationError("auth mode '\(text)' is not one of token, oidc, proxy, none")
        }
        authMode = mode
    }

    /// Checks and normalizes the configuration, creating the state folder; generates a token when needed.
    public func validated() throws -> ServiceConfiguration {
        var c = self
        switch authMode {
        case .oidc, .proxy:
            try c.validateAuthSettings()  // ServiceConfiguration+Auth.swift
        case .token:
            if c.token == nil || c.token!.isEmpty { c.token = Self.randomToken() }
        case .none:
            break
        }
        guard maxJobs >= 1 else { throw ServiceConfigurationError("max jobs must be at least 1 (got \(maxJobs))") }
        try c.validateExecutorSettings() // issue 6, branch slurm
        let fm = FileManager.default
        c.dataDirectory = Self.absolute(dataDirectory)
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: c.dataDirectory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ServiceConfigurationError("data directory \(c.dataDirectory) does not exist or is not a folder")
        }
        c.stateDirectory = Self.absolute(stateDirectory)
        do { try fm.createDirectory(atPath: c.stateDirectory, withIntermediateDirectories: true) } catch {
            throw ServiceConfigurationError("cannot create the state directory \(c.stateDirectory): \(error.localizedDescription)")
        }
        var base = basePath.trimmingCharacters(in: .whitespaces)
        while base.hasSuffix("/") { base.removeLast() }
        if !base.isEmpty && !base.hasPrefix("/") { base = "/" + base }
        c.basePath = base
        return c
    }

    /// The URL a user opens, with the token in `token` mode (the log line a portal matches).
    public func accessURL(port actualPort: Int) -> String {
        let shownHost = host == "0.0.0.0" || host == "::" ? "127.0.0.1" : (host.contains(":") ? "[\(host)]" : host)
        var url = "http://\(shownHost):\(actualPort)\(basePath)/"
        if authMode == .token, let token { url += "?token=\(token)" }
        return url
    }

    static func absolute(_ path: String) -> String {
        let url = path.hasPrefix("/") ? URL(fileURLWithPath: path)
            : URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(path)
        return url.standardizedFileURL.path
    }

    /// 32 random bytes as hex.
    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }
}

public struct ServiceConfigurationError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
