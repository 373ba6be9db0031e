import CFFTW
import Foundation

/// Threads that share one frame's element-wise work by bands of rows, for the sweeps that visit frames one
/// after another (the PIE family). Such a sweep cannot give frames to other threads — each frame's update
/// changes the object the next frame reads — and FFTW's threaded plans lose to one thread on small frames
/// (`CPUBackend.faster`), so without a team every core but one waits through the sweep.
///
/// A job is a `RowBandJob` that `RowBandPerformer.perform(_:band:)` runs for one band; band 0 runs on the
/// calling thread, bands 1… on the team's helper threads, and `run` returns when every band is done.
/// Invariants: one thread calls `run`, only between `activate()` and `deactivate()`; the bands of a job
/// touch disjoint memory (or only read shared memory). While active, helpers poll for the next job
/// (pausing, then yielding the core), so a hand-off costs well under a microsecond next to the ~10 µs
/// element-wise passes it splits; while inactive they sleep on a semaphore and cost nothing.
final class RowBandTeam: @unchecked Sendable {
    let bands: Int
    private let state: RowBandTeamState

    /// A team of `bands` − 1 helper threads (plus the caller) working for `performer`, which must outlive
    /// every `run`.
    init(bands: Int, performer: RowBandPerformer) {
        precondition(bands >= 2, "a team needs at least two bands")
        self.bands = bands
        state = RowBandTeamState(helpers: bands - 1, performer: performer)
        for band in 1..<bands {
            let state = state
            let thread = Thread { state.serve(band: band) }
            thread.name = "ptychite-rows-\(band)"
            thread.start()
        }
    }

    deinit { state.shutDown() }

    /// Rows `[b·h/B, (b+1)·h/B)` of a frame `height` rows high: band `band` of `bands`.
    static func rows(of band: Int, bands: Int, height: Int) -> Range<Int> {
        (band * height / bands)..<((band + 1) * height / bands)
    }

    /// Wakes the helpers for a sweep: from now on they poll for jobs.
    func activate() { state.activate() }

    /// Lets the helpers sleep once they see it (after the current job, if any).
    func deactivate() { state.deactivate() }

    /// Runs `job` on every band and returns when all are done.
    func run(_ job: RowBandJob) { state.run(job) }
}

/// What a team's bands can do: implemented by the worker that owns the frame's scratch.
protocol RowBandPerformer: AnyObject {
    func perform(_ job: RowBandJob, band: Int)
}

/// One pass over a frame, split by rows (see `CPUFrameWorker+RowBands.swift`).
enum RowBandJob {
    case none
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

/// The words the threads share, each on its own cache line, and the job they read. `job` is written only
/// by the calling thread before it publishes a new `epoch` (release) and read by helpers after they see
/// it (acquire); it does not change until every helper has counted itself out of `pending`.
private final class RowBandTeamState: @unchecked Sendable {
    private static let line = 8  // Ints per 64-byte cache line
    private let words: UnsafeMutablePointer<Int>
    private var epoch: UnsafeMutablePointer<Int> { words }
    private var pending: UnsafeMutablePointer<Int> { words + Self.line }
    private var active: UnsafeMutablePointer<Int> { words + 2 * Self.line }
    private var exiting: UnsafeMutablePointer<Int> { words + 3 * Self.line }
    private var job = RowBandJob.none
    private let helpers: Int
    private unowned(unsafe) let performer: RowBandPerformer
    private let wakeUps: [DispatchSemaphore]
    private let exited = DispatchGroup()
    /// Polls before a waiting thread starts yielding its core (≈ 100 µs of `pause`).
    private static let spinsBeforeYielding = 4096

    init(helpers: Int, performer: RowBandPerformer) {
        self.helpers = helpers
        self.performer = performer
        words = .allocate(capacity: 4 * Self.line)
        words.initialize(repeating: 0, count: 4 * Self.line)
        wakeUps = (0..<helpers).map { _ in DispatchSemaphore(value: 0) }
        for _ in 0..<helpers { exited.enter() }
    }

    deinit { words.deallocate() }

    func activate() {
        ptychite_atomic_store(active, 1)
        for semaphore in wakeUps { semaphore.signal() }
    }

    func deactivate() { ptychite_atomic_store(active, 0) }

    func run(_ job: RowBandJob) {
        self.job = job
        ptychite_atomic_store(pending, helpers)
        _ = ptychite_atomic_add(epoch, 1)
        performer.perform(job, band: 0)
        var spins = 0
        while ptychite_atomic_load(pending) != 0 { Self.wait(&spins) }
    }

    /// A helper's life: wait for a new epoch, run its band, count out; sleep while the team is inactive.
    func serve(band: Int) {
        ptychite_flush_denormals_to_zero()
        var seen = 0
        while true {
            var spins = 0
            while ptychite_atomic_load(epoch) == seen {
                if ptychite_atomic_load(active) == 0 {
                    wakeUps[band - 1].wait()
                    spins = 0
                } else {
                    Self.wait(&spins)
                }
            }
            seen = ptychite_atomic_load(epoch)
            if ptychite_atomic_load(exiting) != 0 { break }
            performer.perform(job, band: band)
            _ = ptychite_atomic_add(pending, -1)
        }
        exited.leave()
    }

    /// Stops the helpers and waits until none of them can touch the performer any more.
    func shutDown() {
        ptychite_atomic_store(exiting, 1)
        _ = ptychite_atomic_add(epoch, 1)
        activate()
        exited.wait()
    }

    private static func wait(_ spins: inout Int) {
        spins += 1
        if spins < spinsBeforeYielding { ptychite_spin_pause() } else { sched_yield() }
    }
}
