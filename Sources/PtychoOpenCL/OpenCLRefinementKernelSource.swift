/// The OpenCL C kernels that refine the model beyond object and probe (appended to
/// `OpenCLKernelSource.text`, whose helpers they use): the scan positions (`FrameKernels.positionShift`)
/// and the incoherent background's ratio sums (`IncoherentBackground`).
enum OpenCLRefinementKernelSource {
    static let text = #"""
/* FrameKernels.positionShift, the sums: over the patch's inner pixels (central differences stay inside
   the patch) and the modes, with Δ_k = w_k − P_k·O, a_x = P_k·∂_xO, a_y = P_k·∂_yO, the five terms
   Σ Re(a_x*Δ), Σ|a_x|², Σ Re(a_y*Δ), Σ|a_y|², Σ Re(a_x*a_y) as per-work-group partials
   (partials[5·g + t], `perFrame` groups per frame). Frame j's waves w are at index j − waveFirst. */
__kernel void position_shift_partials(__global const float2 *waves, __global const float2 *probe,
                                      __global const float2 *object, __global const int *rows,
                                      __global const int *columns, __global float *partials, int first,
                                      int waveFirst, int modes, int height, int width, int objectWidth,
                                      int perFrame, __local float *scratch) {
    int g = get_group_id(0), b = g / perFrame, part = g - b * perFrame, j = first + b, size = get_local_size(0);
    int n = height * width, inner = width - 2, innerPixels = (height - 2) * inner;
    __global const float2 *w = waves + (long)(j - waveFirst) * modes * n;
    __global const float2 *o = object + (long)rows[j] * objectWidth + columns[j];
    float terms[5] = {0.0f, 0.0f, 0.0f, 0.0f, 0.0f};
    for (int q = part * size + get_local_id(0); q < innerPixels; q += perFrame * size) {
        int r = 1 + q / inner, x = 1 + q % inner, p = r * width + x;
        float2 O = o[r * objectWidth + x];
        float2 dx = 0.5f * (o[r * objectWidth + x + 1] - o[r * objectWidth + x - 1]);
        float2 dy = 0.5f * (o[(r + 1) * objectWidth + x] - o[(r - 1) * objectWidth + x]);
        for (int k = 0; k < modes; k++) {
            float2 P = probe[k * n + p];
            float2 delta = w[k * n + p] - cmul(P, O), ax = cmul(P, dx), ay = cmul(P, dy);
            terms[0] += dot(ax, delta);
            terms[1] += dot(ax, ax);
            terms[2] += dot(ay, delta);
            terms[3] += dot(ay, ay);
            terms[4] += dot(ax, ay);
        }
    }
    for (int t = 0; t < 5; t++) {
        float total = group_sum(terms[t], scratch);
        if (get_local_id(0) == 0) partials[5 * g + t] = total;
        barrier(CLK_LOCAL_MEM_FENCE);
    }
}

/* FrameKernels.positionShift, the solve: one work-group per frame adds its `perFrame` partials and solves
   the 2×2 normal equations for (row, column) into shifts[2j], shifts[2j + 1]; one axis at a time when the
   system is near singular, NaN on an axis without information. */
__kernel void position_shift_solve(__global const float *partials, __global float *shifts, int first, int perFrame,
                                   __local float *scratch) {
    int b = get_group_id(0), j = first + b;
    float sums[5];
    for (int t = 0; t < 5; t++) {
        float s = 0.0f;
        for (int i = get_local_id(0); i < perFrame; i += get_local_size(0)) s += partials[5 * (b * perFrame + i) + t];
        sums[t] = group_sum(s, scratch);
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (get_local_id(0) != 0) return;
    float nx = sums[0], dx = sums[1], ny = sums[2], dy = sums[3], cross = sums[4];
    float determinant = dy * dx - cross * cross;
    if (determinant > 1e-3f * dy * dx) {
        shifts[2 * j] = (dx * ny - cross * nx) / determinant;
        shifts[2 * j + 1] = (dy * nx - cross * ny) / determinant;
    } else {
        shifts[2 * j] = dy > 0.0f ? ny / dy : NAN;
        shifts[2 * j + 1] = dx > 0.0f ? nx / dx : NAN;
    }
}

/* IncoherentBackground's EM ratios: ratios[p] += Σ_b m·I/Î over the batch's frames, Î = Σ_k|X_k|²/n + B,
   from the far fields before the modulus scaling; one work-item per pixel (one writer each). */
__kernel void background_ratios(__global const float2 *field, __global const float *amplitudes,
                                __global const float *mask, __global const float *background,
                                __global float *ratios, int first, int count, int modes, int n) {
    int p = get_global_id(0);
    if (p >= n) return;
    float inverseN = 1.0f / n, sum = 0.0f;
    for (int b = 0; b < count; b++) {
        __global const float2 *f = field + (long)b * modes * n;
        float power = 0.0f;
        for (int k = 0; k < modes; k++) { float2 v = f[k * n + p]; power += dot(v, v); }
        float a = amplitudes[(long)(first + b) * n + p];
        sum += a * a / (power * inverseN + background[p] + 1e-30f);
    }
    ratios[p] += mask[p] * sum;
}
"""#
}
