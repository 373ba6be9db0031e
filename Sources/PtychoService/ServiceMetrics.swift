import Foundation
import Hummingbird
import Prometheus

/// The service's Prometheus metrics (swift-prometheus), served at `/metrics`.
///
/// Each `JobService` owns one `PrometheusCollectorRegistry`: nothing is bootstrapped globally, so several
/// services (tests) live in one process without sharing counts. Metrics:
/// - `ptychite_jobs{state}`: jobs in the store by state, every state listed (zeros included);
/// - `ptychite_queue_length`: jobs waiting to start (QUEUED);
/// - `ptychite_iterations_total`: reconstruction iterations reported by running jobs since the start;
/// - `ptychite_iterations_per_second`: the sum over running jobs of each job's latest rate;
/// - `ptychite_http_request_duration_seconds{method,route,status}`: a histogram of request durations,
///   labelled by route pattern (`/api/v1/jobs/{id}`), never the raw path, so the label set stays bounded.
///
/// The two job gauges are read from the store at each scrape; the iteration metrics follow the progress
/// lines the scheduler passes to `recordProgress`.
public final class ServiceMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    private let jobsByState: [JobState: Gauge]
    private let queueLength: Gauge
    private let iterations: Counter
    private let iterationsPerSecond: Gauge
    private let rates = JobRates()

    /// Upper bounds of the request-duration buckets.
    static let durationBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500),
        .seconds(5), .seconds(10), .seconds(30),
    ]
    static let requestDurationName = "ptychite_http_request_duration_seconds"
    static let requestDurationHelp = "HTTP request durations by method, route pattern and status (event streams last as long as they stay open)."

    public init() {
        var byState: [JobState: Gauge] = [:]
        for state in JobState.allCases {
            byState[state] = registry.makeGauge(name: "ptychite_jobs", labels: [("state", state.rawValue)],
                                                help: "Jobs known to the service, by state.")
        }
        jobsByState = byState
        queueLength = registry.makeGauge(name: "ptychite_queue_length", help: "Jobs waiting to start.")
        iterations = registry.makeCounter(name: "ptychite_iterations_total",
                                          help: "Reconstruction iterations reported by running jobs.")
        iterationsPerSecond = registry.makeGauge(name: "ptychite_iterations_per_second",
                                                 help: "Iterations per second, summed over the running jobs.")
        for gauge in byState.values { gauge.set(0.0) }
        queueLength.set(0.0)
        iterationsPerSecond.set(0.0)
    }

    /// One progress line of a running job.
    public func recordProgress(jobID: String, _ progress: JobProgress) {
        let update = rates.record(jobID: jobID, progress)
        if update.newIterations > 0 { iterations.increment(by: Int64(update.newIterations)) }
        iterationsPerSecond.set(update.total)
    }

    /// The job's run ended (whatever the outcome): it no longer adds to the rate.
    public func jobStopped(jobID: String) {
        iterationsPerSecond.set(rates.remove(jobID: jobID))
    }

    public func recordRequest(method: HTTPRequest.Method, route: String, status: HTTPResponse.Status, duration: Duration) {
        let known: Set<HTTPRequest.Method> = [.get, .head, .post, .put, .delete, .patch, .options]
        let histogram = registry.makeDurationHistogram(
            name: Self.requestDurationName,
            labels: [("method", known.contains(method) ? method.rawValue : "other"), ("route", route),
                     ("status", String(status.code))],
            buckets: Self.durationBuckets, help: Self.requestDurationHelp)
        histogram.record(duration)
    }

    /// Refreshes the job gauges from the store and renders every metric in the Prometheus text format.
    public func exposition(store: any JobStore) throws -> String {
        let counts = try store.countByState()
        for (state, gauge) in jobsByState { gauge.set(Double(counts[state] ?? 0)) }
        queueLength.set(Double(counts[.queued] ?? 0))
        return registry.emitToString()
    }

    func response(store: any JobStore) throws -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: try exposition(store: store))))
    }
}

/// Per running job: the last reported iteration and reconstruction time, and the rate between the last
/// two reports. The job's own clock (`seconds`, time since its reconstruction began) is used, not the
/// service's, so throttled or batched reports do not distort the rate.
final class JobRates: @unchecked Sendable {
    private struct Last { var iteration: Int; var seconds: Double; var rate: Double }
    private let lock = NSLock()
    private var jobs: [String: Last] = [:]

    /// Records a report; returns the iterations it adds and the new total rate.
    func record(jobID: String, _ progress: JobProgress) -> (newIterations: Int, total: Double) {
        lock.lock(); defer { lock.unlock() }
        let previous = jobs[jobID]
        // A run's first report is one iteration (a resumed job starts past its checkpoint's iteration).
        var added = min(progress.iteration, 1)
        var rate = progress.seconds > 0 ? Double(progress.iteration) / progress.seconds : 0
        if let previous, progress.iteration >= previous.iteration {
            added = progress.iteration - previous.iteration
            let elapsed = progress.seconds - previous.seconds
            rate = added == 0 ? previous.rate : elapsed > 0 ? Double(added) / elapsed : previous.rate
        }
        jobs[jobID] = Last(iteration: progress.iteration, seconds: progress.seconds, rate: rate.isFinite ? rate : 0)
        return (max(0, added), total)
    }

    func remove(jobID: String) -> Double {
        lock.lock(); defer { lock.unlock() }
        jobs[jobID] = nil
        return total
    }

    /// Call with the lock held.
    private var total: Double { jobs.values.reduce(0) { $0 + $1.rate } }
}
