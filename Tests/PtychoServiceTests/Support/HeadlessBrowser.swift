#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Headless Chromium driven with the Chrome DevTools Protocol over a pipe (`--remote-debugging-pipe`:
/// the browser reads NUL-terminated JSON messages on fd 3 and writes its own on fd 4), so no WebSocket
/// client is needed. One page target is attached in flat mode; every page command carries its session id.
///
/// The browser runs in its own process group, which `quit()` ends (renderers and helpers included).
final class HeadlessBrowser: @unchecked Sendable {
    /// `PTYCHITE_CHROMIUM`, else Debian's `chromium` (or a Chrome) on the usual paths.
    static func executable() -> String? {
        if let chosen = ProcessInfo.processInfo.environment["PTYCHITE_CHROMIUM"], !chosen.isEmpty { return chosen }
        return ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    let pid: pid_t
    private let toBrowser: Int32
    private let fromBrowser: Int32
    private let lock = NSLock()
    private var replies: [Int: [String: Any]] = [:]
    private var nextID = 0
    private var session: String?

    init(executable: String, profile: String, log: String) throws {
        signal(SIGPIPE, SIG_IGN)  // a browser that died must fail the test, not kill it
        var commands: [Int32] = [-1, -1], events: [Int32] = [-1, -1]
        guard pipe(&commands) == 0, pipe(&events) == 0 else { throw TestFailure("pipe failed") }
        // Above fd 4, close-on-exec: the dup2s below onto 3 and 4 then cannot clobber one of them.
        func lifted(_ fd: Int32) -> Int32 { let copy = fcntl(fd, F_DUPFD_CLOEXEC, 10); close(fd); return copy }
        commands = commands.map(lifted)
        events = events.map(lifted)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        posix_spawn_file_actions_adddup2(&actions, commands[0], 3)
        posix_spawn_file_actions_adddup2(&actions, events[1], 4)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        // --no-sandbox: Chromium's sandbox cannot start as root or without user namespaces (containers, CI).
        let arguments = [executable, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--no-first-run", "--no-default-browser-check", "--disable-extensions",
                         "--disable-background-networking", "--remote-debugging-pipe",
                         "--user-data-dir=\(profile)", "--window-size=1280,1600", "about:blank"]
        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var child: pid_t = 0
        let status = posix_spawn(&child, executable, &actions, &attributes, argv, environ)
        close(commands[0])
        close(events[1])
        guard status == 0 else {
            close(commands[1]); close(events[0])
            throw TestFailure("cannot start \(executable): \(String(cString: strerror(status)))")
        }
        pid = child
        toBrowser = commands[1]
        fromBrowser = events[0]
        let reader = fromBrowser
        Thread.detachNewThread { [weak self] in
            var pending = [UInt8]()
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let count = read(reader, &chunk, chunk.count)
                if count <= 0 { break }
                pending.append(contentsOf: chunk[0..<count])
                while let end = pending.firstIndex(of: 0) {
                    let message = Data(pending[0..<end])
                    pending.removeSubrange(0...end)
                    guard let object = try? JSONSerialization.jsonObject(with: message) as? [String: Any],
                          let id = object["id"] as? Int else { continue }
                    guard let self else { return }
                    self.lock.lock(); self.replies[id] = object; self.lock.unlock()
                }
            }
            close(reader)
        }
    }

    /// Sends one command and waits (bounded) for its reply's `result`; a protocol error throws.
    @discardableResult
    func send(_ method: String, _ params: [String: Any] = [:], toPage: Bool = true,
              timeout: TimeInterval = 20) throws -> [String: Any] {
        lock.lock()
        nextID += 1
        let id = nextID
        lock.unlock()
        var message: [String: Any] = ["id": id, "method": method, "params": params]
        if toPage {
            guard let session else { throw TestFailure("no page attached") }
            message["sessionId"] = session
        }
        var bytes = [UInt8](try JSONSerialization.data(withJSONObject: message))
        bytes.append(0)
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { write(toBrowser, $0.baseAddress, $0.count) }
            guard count > 0 else { throw TestFailure("the browser stopped reading (\(method))") }
            written += count
        }
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            lock.lock()
            let reply = replies.removeValue(forKey: id)
            lock.unlock()
            if let reply {
                if let error = reply["error"] { throw TestFailure("\(method): \(error)") }
                return reply["result"] as? [String: Any] ?? [:]
            }
            usleep(5_000)
        }
        throw TestFailure("\(method): no reply within \(timeout) s")
    }

    /// Opens a fresh page (tab) and attaches to it; page commands go to it from now on.
    func openPage() throws {
        let created = try send("Target.createTarget", ["url": "about:blank"], toPage: false)
        let target = try XCTUnwrapValue(created["targetId"] as? String, "no target id")
        let attached = try send("Target.attachToTarget", ["targetId": target, "flatten": true], toPage: false)
        session = try XCTUnwrapValue(attached["sessionId"] as? String, "no session id")
        try send("Page.enable")
        try send("Runtime.enable")
    }

    func navigate(_ url: String) throws { try send("Page.navigate", ["url": url]) }

    /// The value of a JavaScript expression (awaited when it is a promise); an exception throws.
    func evaluate(_ expression: String) throws -> Any? {
        let result = try send("Runtime.evaluate", ["expression": expression, "returnByValue": true, "awaitPromise": true])
        if let exception = result["exceptionDetails"] { throw TestFailure("\(expression): \(exception)") }
        return (result["result"] as? [String: Any])?["value"]
    }

    /// Polls `expression` every 100 ms until it is `true` or `timeout` passes.
    func wait(until expression: String, timeout: TimeInterval) throws -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if (try evaluate(expression) as? NSNumber)?.boolValue == true { return true }
            usleep(100_000)
        }
        return false
    }

    /// A real mouse click (pressed and released) at the middle of the element, scrolled into view first.
    func click(_ selector: String) throws {
        let literal = String(decoding: try JSONSerialization.data(withJSONObject: [selector]), as: UTF8.self)
        let raw = try evaluate("""
            (() => { const e = document.querySelector(\(literal)[0]); e.scrollIntoView({block: "center"});
                     const r = e.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()
            """) as? [Any]
        let point = raw?.compactMap { ($0 as? NSNumber)?.doubleValue }
        guard let point, point.count == 2 else { throw TestFailure("nothing to click at \(selector)") }
        for type in ["mousePressed", "mouseReleased"] {
            try send("Input.dispatchMouseEvent", ["type": type, "x": point[0], "y": point[1], "button": "left", "clickCount": 1])
        }
    }

    /// Types `text` into the focused element as keyboard input would.
    func type(_ text: String) throws { try send("Input.insertText", ["text": text]) }

    /// A PNG of the whole page.
    func screenshot() throws -> Data {
        let result = try send("Page.captureScreenshot", ["format": "png", "captureBeyondViewport": true])
        return try XCTUnwrapValue((result["data"] as? String).flatMap { Data(base64Encoded: $0) }, "no screenshot data")
    }

    /// Asks the browser to close, then ends its process group if it has not exited within 5 s.
    func quit() {
        _ = try? send("Browser.close", toPage: false, timeout: 5)
        let deadline = Date().addingTimeInterval(5)
        var status: Int32 = 0
        while waitpid(pid, &status, WNOHANG) == 0 {
            if Date() > deadline {
                kill(-pid, SIGKILL)
                waitpid(pid, &status, 0)
                break
            }
            usleep(20_000)
        }
        kill(-pid, SIGKILL)  // helpers that outlived the browser
        close(toBrowser)
    }
}

/// `XCTUnwrap` for code outside a test case.
func XCTUnwrapValue<T>(_ value: T?, _ message: String) throws -> T {
    guard let value else { throw TestFailure(message) }
    return value
}
