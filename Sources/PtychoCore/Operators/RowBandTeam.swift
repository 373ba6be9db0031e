import CFFTW
import Foundation

/// Threads that share one frame's element-wise work by bands of rows, for the sweeps that visit frames one
/// after another (the PIE family). Such a sweep cannot give frames to other threads — each frame's update
/// changes the object the next frame reads — and FFTW's threaded plans lose to one thread on small frames
/// (`CPUBackend.faster`), so without a team every core but one waits through the sweep.
///
/// A job is a `RowBandJob` that `RowBandPerformer.perform(_:band:)` runs for one band; the calling thread
/// and the team's helper threads claim the bands among them, and `run` returns when every band is done.
/// Invariants: one thread calls `run` at a time; the bands of a job touch disjoint memory (or only read
/// shared memory). Between jobs a helper polls for ~55 µs (longer than one 128² transform, so within a
/// sweep a hand-off costs well under a microsecond), then sleeps until the next job wakes it; between sweeps
/// the helpers sleep and cost nothing.
final class RowBandTeam: @unchecked Sendable {
    let bands: Int
    private let state: RowBandTeamState

    /// A team of `bands` − 1 helper threads (plus the caller) working for `performer`, which must outlive
    /// every `run`.
    init(bands: Int, performer: RowBandPerformer) {
        precondition(bands >= 2, "a team needs at least two bands")
        self.bands = bands
        state = RowBandTeamState(helpers: bands - 1, performer: performer)
        for index in 1..<bands {
            let state = state
            let thread = Thread { state.serve() }
            thread.name = "ptychite-rows-\(index)"
            thread.start()
        }
    }

    deinit { state.shutDown() }

    /// Rows `[b·h/B, (b+1)·h/B)` of a frame `height` rows high: band `band` of `bands`.
    static func rows(of band: Int, bands: Int, height: Int) -> Range<Int> {
        (band * height / bands)..<((band + 1) * height / bands)
    }

    /// Runs `job` on every band and returns when all are done.
    func run(_ job: RowBandJob) { state.run(job) }

    /// Runs `job` on every band on the calling thread alone: the same arithmetic as `run`, without helpers.
    func runAlone(_ job: RowBandJob) { state.runAlone(job) }
}

/// Whether a sequential sweep shares its frames' passes with the team's helpers. The helpers poll between
/// jobs, which pays only while every thread has a core of its own: when the sweeping thread was on a CPU
/// for less than 90 % of a sweep's wall time (other processes share the cores), the bands run on that
/// thread alone (same arithmetic) for the next 1, 2, 4 … 16 sweeps before the helpers are tried again.
public struct RowBandPolicy: Sendable {
    private var sweepsAlone = 0
    private var backoff = 1
    public static let fairShare = 0.9

    public init() {}

    /// Whether the next sweep uses the helpers.
    public mutating func useHelpers() -> Bool {
        guard sweepsAlone == 0 else {
            sweepsAlone -= 1
            return false
        }
        return true
    }

    /// The sweeping thread's CPU time ÷ wall time in a sweep that used the helpers.
    public mutating func record(cpuShare: Double) {
        if cpuShare < Self.fairShare {
            sweepsAlone = backoff
            backoff = min(16, 2 * backoff)
        } else {
            backoff = 1
        }
    }
}

/// What a team's bands can do: implemented by the worker that owns the frame's scratch.
protocol RowBandPerformer: AnyObject {
    func perform(_ job: RowBandJob, band: Int)
}

/// One pass over a frame, split by rows (see `CPUFrameWorker+RowBands.swift`).
enum RowBandJob {
    /// ψ = P·O_j into the scratch, and max |O|² over the patch.
    case exitWave(frame: Int)
    /// The exact modulus projection of the scratch against frame `frame`'s data.
    case modulus(frame: Int)
    /// The PIE-family update of frame `frame` (`FrameKernels.pieUpdate`).
    case pieUpdate(frame: Int, steps: PIESteps)
}

/// The parameters of one PIE-family update.
struct PIESteps {
    var alpha: Float
    var beta: Float
    var objectRegularisation: Float
    var probeRegularisation: Float
    var maxProbePower: Float
    var maxObjectPower: Float
}

/// The words the threads share, each on its own cache line, and the job they read.
///
/// Bands are claimed, not assigned: `ticket` holds the job's epoch (high bits) and the next unclaimed band
/// (low 16 bits), and whoever runs — the caller or a helper — claims bands with a compare-and-swap until
/// none is left. So a helper that is asleep or not scheduled (more threads than free cores: several jobs on
/// one node) delays nothing: the caller does its bands too. A claim names the epoch, so a helper that wakes
/// late cannot claim a band of a newer job by mistake. `job` is written by the caller before it publishes
/// a new epoch and read by a claimer after a successful claim; it does not change until `finished` counts
/// every band of the job. A helper about to sleep counts itself in `sleepers` and looks at `ticket` once
/// more; the caller publishes with a full barrier and then wakes as many helpers as are counted, so a job
/// is never published past a helper that has not seen it and will not be woken.
private final class RowBandTeamState: @unchecked Sendable {
    private static let line = 8  // Ints per 64-byte cache line
    private static let bandBits = 16
    private let words: UnsafeMutablePointer<Int>
    private var ticket: UnsafeMutablePointer<Int> { words }
    private var finished: UnsafeMutablePointer<Int> { words + Self.line }
    private var sleepers: UnsafeMutablePointer<Int> { words + 2 * Self.line }
    private var exiting: UnsafeMutablePointer<Int> { words + 3 * Self.line }
    /// The job being run (nil before the first).
    private var job: RowBandJob?
    private let bands: Int
    private unowned(unsafe) let performer: RowBandPerformer
    private let wakeUp = DispatchSemaphore(value: 0)
    private let exited = DispatchGroup()
    /// Polls (`pause`, ~27 ns each here) before a helper sleeps: ~55 µs, longer than a 128² transform.
    private static let spinsBeforeSleeping = 2048
    /// Polls before the caller, waiting for a band in progress elsewhere, starts yielding its core.
    private static let spinsBeforeYielding = 4096

    init(helpers: Int, performer: RowBandPerformer) {
        bands = helpers + 1
        precondition(bands < 1 << Self.bandBits)
        self.performer = performer
        words = .allocate(capacity: 4 * Self.line)
        words.initialize(repeating: 0, count: 4 * Self.line)
        for _ in 0..<helpers { exited.enter() }
    }

    deinit { words.deallocate() }

    func run(_ job: RowBandJob) {
        self.job = job
        ptychite_atomic_store(finished, 0)
        let epoch = (ptychite_atomic_load(ticket) >> Self.bandBits) + 1
        publish(epoch << Self.bandBits)
        claimBands(of: epoch)
        var spins = 0
        while ptychite_atomic_load(finished) != bands {
            spins += 1
            if spins < Self.spinsBeforeYielding { ptychite_spin_pause() } else { sched_yield() }
        }
    }

    func runAlone(_ job: RowBandJob) {
        for band in 0..<bands { performer.perform(job, band: band) }
    }

    /// A new ticket, then a wake-up for every helper that went to sleep.
    private func publish(_ newTicket: Int) {
        _ = ptychite_atomic_exchange(ticket, newTicket)
        for _ in 0..<ptychite_atomic_load(sleepers) { wakeUp.signal() }
    }

    /// Claims and runs bands of job `epoch` until none is left (or a newer job has replaced it).
    private func claimBands(of epoch: Int) {
        while true {
            let current = ptychite_atomic_load(ticket), band = current & (1 << Self.bandBits - 1)
            guard current >> Self.bandBits == epoch, band < bands else { return }
            guard ptychite_atomic_compare_exchange(ticket, current, current + 1) != 0 else { continue }
            performer.perform(job!, band: band)
            _ = ptychite_atomic_add(finished, 1)
        }
    }

    /// A helper's life: wait for a new epoch, claim bands of it, wait again.
    func serve() {
        ptychite_flush_denormals_to_zero()
        var seen = 0
        while ptychite_atomic_load(exiting) == 0 {
            var spins = 0
            while ptychite_atomic_load(ticket) >> Self.bandBits == seen {
                spins += 1
                if spins < Self.spinsBeforeSleeping {
                    ptychite_spin_pause()
                    continue
                }
                _ = ptychite_atomic_add(sleepers, 1)
                if ptychite_atomic_load(ticket) >> Self.bandBits == seen { wakeUp.wait() }
                _ = ptychite_atomic_add(sleepers, -1)
                spins = 0
            }
            seen = ptychite_atomic_load(ticket) >> Self.bandBits
            claimBands(of: seen)
        }
        exited.leave()
    }

    /// Stops the helpers and waits until none of them can touch the performer any more.
    func shutDown() {
        ptychite_atomic_store(exiting, 1)
        let epoch = (ptychite_atomic_load(ticket) >> Self.bandBits) + 1
        publish((epoch << Self.bandBits) | bands)  // a new epoch with nothing left to claim
        for _ in 0..<(bands - 1) { wakeUp.signal() }
        exited.wait()
    }
}
