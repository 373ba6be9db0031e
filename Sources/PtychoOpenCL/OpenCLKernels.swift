/// The program's kernels, looked up once.
struct OpenCLKernels {
    let combineExitWaves, modulusMetrics, modulusApply, updateExitWaves, accumulateObjectSums: OpenCLKernel
    let accumulateProbeSums, sumPartials: OpenCLKernel
    let powerMaximumPartials, pieUpdate: OpenCLKernel
    let maximum, overlapSolve, mixModes: OpenCLKernel

    init(_ context: OpenCLContext) throws {
        let program = try context.build(OpenCLKernelSource.text)
        combineExitWaves = try program.kernel("combine_exit_waves")
        modulusMetrics = try program.kernel("modulus_metrics")
        modulusApply = try program.kernel("modulus_apply")
        updateExitWaves = try program.kernel("update_exit_waves")
        accumulateObjectSums = try program.kernel("accumulate_object_sums")
        sumPartials = try program.kernel("sum_partials")
        powerMaximumPartials = try program.kernel("power_maximum_partials")
        pieUpdate = try program.kernel("pie_update")
        accumulateProbeSums = try program.kernel("accumulate_probe_sums")
        maximum = try program.kernel("maximum")
        overlapSolve = try program.kernel("overlap_solve")
        mixModes = try program.kernel("mix_modes")
    }
}
