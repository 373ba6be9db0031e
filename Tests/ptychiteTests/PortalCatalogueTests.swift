import Foundation
import XCTest

/// The deployment files agree with the binary: the CALIPSOplus catalogue entry (Samples/portal/
/// calipsoplus-image.json), the Kubernetes manifest (kubernetes.yaml), the Apptainer recipe (ptychite.def)
/// and the Containerfile name the port, paths, variables and log line that `ptychite serve` really uses.
///
/// The manifest is parsed by PyYAML (`/usr/bin/python3` with python3-yaml, installed by
/// .ci/install-system-packages); without it that one test is skipped, except under CI.
final class PortalCatalogueTests: XCTestCase {
    // MARK: the catalogue entry

    /// CALIPSOplus reads the container's log as bytes and runs `re.findall(logs_er, str(line))`, then
    /// opens `http://HOST:PORT/?` + the first match; so the match must be exactly `token=…` of the line
    /// the real binary prints, even with Python's `b'…\n'` around it.
    func testLogRegularExpressionFindsTheTokenInTheLineTheBinaryPrints() throws {
        let line = try Self.accessURLLine(environment: [:])
        let url = try XCTUnwrap(line.range(of: "Ptychite is serving at ").map { String(line[$0.upperBound...]) },
                                "not the access-URL line: \(line)")
        let token = try XCTUnwrap(URLComponents(string: url)?.queryItems?.first(where: { $0.name == "token" })?.value,
                                  "no token in \(url)")
        let fields = try Self.catalogueFields()
        let logsEr = try XCTUnwrap(fields["logs_er"] as? String)
        let regex = try NSRegularExpression(pattern: logsEr)
        for haystack in [line, "b'\(line)\\n'", "2026-01-01T00:00:00Z \(line)"] {
            let range = NSRange(haystack.startIndex..., in: haystack)
            let match = try XCTUnwrap(regex.firstMatch(in: haystack, range: range), "logs_er finds nothing in \(haystack)")
            XCTAssertEqual(match.numberOfRanges, 2, "logs_er must have exactly one group (CALIPSOplus uses findall's result)")
            let found = Range(match.range(at: 1), in: haystack).map { String(haystack[$0]) }
            XCTAssertEqual(found, "token=\(token)", "in \(haystack)")
        }
        // The README's regular expression for the whole URL finds it too.
        let urlRegex = try NSRegularExpression(pattern: #"Ptychite is serving at (\S+)"#)
        let match = try XCTUnwrap(urlRegex.firstMatch(in: line, range: NSRange(line.startIndex..., in: line)))
        XCTAssertEqual(Range(match.range(at: 1), in: line).map { String(line[$0]) }, url)
        // No token, no match: a portal must not open a URL that is refused.
        let open = try Self.accessURLLine(environment: ["PTYCHITE_AUTH": "none"])
        XCTAssertNil(regex.firstMatch(in: open, range: NSRange(open.startIndex..., in: open)), open)
    }

    func testCatalogueEntryNamesTheServicePortProtocolAndResources() throws {
        let entries = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(RepositoryFiles.text(Self.cataloguePath).utf8))
                                    as? [[String: Any]])
        XCTAssertEqual(entries.count, 1)
        XCTAssertEqual(entries.first?["model"] as? String, "apprest.calipsoavailableimages")
        let fields = try Self.catalogueFields()
        let expected: Set = ["public_name", "image", "docker_daemon", "host_domain", "port_hook", "logs_er",
                             "protocol", "cpu", "memory", "hdd"]
        XCTAssertEqual(Set(fields.keys), expected, "the fields of CALIPSOplus's image model")
        XCTAssertEqual(fields["protocol"] as? String, "HTTP")
        XCTAssertEqual(fields["port_hook"] as? String, String(try Self.defaultPort()))
        XCTAssertGreaterThan(fields["cpu"] as? Int ?? 0, 0)
        XCTAssertNotNil((fields["memory"] as? String)?.range(of: #"^[0-9]+[kmg]$"#, options: .regularExpression),
                        "memory is a docker mem_limit such as 32g")
        XCTAssertFalse((fields["image"] as? String ?? "").isEmpty)
    }

    // MARK: the Containerfile

    func testContainerfileExposesTheDefaultPortAndItsVariablesExist() throws {
        let containerfile = try RepositoryFiles.text("Containerfile")
        let port = try Self.defaultPort()
        XCTAssertTrue(containerfile.contains("\nEXPOSE \(port)\n"), "EXPOSE \(port)")
        XCTAssertTrue(containerfile.contains("PTYCHITE_BIND=0.0.0.0:\(port)"))
        XCTAssertTrue(containerfile.contains("/healthz"), "the HEALTHCHECK asks /healthz")
        XCTAssertTrue(containerfile.contains(#"echo "libnvidia-opencl.so.1" > /etc/OpenCL/vendors/nvidia.icd"#))
        try Self.assertVariablesExist(in: containerfile, file: "Containerfile")
        // The build stage installs nothing CI does not build with (.ci/install-system-packages).
        let ciPackages = try Self.ciPackages()
        let buildStage = try XCTUnwrap(containerfile.components(separatedBy: "FROM debian:12-slim").first)
        let install = try XCTUnwrap(buildStage.range(of: #"--no-install-recommends[^&]*"#, options: .regularExpression))
        let buildPackages = buildStage[install].replacingOccurrences(of: "\\", with: " ")
            .split(whereSeparator: \.isWhitespace).dropFirst().map(String.init)
        XCTAssertFalse(buildPackages.isEmpty)
        for package in buildPackages {
            XCTAssertTrue(ciPackages.contains(package), "the build stage installs \(package), which CI does not")
        }
    }

    // MARK: Kubernetes

    func testKubernetesManifestMountsDataReadOnlyResultsWritableAndRunsAsTheUser() throws {
        let values = ["PTYCHITE_INSTANCE": "ptychite-jdoe", "PTYCHITE_IMAGE": "registry.example.org/ptychite:0.1.0",
                      "PTYCHITE_UID": "4242", "PTYCHITE_GID": "4343", "PTYCHITE_DATA_PATH": "/gpfs/data/jdoe",
                      "PTYCHITE_RESULTS_PATH": "/gpfs/results/jdoe"]
        let manifest = try RepositoryFiles.text("Samples/portal/kubernetes.yaml")
        // Every placeholder is documented in the header (and only those are used).
        let used = Set(Self.matches(#"\$\{([A-Z_]+)\}"#, in: manifest))
        XCTAssertEqual(used, Set(values.keys), "the manifest's placeholders")
        for name in values.keys { XCTAssertTrue(manifest.contains("#   \(name) "), "\(name) is documented in the header") }
        let documents = try Self.parseYAML(substituting: values, in: manifest)
        XCTAssertEqual(documents.map { $0["kind"] as? String }, ["Deployment", "Service"])
        let deployment = documents[0], service = documents[1]

        let spec = try XCTUnwrap(deployment["spec"] as? [String: Any])
        XCTAssertEqual(spec["replicas"] as? Int, 1)
        let template = try XCTUnwrap(spec["template"] as? [String: Any])
        let labels = try XCTUnwrap((template["metadata"] as? [String: Any])?["labels"] as? [String: String])
        let selector = try XCTUnwrap((spec["selector"] as? [String: Any])?["matchLabels"] as? [String: String])
        XCTAssertEqual(selector, labels)
        XCTAssertEqual((service["spec"] as? [String: Any])?["selector"] as? [String: String], labels)

        let pod = try XCTUnwrap(template["spec"] as? [String: Any])
        let podSecurity = try XCTUnwrap(pod["securityContext"] as? [String: Any])
        XCTAssertEqual(podSecurity["runAsUser"] as? Int, 4242, "runAsUser is the user's uid, an integer")
        XCTAssertEqual(podSecurity["runAsGroup"] as? Int, 4343)
        XCTAssertEqual(podSecurity["runAsNonRoot"] as? Bool, true)

        let containers = try XCTUnwrap(pod["containers"] as? [[String: Any]])
        XCTAssertEqual(containers.count, 1)
        let container = containers[0]
        XCTAssertEqual(container["image"] as? String, values["PTYCHITE_IMAGE"])
        let security = try XCTUnwrap(container["securityContext"] as? [String: Any])
        XCTAssertEqual(security["readOnlyRootFilesystem"] as? Bool, true)
        XCTAssertEqual(security["allowPrivilegeEscalation"] as? Bool, false)
        let requests = try XCTUnwrap((container["resources"] as? [String: Any])?["requests"] as? [String: Any])
        XCTAssertNotNil(requests["cpu"]); XCTAssertNotNil(requests["memory"])

        var env: [String: String] = [:]
        for item in container["env"] as? [[String: Any]] ?? [] {
            env[item["name"] as? String ?? ""] = item["value"] as? String
        }
        try Self.assertVariablesExist(in: env.keys.joined(separator: " "), file: "kubernetes.yaml")
        let port = try Self.defaultPort()
        XCTAssertEqual(env["PTYCHITE_BIND"], "0.0.0.0:\(port)")
        XCTAssertEqual(env["HOME"], "/tmp")
        let ports = try XCTUnwrap(container["ports"] as? [[String: Any]])
        XCTAssertEqual(ports.first?["containerPort"] as? Int, port)
        let portName = try XCTUnwrap(ports.first?["name"] as? String)
        let servicePorts = try XCTUnwrap((service["spec"] as? [String: Any])?["ports"] as? [[String: Any]])
        XCTAssertEqual(servicePorts.first?["port"] as? Int, port)
        XCTAssertEqual(servicePorts.first?["targetPort"] as? String, portName)
        XCTAssertEqual((service["spec"] as? [String: Any])?["type"] as? String, "NodePort")

        let health = (env["PTYCHITE_BASE_PATH"] ?? "") + "/healthz"
        for probe in ["startupProbe", "readinessProbe", "livenessProbe"] {
            let get = try XCTUnwrap((container[probe] as? [String: Any])?["httpGet"] as? [String: Any], probe)
            XCTAssertEqual(get["path"] as? String, health, "\(probe) asks the service's /healthz under its base path")
            XCTAssertEqual(get["port"] as? String, portName)
        }

        let mounts = try XCTUnwrap(container["volumeMounts"] as? [[String: Any]])
        let volumes = try XCTUnwrap(pod["volumes"] as? [[String: Any]])
        func mount(at path: String?) throws -> (mount: [String: Any], volume: [String: Any]) {
            let mount = try XCTUnwrap(mounts.first { $0["mountPath"] as? String == path }, "nothing mounted at \(path ?? "nil")")
            let volume = try XCTUnwrap(volumes.first { $0["name"] as? String == mount["name"] as? String })
            return (mount, volume)
        }
        let data = try mount(at: env["PTYCHITE_DATA_DIR"])
        XCTAssertEqual(data.mount["readOnly"] as? Bool, true, "the data are mounted read-only")
        XCTAssertEqual((data.volume["hostPath"] as? [String: Any])?["path"] as? String, values["PTYCHITE_DATA_PATH"])
        let results = try mount(at: env["PTYCHITE_RESULTS_DIR"])
        XCTAssertNotEqual(results.mount["readOnly"] as? Bool, true, "the results are mounted read-write")
        XCTAssertEqual((results.volume["hostPath"] as? [String: Any])?["path"] as? String, values["PTYCHITE_RESULTS_PATH"])
        let tmp = try mount(at: "/tmp")
        XCTAssertNotNil(tmp.volume["emptyDir"], "a writable /tmp (HOME) under the read-only root filesystem")
    }

    // MARK: Apptainer

    func testApptainerRecipeBuildsFromTheImageAndRunsItsBinary() throws {
        let recipe = try RepositoryFiles.text("Samples/portal/ptychite.def")
        let header = Dictionary(uniqueKeysWithValues: recipe.split(separator: "\n").compactMap { line -> (String, String)? in
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, ["Bootstrap", "From"].contains(String(parts[0])) else { return nil }
            return (String(parts[0]), parts[1].trimmingCharacters(in: .whitespaces))
        })
        XCTAssertEqual(header["Bootstrap"], "oci-archive")
        let archive = try XCTUnwrap(header["From"])
        XCTAssertTrue(recipe.contains("podman save --format oci-archive -o \(archive) ptychite"),
                      "the recipe says how to make \(archive)")
        let containerfile = try RepositoryFiles.text("Containerfile")
        let entrypoint = try XCTUnwrap(Self.matches(#"ENTRYPOINT \[.*"(/[^"]*ptychite)"\]"#, in: containerfile).first)
        XCTAssertTrue(recipe.contains("%runscript\n    exec \(entrypoint) \"$@\""), "the runscript runs the image's \(entrypoint)")
        XCTAssertTrue(recipe.contains(#"test "$(cat /etc/OpenCL/vendors/nvidia.icd)" = "libnvidia-opencl.so.1""#))
        XCTAssertTrue(recipe.contains("apptainer exec --nv"))
        try Self.assertVariablesExist(in: recipe, file: "ptychite.def")
    }

    // MARK: helpers

    static let cataloguePath = "Samples/portal/calipsoplus-image.json"

    static func catalogueFields() throws -> [String: Any] {
        let entries = try JSONSerialization.jsonObject(with: Data(RepositoryFiles.text(cataloguePath).utf8)) as? [[String: Any]]
        return try XCTUnwrap(entries?.first?["fields"] as? [String: Any], "\(cataloguePath): [{model, fields}]")
    }

    /// The port `ptychite serve` listens on by default, from its own help text.
    static func defaultPort() throws -> Int {
        let help = try PtychiteProcess.run(["serve", "--help"])
        XCTAssertEqual(help.status, 0, help.summary)
        let port = matches(#"default\s+0\.0\.0\.0:([0-9]+)"#, in: help.stdout).first.flatMap(Int.init)
        return try XCTUnwrap(port, "serve --help names no default bind address:\n\(help.stdout)")
    }

    /// Every PTYCHITE_* variable named in `text` is one `ptychite serve` documents (or the Slurm executor's).
    static func assertVariablesExist(in text: String, file: String) throws {
        let help = try PtychiteProcess.run(["serve", "--help"]).stdout
        let known = Set(matches(#"(PTYCHITE_[A-Z_]+)"#, in: help)).union(
            // Not `serve` options: the tests' binary override, and the Slurm executor's (issue 6).
            ["PTYCHITE_BINARY", "PTYCHITE_EXECUTOR", "PTYCHITE_SLURM_PARTITION", "PTYCHITE_SLURM_ACCOUNT",
             "PTYCHITE_SLURM_IMAGE", "PTYCHITE_TARGET_CPU", "PTYCHITE_VERSION", "PTYCHITE_REVISION", "PTYCHITE_CREATED"])
        XCTAssertTrue(help.contains("[PTYCHITE_DATA_DIR]"), "serve --help lists its variables")
        for name in Set(matches(#"(PTYCHITE_[A-Z_]+)"#, in: text)) where !name.hasSuffix("_PATH") && name != "PTYCHITE_INSTANCE"
            && name != "PTYCHITE_IMAGE" && name != "PTYCHITE_UID" && name != "PTYCHITE_GID" {
            XCTAssertTrue(known.contains(name), "\(file) sets \(name), which ptychite does not read")
        }
    }

    /// The first line `ptychite serve` prints, on a free port of 127.0.0.1, then SIGTERM.
    static func accessURLLine(environment extra: [String: String]) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ptychite-portal-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("data"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("PTYCHITE_") }
        environment["PTYCHITE_DATA_DIR"] = folder.appendingPathComponent("data").path
        environment["PTYCHITE_RESULTS_DIR"] = folder.appendingPathComponent("results").path
        environment["PTYCHITE_BIND"] = "127.0.0.1:0"
        environment.merge(extra) { $1 }
        let process = Process()
        process.executableURL = try PtychiteBinary.url()
        process.arguments = ["serve"]
        process.environment = environment
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            if process.isRunning { kill(process.processIdentifier, SIGTERM) }
            process.waitUntilExit()
        }
        // The line comes once the port is open; a watchdog kills a binary that hangs before it.
        let pid = process.processIdentifier
        let watchdog = DispatchWorkItem { kill(pid, SIGKILL) }
        DispatchQueue.global().asyncAfter(deadline: .now() + 60, execute: watchdog)
        defer { watchdog.cancel() }
        let reader = stdout.fileHandleForReading
        var text = ""
        while !text.contains("\n") {
            let chunk = reader.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        XCTAssertTrue(text.contains("\n"), "ptychite serve printed no line (within 60 s): \(text)")
        return text.components(separatedBy: "\n")[0]
    }

    /// The Debian packages CI installs (.ci/install-system-packages' ptychite_packages list).
    static func ciPackages() throws -> Set<String> {
        let script = try RepositoryFiles.text(".ci/install-system-packages")
        let list = try XCTUnwrap(script.range(of: #"ptychite_packages=\([^)]*\)"#, options: .regularExpression))
        return Set(script[list].dropFirst("ptychite_packages=(".count).dropLast()
            .split(whereSeparator: \.isWhitespace).map(String.init))
    }

    /// The YAML documents of `text` after envsubst-style substitution, as JSON objects (PyYAML).
    static func parseYAML(substituting values: [String: String], in text: String) throws -> [[String: Any]] {
        let python = "/usr/bin/python3"
        let program = #"""
            import json, os, re, sys, yaml
            # As `envsubst '$A $B …'`: only the listed ${NAME}s, everything else left as it is.
            names = set(sys.argv[1:])
            text = re.sub(r"\$\{([A-Za-z_]+)\}",
                          lambda m: os.environ[m.group(1)] if m.group(1) in names else m.group(0), sys.stdin.read())
            print(json.dumps([d for d in yaml.safe_load_all(text) if d is not None]))
            """#
        guard FileManager.default.isExecutableFile(atPath: python),
              (try? ScriptRun.run([python, "-c", "import yaml"], timeout: 30).status) == 0 else {
            let reason = "\(python) with PyYAML (python3-yaml) is needed to parse kubernetes.yaml"
            if !(ProcessInfo.processInfo.environment["CI"] ?? "").isEmpty { XCTFail(reason) }
            throw XCTSkip(reason)
        }
        let run = try ScriptRun.run([python, "-c", program] + values.keys.sorted(), environment: values.merging(["LC_ALL": "C.UTF-8"]) { $1 },
                                    input: text, timeout: 60)
        XCTAssertEqual(run.status, 0, run.output)
        let documents = try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [[String: Any]]
        return try XCTUnwrap(documents, run.output)
    }

    static func matches(_ pattern: String, in text: String) -> [String] {
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return [] }
        return regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap {
            Range($0.range(at: 1), in: text).map { String(text[$0]) }
        }
    }
}
