import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import PtychoCore
import PtychoIO
import PtychoService
import PtychoTestSupport
import XCTest

/// The real `ptychite serve` binary on 127.0.0.1, with a simulated data set: submit, follow to
/// COMPLETE, download and open the result; and a kill -9 of the server while a job runs.
final class EndToEndTests: XCTestCase {
    func makeDataFolder() throws -> TemporaryDirectory {
        let data = try TemporaryDirectory(prefix: "ptychite-e2e-data-")
        XCTAssertEqual(try PtychiteBinary.run(["simulate", data.file("data.cxi"), "--frames", "60", "--frame-size", "64"]), 0)
        return data
    }

    func testSubmitFollowAndDownload() throws {
        let data = try makeDataFolder(), state = try TemporaryDirectory(prefix: "ptychite-e2e-state-")
        let server = try ServerProcess(data: data.path, state: state.path)
        XCTAssertEqual(try server.request("api/v1/jobs").status, 200)
        let unauthorized = try ServerProcess.unauthenticatedStatus(server, "api/v1/jobs")
        XCTAssertEqual(unauthorized, 401)

        let (status, body) = try server.request("api/v1/jobs", method: "POST",
                                                body: #"{"input": "data.cxi", "engine": "DM:5,ePIE:2", "probe_diameter": 3e-6}"#)
        XCTAssertEqual(status, 201, String(decoding: body, as: UTF8.self))
        let id = try XCTUnwrap((try JSONSerialization.jsonObject(with: body) as? [String: Any])?["id"] as? String)
        let job = try server.waitForTerminal("api/v1/jobs/\(id)", timeout: 90)
        XCTAssertEqual(job["state"] as? String, "COMPLETE", "\(job)")
        XCTAssertEqual(job["exit_code"] as? Int, 0)
        XCTAssertEqual((job["progress"] as? [String: Any])?["iteration"] as? Int, 7)

        try checkResult(server, id: id, state: state, iterations: 7)
        XCTAssertEqual(server.terminate(), 0, "graceful shutdown on SIGTERM")
    }

    func testKilledServerResumesTheRunningJobFromItsCheckpoint() throws {
        let data = try makeDataFolder(), state = try TemporaryDirectory(prefix: "ptychite-e2e-state-")
        var server = try ServerProcess(data: data.path, state: state.path)
        let plan = "DM:\(Self.longIterations)"
        let (status, body) = try server.request("api/v1/jobs", method: "POST",
                                                body: #"{"input": "data.cxi", "engine": "\#(plan)", "probe_diameter": 3e-6, "checkpoint_every": 10}"#)
        XCTAssertEqual(status, 201)
        let id = try XCTUnwrap((try JSONSerialization.jsonObject(with: body) as? [String: Any])?["id"] as? String)
        // Wait (bounded) until the child has reported a few iterations, then kill the server outright.
        let deadline = Date().addingTimeInterval(60)
        var running = false
        while Date() < deadline {
            let job = try server.json("api/v1/jobs/\(id)")
            if job["state"] as? String == "RUNNING", ((job["progress"] as? [String: Any])?["iteration"] as? Int ?? 0) >= 25 {
                running = true
                break
            }
            XCTAssertFalse(["COMPLETE", "EXECUTOR_ERROR", "SYSTEM_ERROR"].contains(job["state"] as? String ?? ""),
                           "the job ended before the server could be killed: \(job)")
            usleep(20_000)
        }
        XCTAssertTrue(running, "the job never reported progress")
        server.kill9()

        server = try ServerProcess(data: data.path, state: state.path)
        let job = try server.waitForTerminal("api/v1/jobs/\(id)", timeout: 120)
        XCTAssertEqual(job["state"] as? String, "COMPLETE", "\(job)")
        XCTAssertEqual(job["attempts"] as? Int, 2)
        XCTAssertTrue((job["message"] as? String ?? "").contains("continued"), "\(job)")
        // The progress file holds the latest attempt, which continued from a checkpoint: it starts at a
        // checkpoint's multiple of 10, plus 1, and runs to the end.
        let progress = try String(contentsOfFile: JobFolder(stateDirectory: state.path, id: id).progressFile, encoding: .utf8)
        let iterations = progress.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["iteration"] as? Int
        }
        let restart = try XCTUnwrap(iterations.first)
        XCTAssertEqual(iterations, Array(restart...Self.longIterations))
        XCTAssertGreaterThan(restart, 1, "the second attempt started from the beginning")
        XCTAssertEqual((restart - 1) % 10, 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: JobFolder(stateDirectory: state.path, id: id).checkpointFile))
        try checkResult(server, id: id, state: state, iterations: Self.longIterations)
        try checkEventsSurviveTheRestart(server, id: id)
        XCTAssertEqual(server.terminate(), 0)
    }

    /// The job's events, read from the restarted server, hold both attempts under increasing ids, and a
    /// client that saw the events up to the re-queue resumes with exactly the rest.
    func checkEventsSurviveTheRestart(_ server: ServerProcess, id: String) throws {
        let (status, body) = try server.request("api/v1/jobs/\(id)/events")
        XCTAssertEqual(status, 200)
        let events = SentEvent.parse(String(decoding: body, as: UTF8.self))
        XCTAssertEqual(events.map(\.id), events.map(\.id).sorted())
        XCTAssertEqual(Set(events.map(\.id)).count, events.count)
        let states = events.filter { $0.name == "state" }.compactMap { SentEvent.state($0.data) }
        XCTAssertEqual(states.first, "QUEUED")
        XCTAssertEqual(states.last, "COMPLETE")
        XCTAssertEqual(states.filter { $0 == "RUNNING" }.count, 2, "\(states)")
        let requeue = try XCTUnwrap(events.firstIndex { $0.name == "state" && $0.data.contains("will resume") }, "\(events)")
        let (resumedStatus, resumedBody) = try server.request("api/v1/jobs/\(id)/events",
                                                              headers: ["Last-Event-ID": "\(events[requeue].id)"])
        XCTAssertEqual(resumedStatus, 200)
        XCTAssertEqual(SentEvent.parse(String(decoding: resumedBody, as: UTF8.self)), Array(events[(requeue + 1)...]))
    }

    func testSIGTERMStopsRunningJobsAndTheyRestart() throws {
        let data = try makeDataFolder(), state = try TemporaryDirectory(prefix: "ptychite-e2e-state-")
        var server = try ServerProcess(data: data.path, state: state.path)
        let (status, body) = try server.request("api/v1/jobs", method: "POST",
                                                body: #"{"input": "data.cxi", "engine": "DM:\#(Self.longIterations)", "probe_diameter": 3e-6}"#)
        XCTAssertEqual(status, 201)
        let id = try XCTUnwrap((try JSONSerialization.jsonObject(with: body) as? [String: Any])?["id"] as? String)
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, try server.json("api/v1/jobs/\(id)")["state"] as? String != "RUNNING" { usleep(20_000) }
        // An open event stream must not hold the shutdown up.
        let stream = try server.openEventStream("api/v1/jobs/\(id)/events")
        XCTAssertTrue(stream.waitForData(timeout: 10), "no event arrived on the stream")
        XCTAssertEqual(server.terminate(), 0, "graceful shutdown with a running job and an open event stream")
        XCTAssertTrue(stream.text.contains("event: state"), stream.text)
        // The job went back to the queue (read from the database through a second server).
        server = try ServerProcess(data: data.path, state: state.path)
        let job = try server.waitForTerminal("api/v1/jobs/\(id)", timeout: 120)
        XCTAssertEqual(job["state"] as? String, "COMPLETE", "\(job)")
        XCTAssertEqual(job["attempts"] as? Int, 2)
        XCTAssertEqual(server.terminate(), 0)
    }

    /// Long enough for the kill or SIGTERM to land mid-run on an idle machine (1000 iterations could finish
    /// between the job turning RUNNING and the signal), short enough for the suite's time budget.
    static let longIterations = 6000

    /// The manifest lists the HDF5 result; its download has the listed checksum and holds an object.
    func checkResult(_ server: ServerProcess, id: String, state: TemporaryDirectory, iterations: Int) throws {
        let (status, body) = try server.request("api/v1/jobs/\(id)/results")
        XCTAssertEqual(status, 200)
        let manifest = try XCTUnwrap(try JSONSerialization.jsonObject(with: body) as? [[String: Any]])
        let entry = try XCTUnwrap(manifest.first { $0["name"] as? String == "result.h5" }, "\(manifest)")
        XCTAssertTrue(manifest.contains { ($0["name"] as? String ?? "").hasSuffix(".png") }, "\(manifest)")
        XCTAssertEqual(entry["media_type"] as? String, "application/x-hdf5")
        let href = try XCTUnwrap(entry["href"] as? String)
        let (downloadStatus, file) = try server.request(String(href.dropFirst()))
        XCTAssertEqual(downloadStatus, 200)
        XCTAssertEqual(file.count, entry["size"] as? Int)
        let downloaded = state.file("downloaded-\(id).h5")
        try file.write(to: URL(fileURLWithPath: downloaded))
        XCTAssertEqual(Array(file.prefix(8)), [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a], "HDF5 signature")
        let result = try ResultReader().read(path: downloaded)
        XCTAssertEqual(result.object.shape.count, 3)
        XCTAssertGreaterThan(result.object.shape[1], 64)
        XCTAssertEqual(result.history.count, iterations)
    }
}

extension ServerProcess {
    static func unauthenticatedStatus(_ server: ServerProcess, _ path: String) throws -> Int {
        let url = URL(string: path, relativeTo: server.baseURL)!
        let done = DispatchSemaphore(value: 0)
        final class Box: @unchecked Sendable { var status = -1 }
        let box = Box()
        URLSession.shared.dataTask(with: url) { _, response, _ in
            box.status = (response as? HTTPURLResponse)?.statusCode ?? -1
            done.signal()
        }.resume()
        _ = done.wait(timeout: .now() + 35)
        return box.status
    }
}
