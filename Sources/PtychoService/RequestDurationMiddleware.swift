import Hummingbird

/// Times every request into `ServiceMetrics`' duration histogram, labelled by method, route pattern and
/// final status (errors included: their status is the one the client gets).
///
/// Invariant: the route label is the router's matched pattern below the base path (`/api/v1/jobs/{id}`)
/// or `unmatched`, never a raw path, so ids and probes cannot grow the label set. It must be the router's
/// outermost middleware, so that it sees the status `JSONErrorMiddleware` and `AuthMiddleware` decide.
/// A response is timed when its body has been written (an event stream: when it closes).
struct RequestDurationMiddleware: RouterMiddleware {
    let metrics: ServiceMetrics
    let basePath: String

    func handle(_ request: Request, context: ServiceRequestContext,
                next: (Request, ServiceRequestContext) async throws -> Response) async throws -> Response {
        let clock = ContinuousClock()
        let start = clock.now
        do {
            var response = try await next(request, context)
            let status = response.status, body = response.body, route = route(context)
            let record: @Sendable () -> Void = { [metrics] in
                metrics.recordRequest(method: request.method, route: route, status: status, duration: clock.now - start)
            }
            // Timed once the body is written (Hummingbird's own post-write hook is not public).
            response.body = ResponseBody(contentLength: body.contentLength) { writer in
                do {
                    try await body.write(writer)
                    record()
                } catch {
                    record()
                    throw error
                }
            }
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status ?? .internalServerError
            metrics.recordRequest(method: request.method, route: route(context), status: status, duration: clock.now - start)
            throw error
        }
    }

    func route(_ context: ServiceRequestContext) -> String {
        guard var path = context.endpointPath, path != "NotFound", path.hasPrefix("/") else { return "unmatched" }
        if !basePath.isEmpty, path.hasPrefix(basePath) { path.removeFirst(basePath.count) }
        if path.isEmpty { path = "/" }
        return path
    }
}
