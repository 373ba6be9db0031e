import Foundation
import Hummingbird
import HummingbirdTesting
import PtychoService
import XCTest

/// `/metrics` (swift-prometheus): scraped after requests and a job, parsed as a scraper would.
final class MetricsTests: XCTestCase {
    static let duration = "ptychite_http_request_duration_seconds"

    func testScrapeAfterRequestsAndAJob() async throws {
        let fixture = try ServiceFixture()
        try await fixture.test { client in
            let alice = ServiceFixture.headers(ServiceFixture.aliceToken)
            try await client.execute(uri: "/healthz", method: .get) { XCTAssertEqual($0.status, .ok) }
            try await client.execute(uri: "/api/v1/service-info", method: .get) { XCTAssertEqual($0.status, .unauthorized) }
            try await client.execute(uri: "/api/v1/service-info", method: .get, headers: alice) { XCTAssertEqual($0.status, .ok) }
            let path = try await APITests.submit(client, token: ServiceFixture.aliceToken)
            try await APITests.waitForState(client, path: path, token: ServiceFixture.aliceToken, state: "RUNNING")
            let missing = "/api/v1/jobs/" + UUID().uuidString.lowercased()
            try await client.execute(uri: missing, method: .get, headers: alice) { XCTAssertEqual($0.status, .notFound) }
            try await client.execute(uri: "/no/such/page/42", method: .get) { XCTAssertEqual($0.status, .notFound) }

            let text = try await client.execute(uri: "/metrics", method: .get) { response -> String in
                XCTAssertEqual(response.status, .ok)
                XCTAssertEqual(response.headers[.contentType], "text/plain; version=0.0.4; charset=utf-8")
                return String(buffer: response.body)
            }
            let metrics = try PrometheusText(text)
            XCTAssertEqual(metrics.types["ptychite_jobs"], "gauge")
            XCTAssertEqual(metrics.types["ptychite_queue_length"], "gauge")
            XCTAssertEqual(metrics.types["ptychite_iterations_total"], "counter")
            XCTAssertEqual(metrics.types["ptychite_iterations_per_second"], "gauge")
            XCTAssertEqual(metrics.types[Self.duration], "histogram")

            // Jobs by state: every state listed; the one job is running, none waits.
            XCTAssertEqual(Set(metrics.all("ptychite_jobs").compactMap { $0.labels["state"] }), Set(JobState.allCases.map(\.rawValue)))
            XCTAssertEqual(metrics.value("ptychite_jobs", ["state": "RUNNING"]), 1, text)
            XCTAssertEqual(metrics.value("ptychite_jobs", ["state": "QUEUED"]), 0, text)
            XCTAssertEqual(metrics.value("ptychite_queue_length"), 0, text)
            // The executor reported iteration 1 after 0.01 s of reconstruction: 1 iteration, 100 per second.
            XCTAssertEqual(metrics.value("ptychite_iterations_total"), 1, text)
            XCTAssertEqual(try XCTUnwrap(metrics.value("ptychite_iterations_per_second")), 100, accuracy: 1e-9, text)

            // Request durations by route pattern and status, never by raw path.
            func count(_ method: String, _ route: String, _ status: String) -> Double? {
                metrics.value(Self.duration + "_count", ["method": method, "route": route, "status": status])
            }
            XCTAssertEqual(count("GET", "/healthz", "200"), 1, text)
            XCTAssertEqual(count("GET", "/api/v1/service-info", "401"), 1, text)
            XCTAssertEqual(count("GET", "/api/v1/service-info", "200"), 1, text)
            XCTAssertEqual(count("POST", "/api/v1/jobs", "201"), 1, text)
            XCTAssertEqual(count("GET", "/api/v1/jobs/{id}", "404"), 1, text)
            XCTAssertGreaterThanOrEqual(count("GET", "/api/v1/jobs/{id}", "200") ?? 0, 1, text)
            XCTAssertEqual(count("GET", "unmatched", "404"), 1, text)
            XCTAssertFalse(text.contains(String(missing.split(separator: "/").last!)), "a job id became a label")
            XCTAssertFalse(text.contains("/no/such/page"), "a raw path became a label")
            XCTAssertFalse(text.contains(String(path.split(separator: "/").last!)), "a job id became a label")

            // Each histogram series is well formed: cumulative buckets ending in +Inf = count, sum ≥ 0.
            let series = Dictionary(grouping: metrics.all(Self.duration + "_bucket")) { sample in
                sample.labels.filter { $0.key != "le" }
            }
            XCTAssertFalse(series.isEmpty)
            for (labels, buckets) in series {
                let ordered = buckets.sorted { (Double($0.labels["le"]!) ?? .infinity) < (Double($1.labels["le"]!) ?? .infinity) }
                XCTAssertEqual(ordered.last?.labels["le"], "+Inf", "\(labels)")
                XCTAssertEqual(ordered.map(\.value), ordered.map(\.value).sorted(), "buckets are cumulative: \(labels)")
                XCTAssertEqual(ordered.last?.value, metrics.value(Self.duration + "_count", labels), "\(labels)")
                XCTAssertGreaterThanOrEqual(try XCTUnwrap(metrics.value(Self.duration + "_sum", labels)), 0)
                XCTAssertLessThan(try XCTUnwrap(metrics.value(Self.duration + "_sum", labels)), 60, "durations are in seconds")
            }

            // After cancel the job no longer counts as running, and its rate leaves the total.
            try await client.execute(uri: path + "/cancel", method: .post, headers: alice) { XCTAssertEqual($0.status, .accepted) }
            try await APITests.waitForState(client, path: path, token: ServiceFixture.aliceToken, state: "CANCELED")
            let after = try await client.execute(uri: "/metrics", method: .get) { try PrometheusText(String(buffer: $0.body)) }
            XCTAssertEqual(after.value("ptychite_jobs", ["state": "RUNNING"]), 0)
            XCTAssertEqual(after.value("ptychite_jobs", ["state": "CANCELED"]), 1)
            XCTAssertEqual(after.value("ptychite_iterations_per_second"), 0)
            XCTAssertEqual(after.value("ptychite_iterations_total"), 1, "a counter never goes down")
            XCTAssertEqual(after.value(Self.duration + "_count", ["method": "GET", "route": "/metrics", "status": "200"]), 1,
                           "the first scrape was timed too")
        }
    }

    /// Routes are labelled below the base path, so dashboards do not depend on where a portal mounts the service.
    func testRouteLabelsAreBelowTheBasePath() async throws {
        let fixture = try ServiceFixture(basePath: "/jupyter/abc")
        try await fixture.test { client in
            try await client.execute(uri: "/jupyter/abc/healthz", method: .get) { XCTAssertEqual($0.status, .ok) }
            try await client.execute(uri: "/jupyter/abc/", method: .get) { XCTAssertEqual($0.status, .ok) }
            let metrics = try await client.execute(uri: "/jupyter/abc/metrics", method: .get) { try PrometheusText(String(buffer: $0.body)) }
            XCTAssertEqual(metrics.value(Self.duration + "_count", ["route": "/healthz", "status": "200"]), 1)
            XCTAssertEqual(metrics.value(Self.duration + "_count", ["route": "/", "status": "200"]), 1)
        }
    }

    /// Each service has its own registry: two in one process do not share counts.
    func testServicesDoNotShareMetrics() async throws {
        let first = try ServiceFixture(), second = try ServiceFixture()
        try await first.test { client in
            for _ in 0..<3 { try await client.execute(uri: "/healthz", method: .get) { _ in } }
        }
        let firstText = try first.service.metrics.exposition(store: first.service.store)
        let secondText = try second.service.metrics.exposition(store: second.service.store)
        XCTAssertEqual(try PrometheusText(firstText).value(Self.duration + "_count", ["route": "/healthz"]), 3)
        XCTAssertNil(try PrometheusText(secondText).value(Self.duration + "_count", ["route": "/healthz"]))
    }

    /// Iterations per second follow each job's own clock, summed over running jobs.
    func testIterationRates() throws {
        let metrics = ServiceMetrics()
        let store = try SQLiteJobStore(path: NSTemporaryDirectory() + "ptychite-metrics-\(UUID().uuidString).sqlite")
        func progress(_ iteration: Int, _ seconds: Double) -> JobProgress {
            JobProgress.parse(line: #"{"iteration":\#(iteration),"of":100,"engine":"DM","fourier_error":0.1,"llk_poisson":1,"seconds":\#(seconds)}"#)!
        }
        func scrape() throws -> PrometheusText { try PrometheusText(metrics.exposition(store: store)) }
        metrics.recordProgress(jobID: "a", progress(1, 0.5))      // a: 2/s
        metrics.recordProgress(jobID: "a", progress(5, 1.5))      // a: 4 iterations in 1 s
        metrics.recordProgress(jobID: "b", progress(31, 10))      // b resumed past a checkpoint: counts 1; 3.1/s
        XCTAssertEqual(try scrape().value("ptychite_iterations_total"), 6)
        XCTAssertEqual(try XCTUnwrap(try scrape().value("ptychite_iterations_per_second")), 7.1, accuracy: 1e-9)
        metrics.recordProgress(jobID: "b", progress(32, 10.5))    // b: 2/s
        XCTAssertEqual(try XCTUnwrap(try scrape().value("ptychite_iterations_per_second")), 6, accuracy: 1e-9)
        metrics.jobStopped(jobID: "a")
        XCTAssertEqual(try XCTUnwrap(try scrape().value("ptychite_iterations_per_second")), 2, accuracy: 1e-9)
        XCTAssertEqual(try scrape().value("ptychite_iterations_total"), 7)
    }
}
