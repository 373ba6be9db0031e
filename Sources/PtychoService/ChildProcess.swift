#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A child started with `posix_spawn` in its own process group (`pgid == pid`), so that a signal to the
/// group reaches it and anything it starts, and a terminal's Ctrl-C to the service does not.
///
/// Standard input is `/dev/null`, standard error is appended to `stderrPath`, standard output is a pipe
/// read by `lines()`. Signal dispositions and the mask are reset to defaults in the child (the service
/// ignores SIGTERM/SIGINT to handle them itself, and ignored signals would otherwise be inherited).
/// Arguments are passed as an array: no shell is involved.
public final class ChildProcess: @unchecked Sendable {
    public let pid: pid_t
    private let stdoutFD: Int32

    public init(executable: String, arguments: [String], stderrPath: String) throws {
        var fds: [Int32] = [-1, -1]
        // pipe2 is not exported by Glibc's module; close-on-exec right after (children are only started
        // from the executor's actor, so no other spawn can slip in between).
        guard pipe(&fds) == 0 else { throw ChildProcessError("pipe: \(String(cString: strerror(errno)))") }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t(), empty = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGPIPE, SIGQUIT, SIGCHLD] { sigaddset(&defaults, signal) }
        sigemptyset(&empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var child: pid_t = 0
        let status = posix_spawn(&child, executable, &actions, &attributes, argv, environ)
        close(fds[1])
        guard status == 0 else {
            close(fds[0])
            throw ChildProcessError("cannot start \(executable): \(String(cString: strerror(status)))")
        }
        pid = child
        stdoutFD = fds[0]
    }

    /// Standard output line by line, then the exit status, read on a dedicated thread (blocking reads never
    /// occupy the concurrency pool). The stream ends after `.exited`.
    public func events() -> AsyncStream<ChildEvent> {
        let (stream, continuation) = AsyncStream<ChildEvent>.makeStream()
        let fd = stdoutFD, pid = pid
        let thread = Thread {
            var pending = [UInt8]()
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { break }
                pending.append(contentsOf: buffer[0..<count])
                while let newline = pending.firstIndex(of: 10) {
                    continuation.yield(.line(String(decoding: pending[..<newline], as: UTF8.self)))
                    pending.removeSubrange(...newline)
                }
            }
            if !pending.isEmpty { continuation.yield(.line(String(decoding: pending, as: UTF8.self))) }
            close(fd)
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            let termination: ChildTermination = (status & 0x7f) == 0
                ? .exited((status >> 8) & 0xff) : .signaled(status & 0x7f)
            continuation.yield(.exited(termination))
            continuation.finish()
        }
        thread.start()
        return stream
    }

    /// Sends `signal` to the child's whole process group.
    public func signalGroup(_ signal: Int32) {
        _ = kill(-pid, signal)
    }
}

public enum ChildEvent: Sendable {
    case line(String)
    case exited(ChildTermination)
}

public enum ChildTermination: Sendable, Equatable {
    case exited(Int32)
    case signaled(Int32)
}

public struct ChildProcessError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
