import Foundation
import XCTest

/// The Containerfile's runtime stage, checked without a container engine: `Tests/container/check-runtime-stage.sh`
/// replays the stage's steps on a bare Debian 12 root (debootstrap) and runs the binary there under a
/// non-root uid (see that script), with the release binary the other tests run (the image's build stage
/// builds it the same way and lays it out with container/stage-binary.sh, as the script does);
/// `PTYCHITE_CONTAINER_BINARY` names another.
///
/// Skipped, with the reason, when the machine lacks root or debootstrap, except under CI (`CI` set),
/// where a skip is a failure: CI runs as root with debootstrap installed.
final class ContainerRuntimeTests: XCTestCase {
    static let binaryVariable = "PTYCHITE_CONTAINER_BINARY"

    func testRuntimeStageInstallsOnBareDebianAndRunsTheBinaryAsAnyUser() throws {
        let environment = ProcessInfo.processInfo.environment
        let underCI = !(environment["CI"] ?? "").isEmpty
        let override = environment[Self.binaryVariable] ?? ""
        let binary = override.isEmpty ? try PtychiteBinary.url().path : override
        let script = RepositoryFiles.root.appendingPathComponent("Tests/container/check-runtime-stage.sh").path
        let outcome = try ScriptRun.run(["/bin/bash", script, binary], timeout: 600)
        switch outcome.status {
        case 0:
            break
        case 77:
            let reason = outcome.output.split(separator: "\n").last(where: { $0.contains("SKIP") }).map(String.init)
                ?? "check-runtime-stage.sh skipped"
            if underCI { return XCTFail("under CI the container check must run: \(reason)") }
            throw XCTSkip(reason)
        default:
            XCTFail("check-runtime-stage.sh failed (\(outcome.timedOut ? "timed out" : "exit \(outcome.status)")):\n\(outcome.output)")
        }
    }
}

/// Files of the repository, found from this source file (Tests/ptychiteTests/…).
enum RepositoryFiles {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func text(_ relativePath: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(relativePath), encoding: .utf8)
    }
}

/// A helper script or tool run to completion with its output (stdout and stderr together, through a
/// file, so a chatty child never blocks), killed after `timeout` seconds.
struct ScriptRun {
    let status: Int32
    let timedOut: Bool
    let output: String

    static func run(_ arguments: [String], environment: [String: String]? = nil, input: String? = nil,
                    timeout: TimeInterval) throws -> ScriptRun {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        if let environment { process.environment = environment }
        let outputPath = NSTemporaryDirectory() + "ptychite-script-" + UUID().uuidString
        FileManager.default.createFile(atPath: outputPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        let outputFile = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
        process.standardOutput = outputFile
        process.standardError = outputFile
        let inputPipe = Pipe()
        process.standardInput = input == nil ? FileHandle.nullDevice : inputPipe
        try process.run()
        try? outputFile.close()
        if let input {
            inputPipe.fileHandleForWriting.write(Data(input.utf8))
            try? inputPipe.fileHandleForWriting.close()
        }
        let deadline = Date().addingTimeInterval(timeout)
        var timedOut = false
        while process.isRunning {
            if Date() > deadline {
                timedOut = true
                process.terminate()   // SIGTERM: the container check cleans its mounts and temp root on it
                break
            }
            usleep(50_000)
        }
        process.waitUntilExit()
        let output = String(decoding: FileManager.default.contents(atPath: outputPath) ?? Data(), as: UTF8.self)
        return ScriptRun(status: process.terminationStatus, timedOut: timedOut, output: output)
    }
}
