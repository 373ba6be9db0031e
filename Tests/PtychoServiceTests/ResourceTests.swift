import Foundation
import Hummingbird
import HummingbirdTesting
import PtychoService
import PtychoTestSupport
import XCTest

/// Job resources in the API: validation against the operator's maxima (400 naming the field), defaults
/// filled in and shown, per-owner limits on unfinished jobs and GPUs (429), and the variables that set them.
final class ResourceTests: XCTestCase {
    static func body(_ resources: String) -> String {
        #"{"input": "scan.cxi", "engine": "DM:5", "resources": \#(resources)}"#
    }

    func makeFixture(maxJobsPerOwner: Int? = nil, maxGPUsPerOwner: Int? = nil) throws -> ServiceFixture {
        try ServiceFixture(maxJobs: 1) { configuration in
            configuration.resourcePolicy.defaults = JobResources(cpus: 2, memoryMB: 1000, gpus: 0, timeLimitMinutes: 30)
            configuration.resourcePolicy.maxima = JobResources(cpus: 8, memoryMB: 16000, gpus: 2, timeLimitMinutes: 120)
            configuration.resourcePolicy.maxJobsPerOwner = maxJobsPerOwner
            configuration.resourcePolicy.maxGPUsPerOwner = maxGPUsPerOwner
        }
    }

    func testRequestsAboveTheMaximaOrMalformedAre400NamingTheField() async throws {
        let fixture = try makeFixture()
        let cases: [(String, String)] = [
            (#"{"gpus": 3}"#, "resources.gpus"), (#"{"cpus": 9}"#, "resources.cpus"),
            (#"{"memory_mb": 16001}"#, "resources.memory_mb"), (#"{"time_limit_minutes": 121}"#, "resources.time_limit_minutes"),
            (#"{"cpus": 0}"#, "resources.cpus"), (#"{"gpus": -1}"#, "resources.gpus"), (#"{"cpus": "four"}"#, "resources.cpus"),
            (#"{"cpus": 1.5}"#, "resources.cpus"), (#"{"cpus": true}"#, "resources.cpus"), (#"{"disk": 1}"#, "resources.disk"),
            (#"[1]"#, "resources"), (#""4 CPUs""#, "resources"),
        ]
        try await fixture.test { client in
            for (resources, field) in cases {
                try await client.execute(uri: "/api/v1/jobs", method: .post, headers: ServiceFixture.headers(ServiceFixture.aliceToken),
                                         body: ByteBuffer(string: Self.body(resources))) { response in
                    XCTAssertEqual(response.status, .badRequest, resources)
                    let error = jsonObject(response.body)
                    XCTAssertEqual(error["error"] as? String, "invalid resources", resources)
                    XCTAssertTrue((error["detail"] as? String ?? "").hasPrefix(field + ":"), "\(resources): \(error)")
                }
            }
            try await client.execute(uri: "/api/v1/jobs", method: .get, headers: ServiceFixture.headers(ServiceFixture.aliceToken)) {
                XCTAssertEqual((jsonObject($0.body)["jobs"] as? [Any])?.count, 0, "a refused job must not be stored")
            }
        }
        XCTAssertEqual((try? FileManager.default.contentsOfDirectory(atPath: fixture.state.file("jobs"))) ?? [], [],
                       "no job folder left behind")
    }

    func testDefaultsAreFilledInAndShown() async throws {
        let fixture = try makeFixture()
        try await fixture.test { client in
            try await client.execute(uri: "/api/v1/jobs", method: .post, headers: ServiceFixture.headers(ServiceFixture.aliceToken),
                                     body: ByteBuffer(string: Self.body(#"{"gpus": 1, "time_limit_minutes": 5}"#))) { response in
                XCTAssertEqual(response.status, .created, String(buffer: response.body))
                let job = jsonObject(response.body)
                let resources = job["resources"] as? [String: Int]
                XCTAssertEqual(resources, ["cpus": 2, "memory_mb": 1000, "gpus": 1, "time_limit_minutes": 5])
                XCTAssertNil((job["configuration"] as? [String: Any])?["resources"], "resources are not part of the configuration")
            }
            try await client.execute(uri: "/api/v1/service-info", method: .get, headers: ServiceFixture.headers(ServiceFixture.aliceToken)) { response in
                let limits = jsonObject(response.body)["limits"] as? [String: Any]
                XCTAssertEqual((limits?["max_resources"] as? [String: Int])?["gpus"], 2)
                XCTAssertEqual((limits?["default_resources"] as? [String: Int])?["cpus"], 2)
            }
        }
    }

    /// Unfinished jobs count against their owner only; a finished one frees its place.
    func testPerOwnerLimitsOnJobsAndGPUs() async throws {
        let fixture = try makeFixture(maxJobsPerOwner: 2, maxGPUsPerOwner: 2)
        try await fixture.test { client in
            func submit(_ token: String, _ resources: String) async throws -> (HTTPResponse.Status, [String: Any]) {
                try await client.execute(uri: "/api/v1/jobs", method: .post, headers: ServiceFixture.headers(token),
                                         body: ByteBuffer(string: Self.body(resources))) { ($0.status, jsonObject($0.body)) }
            }
            let (firstStatus, first) = try await submit(ServiceFixture.aliceToken, #"{"gpus": 2}"#)
            XCTAssertEqual(firstStatus, .created)
            let (gpuStatus, gpuError) = try await submit(ServiceFixture.aliceToken, #"{"gpus": 1}"#)
            XCTAssertEqual(gpuStatus, .tooManyRequests)
            XCTAssertTrue((gpuError["detail"] as? String ?? "").contains("GPUs"), "\(gpuError)")
            let (secondStatus, _) = try await submit(ServiceFixture.aliceToken, #"{"gpus": 0}"#)
            XCTAssertEqual(secondStatus, .created)
            let (jobsStatus, jobsError) = try await submit(ServiceFixture.aliceToken, #"{}"#)
            XCTAssertEqual(jobsStatus, .tooManyRequests)
            XCTAssertTrue((jobsError["detail"] as? String ?? "").contains("2 unfinished jobs"), "\(jobsError)")
            // Bob has his own allowance.
            let (bobStatus, _) = try await submit(ServiceFixture.bobToken, #"{"gpus": 2}"#)
            XCTAssertEqual(bobStatus, .created)
            // Alice cancels her first job: she may submit again.
            let path = "/api/v1/jobs/\(first["id"] as? String ?? "?")"
            try await client.execute(uri: path + "/cancel", method: .post, headers: ServiceFixture.headers(ServiceFixture.aliceToken)) {
                XCTAssertEqual($0.status, .accepted)
            }
            try await APITests.waitForState(client, path: path, token: ServiceFixture.aliceToken, state: "CANCELED")
            let (againStatus, _) = try await submit(ServiceFixture.aliceToken, #"{"gpus": 1}"#)
            XCTAssertEqual(againStatus, .created)
        }
    }

    func testResourceVariables() throws {
        let environment = ["PTYCHITE_EXECUTOR": "slurm", "PTYCHITE_SLURM_PARTITION": "gpu", "PTYCHITE_SLURM_ACCOUNT": "p1",
                           "PTYCHITE_SLURM_IMAGE": "/images/p.sif", "PTYCHITE_SLURM_POLL_SECONDS": "1.5",
                           "PTYCHITE_DEFAULT_CPUS": "4", "PTYCHITE_MAX_GPUS": "2", "PTYCHITE_MAX_TIME_LIMIT_MINUTES": "600",
                           "PTYCHITE_MAX_JOBS_PER_OWNER": "3", "PTYCHITE_MAX_GPUS_PER_OWNER": "4"]
        let configuration = try ServiceConfiguration.fromEnvironment(environment, executablePath: "/x")
        XCTAssertEqual(configuration.executor, .slurm)
        XCTAssertEqual(configuration.slurm.partition, "gpu")
        XCTAssertEqual(configuration.slurm.account, "p1")
        XCTAssertEqual(configuration.slurm.image, "/images/p.sif")
        XCTAssertEqual(configuration.slurm.pollSeconds, 1.5)
        XCTAssertEqual(configuration.resourcePolicy.defaults.cpus, 4)
        XCTAssertEqual(configuration.resourcePolicy.maxima, JobResources(gpus: 2, timeLimitMinutes: 600))
        XCTAssertEqual(configuration.resourcePolicy.maxJobsPerOwner, 3)
        XCTAssertEqual(configuration.resourcePolicy.maxGPUsPerOwner, 4)
        for (name, value) in [("PTYCHITE_EXECUTOR", "kubernetes"), ("PTYCHITE_MAX_GPUS", "two"), ("PTYCHITE_SLURM_POLL_SECONDS", "0")] {
            XCTAssertThrowsError(try ServiceConfiguration.fromEnvironment([name: value], executablePath: "/x"), name) { error in
                XCTAssertTrue("\(error)".contains(name), "\(error)")
            }
        }
        // A default above its maximum is refused at start.
        var bad = try ServiceConfiguration.fromEnvironment(["PTYCHITE_DEFAULT_CPUS": "8", "PTYCHITE_MAX_CPUS": "4"], executablePath: "/x")
        let data = try TemporaryDirectory(), state = try TemporaryDirectory()
        bad.dataDirectory = data.path
        bad.stateDirectory = state.path
        XCTAssertThrowsError(try bad.validated()) { error in XCTAssertTrue("\(error)".contains("resources.cpus"), "\(error)") }
    }
}
