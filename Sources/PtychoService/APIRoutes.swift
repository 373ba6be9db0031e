import Foundation
import Hummingbird
import PtychoCore
import PtychoOpenCL

/// One route: method, path in OpenAPI template form (`/api/v1/jobs/{id}`, below the base path), whether
/// it needs a credential, and its handler. `routeTable` is the single list the router is built from and
/// the OpenAPI document is checked against.
public struct RouteSpec: Sendable {
    public let method: HTTPRequest.Method
    public let path: String
    public let authenticated: Bool
    let handler: @Sendable (Request, ServiceRequestContext) async throws -> Response

    /// Hummingbird's form of the path: no leading slash, `{name}` as `:name`.
    var routerPath: String {
        String(path.dropFirst()).replacingOccurrences(of: "{", with: ":").replacingOccurrences(of: "}", with: "")
    }
}

/// Every route of the service. `authenticator` is the one the protected routes run behind; the web page
/// asks it whether an access URL's token may become the page's cookie.
public func routeTable(service: JobService, authenticator: any Authenticator) -> [RouteSpec] {
    let routes = JobRoutes(service: service)
    let page = WebPage(basePath: service.configuration.basePath, authenticator: authenticator)
    func open(_ method: HTTPRequest.Method, _ path: String,
              _ handler: @escaping @Sendable (Request, ServiceRequestContext) async throws -> Response) -> RouteSpec {
        RouteSpec(method: method, path: path, authenticated: false, handler: handler)
    }
    func authenticated(_ method: HTTPRequest.Method, _ path: String,
                       _ handler: @escaping @Sendable (Request, ServiceRequestContext) async throws -> Response) -> RouteSpec {
        RouteSpec(method: method, path: path, authenticated: true, handler: handler)
    }
    return [
        open(.get, "/") { request, _ in page.page(request) },
        open(.get, "/ui/app.js") { _, _ in WebPage.asset(WebPageScript.text, type: "text/javascript; charset=utf-8") },
        open(.get, "/ui/app.css") { _, _ in WebPage.asset(WebPageStyle.text, type: "text/css; charset=utf-8") },
        open(.get, "/healthz") { _, _ in JSON.response(["status": "ok"]) },
        open(.get, "/metrics") { _, _ in try service.metrics.response(store: service.store) },
        open(.get, "/api/v1/openapi.json") { _, _ in OpenAPIDocument.response() },
        authenticated(.get, "/api/v1/service-info") { _, context in routes.serviceInfo(context) },
        authenticated(.get, "/api/v1/inputs") { _, _ in JSON.response(DataFolderListing.list(policy: service.inputPolicy)) },
        authenticated(.post, "/api/v1/jobs") { request, context in try await routes.submit(request, context) },
        authenticated(.get, "/api/v1/jobs") { request, context in try routes.list(request, context) },
        authenticated(.get, "/api/v1/jobs/{id}") { _, context in try routes.show(context) },
        authenticated(.delete, "/api/v1/jobs/{id}") { _, context in try routes.delete(context) },
        authenticated(.post, "/api/v1/jobs/{id}/cancel") { _, context in try await routes.cancel(context) },
        authenticated(.get, "/api/v1/jobs/{id}/events") { request, context in try routes.events(request, context) },
        authenticated(.get, "/api/v1/jobs/{id}/results") { _, context in try routes.manifest(context) },
        authenticated(.get, "/api/v1/jobs/{id}/results/{name}") { request, context in try await routes.download(request, context) },
    ]
}

/// Builds the router from `routeTable`: open routes as they are, the others behind the authenticator,
/// all of it under the configured base path. Errors come out as JSON; every request is timed into the
/// service's metrics (outermost, so it sees the final status).
public func makeRouter(service: JobService, authenticator: any Authenticator) -> Router<ServiceRequestContext> {
    let router = Router(context: ServiceRequestContext.self)
    let base = service.configuration.basePath
    router.add(middleware: RequestDurationMiddleware(metrics: service.metrics, basePath: base))
    router.add(middleware: JSONErrorMiddleware())
    let root = base.isEmpty ? router.group() : router.group(RouterPath(base))
    let protected = root.group().add(middleware: AuthMiddleware(authenticator: authenticator))
    for route in routeTable(service: service, authenticator: authenticator) {
        (route.authenticated ? protected : root).on(RouterPath(route.routerPath), method: route.method, use: route.handler)
    }
    return router
}

/// The handlers of the job routes. Every handler that names a job answers 404 unless the caller owns it.
struct JobRoutes: Sendable {
    let service: JobService

    var configuration: ServiceConfiguration { service.configuration }

    func serviceInfo(_ context: ServiceRequestContext) -> Response {
        JSON.response(ServiceInfo(
            version: configuration.version, authMode: configuration.authMode.rawValue,
            devices: ServiceInfo.Device.available(),
            engines: EngineKind.allCases.map(\.rawValue), executor: configuration.executor.rawValue,
            limits: .init(maxJobs: configuration.maxJobs, maxBodyBytes: configuration.maxBodyBytes,
                          defaultResources: configuration.resourcePolicy.defaults,
                          maxResources: configuration.resourcePolicy.maxima,
                          maxJobsPerOwner: configuration.resourcePolicy.maxJobsPerOwner,
                          maxGPUsPerOwner: configuration.resourcePolicy.maxGPUsPerOwner),
            user: context.user,
            oidc: configuration.authMode == .oidc
                ? .init(issuer: configuration.oidcIssuer ?? "", audience: configuration.oidcAudience ?? "") : nil))
    }

    func submit(_ request: Request, _ context: ServiceRequestContext) async throws -> Response {
        let limit = configuration.maxBodyBytes
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw APIError(.contentTooLarge, "request body too large", detail: "the limit is \(limit) bytes")
        }
        let body: ByteBuffer
        do { body = try await request.body.collect(upTo: limit) } catch {
            throw APIError(.contentTooLarge, "request body too large", detail: "the limit is \(limit) bytes")
        }
        let job = try await service.submit(owner: try owner(context), body: Data(body.readableBytesView))
        var headers = HTTPFields()
        headers[.location] = "\(configuration.basePath)/api/v1/jobs/\(job.id)"
        return JSON.response(JobView(job), status: .created, headers: headers)
    }

    func list(_ request: Request, _ context: ServiceRequestContext) throws -> Response {
        let query = request.uri.queryParameters
        var state: JobState?
        if let text = query.get("state") {
            guard let parsed = JobState(rawValue: text.uppercased()) else {
                throw APIError(.badRequest, "invalid query", detail: "state '\(text)' is not a job state")
            }
            state = parsed
        }
        let limit = try Self.integer(query.get("limit"), name: "limit", default: 50, range: 1...500)
        let offset = try Self.integer(query.get("offset"), name: "offset", default: 0, range: 0...Int.max)
        let jobs = try service.store.jobs(owner: try owner(context), state: state, limit: limit, offset: offset)
        return JSON.response(JobList(jobs: jobs.map(JobView.init), limit: limit, offset: offset,
                                     nextOffset: jobs.count == limit ? offset + limit : nil))
    }

    func show(_ context: ServiceRequestContext) throws -> Response {
        JSON.response(JobView(try ownedJob(context)))
    }

    func events(_ request: Request, _ context: ServiceRequestContext) throws -> Response {
        let job = try ownedJob(context)
        return try JobEventStream(store: service.store, id: job.id, stopping: service.stopping,
                                  after: JobEventStream.resumePoint(request)).response()
    }

    func cancel(_ context: ServiceRequestContext) async throws -> Response {
        let job = try ownedJob(context)
        let updated = try await service.scheduler.cancel(id: job.id) ?? job
        return JSON.response(JobView(updated), status: .accepted)
    }

    func delete(_ context: ServiceRequestContext) throws -> Response {
        let job = try ownedJob(context)
        guard try service.delete(job) else {
            throw APIError(.conflict, "job is still active", detail: "state \(job.state.rawValue); cancel it first")
        }
        return Response(status: .noContent)
    }

    func manifest(_ context: ServiceRequestContext) throws -> Response {
        let job = try ownedJob(context)
        let base = "\(configuration.basePath)/api/v1/jobs/\(job.id)/results/"
        let entries = try service.folder(for: job).downloadableFiles().map { file in
            let attributes = try FileManager.default.attributesOfItem(atPath: file.path)
            return ResultEntry(name: file.name, mediaType: MediaType.of(file.name),
                               size: (attributes[.size] as? NSNumber)?.intValue ?? 0,
                               sha256: try SHA256.hexDigest(ofFile: file.path), href: base + file.name)
        }
        return JSON.response(entries)
    }

    /// The file, or the part a single `Range: bytes=…` asks for (206 with `Content-Range`; 416 when it lies
    /// outside the file).
    func download(_ request: Request, _ context: ServiceRequestContext) async throws -> Response {
        let job = try ownedJob(context)
        let name = try context.parameters.require("name")
        guard let file = service.folder(for: job).downloadableFiles().first(where: { $0.name == name }) else {
            throw APIError.notFound("no such result")
        }
        let size = ((try? FileManager.default.attributesOfItem(atPath: file.path))?[.size] as? NSNumber)?.intValue ?? 0
        var headers = HTTPFields()
        headers[.contentType] = MediaType.of(name)
        headers[.contentDisposition] = "attachment; filename=\"\(name)\""
        headers[.acceptRanges] = "bytes"
        if let rangeHeader = request.headers[.range] {
            guard let range = ByteRange.parse(rangeHeader, size: size) else {
                var error = APIError(.rangeNotSatisfiable, "range not satisfiable", detail: "the file has \(size) bytes")
                error.headers[.contentRange] = "bytes */\(size)"
                throw error
            }
            headers[.contentRange] = "bytes \(range.lowerBound)-\(range.upperBound)/\(size)"
            headers[.contentLength] = "\(range.count)"
            let body = try await FileIO().loadFile(path: file.path, range: range, context: context)
            return Response(status: .partialContent, headers: headers, body: body)
        }
        headers[.contentLength] = "\(size)"
        return Response(status: .ok, headers: headers, body: try await FileIO().loadFile(path: file.path, context: context))
    }

    private func owner(_ context: ServiceRequestContext) throws -> String {
        guard let user = context.user else { throw APIError(.unauthorized, "unauthorized") }
        return user
    }

    /// The job named in the path, if the caller owns it; 404 otherwise (never 403: ids are not disclosed).
    private func ownedJob(_ context: ServiceRequestContext) throws -> JobRecord {
        let id = try context.parameters.require("id")
        guard let job = try service.job(id: id, owner: try owner(context)) else { throw APIError.notFound("no such job") }
        return job
    }

    static func integer(_ text: String?, name: String, default fallback: Int, range: ClosedRange<Int>) throws -> Int {
        guard let text else { return fallback }
        guard let value = Int(text), range.contains(value) else {
            throw APIError(.badRequest, "invalid query", detail: "\(name) must be an integer in \(range)")
        }
        return value
    }
}

struct ServiceInfo: Encodable {
    /// A compute device jobs can ask for with `device`: the CPU, and every OpenCL device (the value to
    /// pass is `selector`).
    struct Device: Encodable {
        let kind: String
        let selector: String
        let name: String
        var threads: Int?
        var platform: String?
        var memoryBytes: Int?
        var computeUnits: Int?
        enum CodingKeys: String, CodingKey {
            case kind, selector, name, threads, platform, memoryBytes = "memory_bytes", computeUnits = "compute_units"
        }

        static func available() -> [Device] {
            [Device(kind: "cpu", selector: "cpu", name: "CPU (FFTW)", threads: ProcessInfo.processInfo.activeProcessorCount)]
                + OpenCLDevice.all().map {
                    Device(kind: "opencl-\($0.kind.rawValue)", selector: "\($0.index)", name: $0.name,
                           platform: $0.platformName, memoryBytes: $0.globalMemory, computeUnits: $0.computeUnits)
                }
        }
    }
    struct Limits: Encodable {
        let maxJobs: Int
        let maxBodyBytes: Int
        // Job resources (issue 6, branch slurm).
        let defaultResources: JobResources
        let maxResources: JobResources
        let maxJobsPerOwner: Int?
        let maxGPUsPerOwner: Int?
        enum CodingKeys: String, CodingKey {
            case maxJobs = "max_jobs", maxBodyBytes = "max_body_bytes"
            case defaultResources = "default_resources", maxResources = "max_resources"
            case maxJobsPerOwner = "max_jobs_per_owner", maxGPUsPerOwner = "max_gpus_per_owner"
        }
    }
    let version: String
    let authMode: String
    let devices: [Device]
    let engines: [String]
    let executor: String
    let limits: Limits
    let user: String?
    /// In `oidc` mode: where clients get their tokens, and the audience those must name.
    let oidc: OIDC?
    struct OIDC: Encodable { let issuer: String; let audience: String }
    enum CodingKeys: String, CodingKey {
        case version, authMode = "auth_mode", devices, engines, executor, limits, user, oidc
    }
}

struct JobList: Encodable {
    let jobs: [JobView]
    let limit: Int
    let offset: Int
    let nextOffset: Int?
    enum CodingKeys: String, CodingKey { case jobs, limit, offset, nextOffset = "next_offset" }
}

struct ResultEntry: Encodable {
    let name: String
    let mediaType: String
    let size: Int
    let sha256: String
    let href: String
    enum CodingKeys: String, CodingKey { case name, mediaType = "media_type", size, sha256, href }
}

enum MediaType {
    static func of(_ name: String) -> String {
        switch (name as NSString).pathExtension.lowercased() {
        case "h5", "hdf5", "cxi": return "application/x-hdf5"
        case "png": return "image/png"
        case "txt", "log": return "text/plain; charset=utf-8"
        case "json": return "application/json"
        case "jsonl": return "application/jsonl"
        default: return "application/octet-stream"
        }
    }
}

/// One `bytes=` range of RFC 9110: `a-b`, `a-` or `-n` (the last n bytes). Multiple ranges are not served.
public enum ByteRange {
    public static func parse(_ header: String, size: Int) -> ClosedRange<Int>? {
        guard header.hasPrefix("bytes="), size > 0 else { return nil }
        let spec = header.dropFirst(6).trimmingCharacters(in: .whitespaces)
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else { return nil }
        let first = spec[..<dash], last = spec[spec.index(after: dash)...]
        if first.isEmpty {
            guard let count = Int(last), count > 0 else { return nil }
            return max(0, size - count)...(size - 1)
        }
        guard let start = Int(first), start >= 0, start < size else { return nil }
        if last.isEmpty { return start...(size - 1) }
        guard let end = Int(last), end >= start else { return nil }
        return start...min(end, size - 1)
    }
}
