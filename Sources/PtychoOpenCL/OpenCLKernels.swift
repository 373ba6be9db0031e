/// The program's kernels, looked up once.
struct OpenCLKernels {
    let combineExitWaves, modulusMetrics, modulusApply, updateExitWaves, accumulateObjectSums: OpenCLKernel
    let accumulateProbeSums, sumPartials: OpenCLKernel
    let powerMaximumPartials, pieUpdate: OpenCLKernel
    let maximum, overlapSolve, mixModes: OpenCLKernel
    // maximum likelihood (`OpenCLLikelihoodKernelSource`)
    let likelihoodWeight, searchWaves, lineSearchPartials, innerProductPartials: OpenCLKernel
    let updateSearchDirection, stepAlong, smoothnessGradient, smoothnessAlong: OpenCLKernel
    // mPIE
    let momentumStep: OpenCLKernel
    // positions and background (`OpenCLRefinementKernelSource`)
    let positionShiftPartials, positionShiftSolve, backgroundRatios: OpenCLKernel

    init(_ context: OpenCLContext) throws {
        let program = try context.build(OpenCLKernelSource.text + OpenCLLikelihoodKernelSource.text
                                        + OpenCLRefinementKernelSource.text)
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
        likelihoodWeight = try program.kernel("likelihood_weight")
        searchWaves = try program.kernel("search_waves")
        lineSearchPartials = try program.kernel("line_search_partials")
        innerProductPartials = try program.kernel("inner_product_partials")
        updateSearchDirection = try program.kernel("update_search_direction")
        stepAlong = try program.kernel("step_along")
        smoothnessGradient = try program.kernel("smoothness_gradient")
        smoothnessAlong = try program.kernel("smoothness_along")
        momentumStep = try program.kernel("momentum_step")
        positionShiftPartials = try program.kernel("position_shift_partials")
        positionShiftSolve = try program.kernel("position_shift_solve")
        backgroundRatios = try program.kernel("background_ratios")
    }
}
