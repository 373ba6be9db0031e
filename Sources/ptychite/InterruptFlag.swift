import Foundation
import Synchronization

/// Stop requests from SIGINT/SIGTERM, read between iterations.
///
/// A `sigaction` handler records the signal: the disposition changes atomically from the default (which
/// ends the process) to recording, so a signal is never lost, whenever it arrives. Ignoring the signals and
/// reading them from a dispatch source instead dropped a SIGTERM sent in the instant between the two (a
/// service stopping a job it had just started), and the job then ran to its end. Blocking them for
/// `sigwait` would not cover the threads that exist before `install`.
///
/// The first request says on stderr that the run stops after the current step (an iteration, or a stage
/// of the set-up). A second SIGINT (Ctrl-C again) ends the process at once, by the default action, without
/// writing the result; SIGTERM repeated stays a request (services escalate with SIGKILL, not with a second
/// SIGTERM).
///
/// The record and the notes are process-wide because signal dispositions are; they are made by `install`,
/// before the handler can run, so the handler only does a lock-free exchange and `write`, `signal` and
/// `raise`, which are async-signal-safe.
final class InterruptFlag: Sendable {
    private static let lastSignal = Atomic<Int32>(0)
    private static let interruptNote = StaticNote(
        "ptychite: stop requested (SIGINT): ending after the current step, writing what is done; Ctrl-C again quits at once without writing\n")
    private static let terminateNote = StaticNote(
        "ptychite: stop requested (SIGTERM): ending after the current step, writing what is done\n")

    /// Makes SIGINT and SIGTERM record themselves instead of ending the process. System calls the signal
    /// interrupts are restarted (`SA_RESTART`), so a stop request never fails a read or write.
    func install() {
        Self.lastSignal.store(0, ordering: .relaxed)
        _ = (Self.interruptNote, Self.terminateNote)
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { signalNumber in
            let earlier = InterruptFlag.lastSignal.exchange(signalNumber, ordering: .relaxed)
            if earlier == SIGINT && signalNumber == SIGINT {
                signal(SIGINT, SIG_DFL)
                raise(SIGINT)
                return
            }
            guard earlier == 0 else { return }
            (signalNumber == SIGINT ? InterruptFlag.interruptNote : InterruptFlag.terminateNote).write()
        }
        action.sa_flags = SA_RESTART
        sigemptyset(&action.sa_mask)
        for signalNumber in [SIGINT, SIGTERM] { sigaction(signalNumber, &action, nil) }
    }

    /// The signal received, or 0.
    var received: Int32 { Self.lastSignal.load(ordering: .relaxed) }

    /// Ends the command (exit 128 + signal, nothing written) if a stop was requested during `stage`.
    func stopIfRequested(during stage: String) throws {
        let signal = received
        guard signal != 0 else { return }
        throw CommandFailure(message: "interrupted by signal \(signal) while \(stage); nothing was written",
                             status: 128 + signal)
    }
}

/// A line for standard error made once, so that a signal handler can write it without allocating.
private final class StaticNote: Sendable {
    private nonisolated(unsafe) let bytes: UnsafeMutablePointer<CChar>
    private let count: Int

    /// On a terminal the line starts with a newline, so that it does not land on a progress bar's line.
    init(_ text: String) {
        bytes = strdup(isatty(STDERR_FILENO) != 0 ? "\n" + text : text)!
        count = strlen(bytes)
    }

    /// One `write(2)` to standard error (async-signal-safe); a short or failed write is not retried.
    func write() {
        _ = Glibc.write(STDERR_FILENO, bytes, count)
    }
}
