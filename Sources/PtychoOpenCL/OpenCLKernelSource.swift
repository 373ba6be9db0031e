/// The OpenCL C kernels of the GPU path, one per operator of `FrameOperators`/`ReconstructionBackend`
/// that the projection engines use. Each mirrors the CPU kernel named in its comment (`FrameKernels`),
/// on a batch of frames at once: work-item i of a batch covers frame `first + i / (K·n)`, mode
/// `(i / n) % K`, pixel `i % n` (n = ny·nx), so consecutive work-items read consecutive memory.
///
/// Layouts as on the CPU, complex as float2: probe `[K, n]`, stored exit waves `[N, K, n]`, the batch's
/// scratch `[B, K, n]`, object `[H, W]`, amplitudes `[N, n]` (√I, origin-centred), mask `[n]`.
/// Overlap sums are gathered per output pixel (object: per 16×16 tile over the frames that meet it; probe:
/// per probe pixel over the batch's frames), so they need no atomics and do not depend on scheduling; only
/// per-frame metric sums go through per-work-group partials (`sum_partials`), never atomics.
enum OpenCLKernelSource {
    static let text = #"""
inline float2 cmul(float2 a, float2 b) { return (float2)(a.x * b.x - a.y * b.y, a.x * b.y + a.y * b.x); }
/* conj(a)·b */
inline float2 cmulconj(float2 a, float2 b) { return (float2)(a.x * b.x + a.y * b.y, a.x * b.y - a.y * b.x); }

/* Sum of `value` over the work-group, valid in work-item 0. */
inline float group_sum(float value, __local float *scratch) {
    int lid = get_local_id(0), size = get_local_size(0);
    scratch[lid] = value;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int stride = size / 2; stride > 0; stride /= 2) {
        if (lid < stride) scratch[lid] += scratch[lid + stride];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    return scratch[0];
}

/* FrameKernels.combineExitWaves: out = c·P_k·O_j + (1 − c)·ψ_jk, or P_k·O_j without stored waves. */
__kernel void combine_exit_waves(__global float2 *out, __global const float2 *psi, __global const float2 *probe,
                                 __global const float2 *object, __global const int *rows, __global const int *columns,
                                 int first, int count, int modes, int height, int width, int objectWidth,
                                 float c, int fromStored) {
    long i = get_global_id(0);
    int n = height * width;
    if (i >= (long)count * modes * n) return;
    int p = (int)(i % n), km = (int)(i / n), k = km % modes, j = first + km / modes;
    int r = p / width, x = p - r * width;
    float2 po = cmul(probe[k * n + p], object[(rows[j] + r) * objectWidth + columns[j] + x]);
    if (fromStored) po = c * po + (1.0f - c) * psi[((long)j * modes + k) * n + p];
    out[i] = po;
}

/* FrameKernels.modulusProjection, first half: partial sums of each frame's Σ m(√Î − √I)² and
   Σ m(Î − I ln Î), Î = Σ_k|X_k|²/n + B (B = 0 without a background), `perFrame` work-groups per frame
   (so one frame alone still fills the device); sum_partials adds them up per frame. */
__kernel void modulus_metrics(__global const float2 *field, __global const float *amplitudes,
                              __global const float *mask, __global const float *background,
                              __global float *partialResidual, __global float *partialLikelihood, int first,
                              int modes, int n, int perFrame, __local float *scratch) {
    int g = get_group_id(0), b = g / perFrame, part = g - b * perFrame, j = first + b, size = get_local_size(0);
    __global const float2 *f = field + (long)b * modes * n;
    __global const float *a = amplitudes + (long)j * n;
    float inverseN = 1.0f / n, res = 0.0f, lik = 0.0f;
    for (int p = part * size + get_local_id(0); p < n; p += perFrame * size) {
        float power = 0.0f;
        for (int k = 0; k < modes; k++) { float2 v = f[k * n + p]; power += v.x * v.x + v.y * v.y; }
        float intensity = power * inverseN + background[p], difference = sqrt(intensity) - a[p];
        res += mask[p] * difference * difference;
        lik += mask[p] * (intensity - a[p] * a[p] * log(intensity + 1e-30f));
    }
    float total = group_sum(res, scratch);
    barrier(CLK_LOCAL_MEM_FENCE);
    float totalLikelihood = group_sum(lik, scratch);
    if (get_local_id(0) == 0) { partialResidual[g] = total; partialLikelihood[g] = totalLikelihood; }
}

/* FrameKernels.modulusProjection, second half: scales every mode by the modulus factor √I/√Î (Î with the
   background B, as in modulus_metrics) and the 1/n of the inverse FFT; with relaxation > 0 only frames
   outside the power bound move, to the bound. */
__kernel void modulus_apply(__global float2 *field, __global const float *amplitudes, __global const float *mask,
                            __global const float *background, __global const float *residual,
                            __global const float *noise, float relaxation, int first, int count, int modes, int n) {
    long i = get_global_id(0);
    if (i >= (long)count * n) return;
    int p = (int)(i % n), b = (int)(i / n), j = first + b;
    __global float2 *f = field + (long)b * modes * n;
    float power = 0.0f;
    for (int k = 0; k < modes; k++) { float2 v = f[k * n + p]; power += v.x * v.x + v.y * v.y; }
    float inverseN = 1.0f / n, root = sqrt(power * inverseN + background[p]), a = amplitudes[(long)j * n + p];
    float m = mask[p];
    float factor;
    if (relaxation > 0.0f) {
        float bound = relaxation * noise[j], e = residual[j];
        if (e <= bound) {
            factor = inverseN;
        } else {
            float target = a + (root - a) * sqrt(bound / e);
            factor = (m * target / (root + 1e-7f) + (1.0f - m)) * inverseN;
        }
    } else {
        factor = (m * a / (root + 1e-7f) + (1.0f - m)) * inverseN;
    }
    for (int k = 0; k < modes; k++) f[k * n + p] *= factor;
}

/* FrameKernels.updateExitWaves, first half: ψ ← ψ + b·f + a·P·O − (a + b)·ψ and each frame's Σ|f − P·O|².
   Work-groups never straddle a (frame, mode). The object's overlap sums from the new ψ are gathered by
   accumulate_object_sums. */
__kernel void update_exit_waves(__global float2 *psi, __global const float2 *projected,
                                __global const float2 *probe, __global const float2 *object,
                                __global const int *rows, __global const int *columns,
                                __global float *partialDistance, int first, int modes, int height, int width,
                                int objectWidth, float a, float b, __local float *scratch) {
    int n = height * width, size = get_local_size(0), groupsPerMode = (n + size - 1) / size;
    int g = get_group_id(0), km = g / groupsPerMode, p = (g % groupsPerMode) * size + get_local_id(0);
    int k = km % modes, j = first + km / modes;
    float d = 0.0f;
    if (p < n) {
        int r = p / width, x = p - r * width, o = (rows[j] + r) * objectWidth + columns[j] + x;
        float2 po = cmul(probe[k * n + p], object[o]), f = projected[(long)km * n + p];
        float2 difference = f - po;
        d = dot(difference, difference);
        long w = ((long)j * modes + k) * n + p;
        float2 wave = psi[w];
        wave += b * f + a * po - (a + b) * wave;
        psi[w] = wave;
    }
    float total = group_sum(d, scratch);
    if (get_local_id(0) == 0) partialDistance[g] = total;
}

/* Each frame's sum of its `perFrame` consecutive partial sums (one work-group per frame): per-group
   partials instead of atomics, whose compare-and-swap loops serialise when hundreds of groups hit one
   frame's total. */
__kernel void sum_partials(__global const float *partial, __global float *total, int first, int perFrame,
                           __local float *scratch) {
    int b = get_group_id(0);
    float sum = 0.0f;
    for (int i = get_local_id(0); i < perFrame; i += get_local_size(0)) sum += partial[(long)b * perFrame + i];
    sum = group_sum(sum, scratch);
    if (get_local_id(0) == 0) total[first + b] = sum;
}

/* FrameKernels.updateExitWaves, second half: the object's overlap sums Σ_jk P_k*ψ_jk and Σ_jk |P_k|² over
   the batch's frames, gathered per object pixel: one work-group per 16×16 tile of the object, looping
   over the frames whose patch meets the tile (`tileFrames[tileOffsets[t] ..< tileOffsets[t + 1]]`, in
   ascending order, so the sums do not depend on scheduling). No atomics: each pixel has one owner.
   psi holds frame j's waves at index j − waveFirst: the stored exit waves (waveFirst 0) or the batch's
   scratch (waveFirst = first; the maximum-likelihood gradient's chain rule, g_O = Σ P*·g_ψ). */
__kernel void accumulate_object_sums(__global const float2 *psi, __global const float2 *probe,
                                     __global const int *rows, __global const int *columns,
                                     __global const int *tileOffsets, __global const int *tileFrames,
                                     __global float2 *objectNumerator, __global float *objectDenominator,
                                     int first, int count, int waveFirst, int modes, int height, int width,
                                     int objectWidth, int objectHeight, int tilesAcross) {
    int t = get_group_id(0), lid = get_local_id(0);
    int y = (t / tilesAcross) * 16 + lid / 16, X = (t % tilesAcross) * 16 + lid % 16;
    if (y >= objectHeight || X >= objectWidth) return;
    int n = height * width;
    float2 numerator = (float2)(0.0f, 0.0f);
    float denominator = 0.0f;
    for (int e = tileOffsets[t]; e < tileOffsets[t + 1]; e++) {
        int j = tileFrames[e];
        if (j < first || j >= first + count) continue;
        int r = y - rows[j], x = X - columns[j];
        if (r < 0 || r >= height || x < 0 || x >= width) continue;
        int p = r * width + x;
        for (int k = 0; k < modes; k++) {
            float2 P = probe[k * n + p];
            numerator += cmulconj(P, psi[((long)(j - waveFirst) * modes + k) * n + p]);
            denominator += dot(P, P);
        }
    }
    int o = y * objectWidth + X;
    objectNumerator[o] += numerator;
    objectDenominator[o] += denominator;
}

/* FrameKernels.accumulateProbeSums: Σ_j O_j*ψ_jk and Σ_j |O_j|² per probe pixel, gathered over the
   batch's frames by one work-item per (mode, pixel): no atomics. psi as in accumulate_object_sums. */
__kernel void accumulate_probe_sums(__global const float2 *psi, __global const float2 *object,
                                    __global const int *rows, __global const int *columns,
                                    __global float2 *probeNumerator, __global float *probeDenominator,
                                    int first, int count, int waveFirst, int modes, int height, int width,
                                    int objectWidth) {
    int n = height * width, i = get_global_id(0);
    if (i >= modes * n) return;
    int k = i / n, p = i - k * n, r = p / width, x = p - r * width;
    float2 numerator = (float2)(0.0f, 0.0f);
    float denominator = 0.0f;
    for (int j = first; j < first + count; j++) {
        float2 O = object[(rows[j] + r) * objectWidth + columns[j] + x];
        numerator += cmulconj(O, psi[((long)(j - waveFirst) * modes + k) * n + p]);
        denominator += dot(O, O);
    }
    probeNumerator[i] += numerator;
    if (k == 0) probeDenominator[p] += denominator;
}

/* The PIE family, one frame at a time (sequential sweeps). */

/* Partial maxima for the PIE update, one per work-group (64 groups, so a frame's reduction is not one
   long serial loop): slot 0 = max_r Σ_k|P_k(r)|² of the probe (probe != 0), slot 1 = max |O|² over frame
   j's patch. pie_update takes the maximum of the 64 partials. */
__kernel void power_maximum_partials(__global const float2 *probe, __global const float2 *object,
                                     __global const int *rows, __global const int *columns, int j, int modes,
                                     int height, int width, int objectWidth, int ofProbe,
                                     __global float *partials, __local float *scratch) {
    int lid = get_local_id(0), size = get_local_size(0), n = height * width;
    float m = 0.0f;
    for (int p = get_global_id(0); p < n; p += get_global_size(0)) {
        if (ofProbe) {
            float power = 0.0f;
            for (int k = 0; k < modes; k++) { float2 v = probe[k * n + p]; power += dot(v, v); }
            m = fmax(m, power);
        } else {
            int r = p / width, x = p - r * width;
            float2 o = object[(rows[j] + r) * objectWidth + columns[j] + x];
            m = fmax(m, dot(o, o));
        }
    }
    scratch[lid] = m;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int stride = size / 2; stride > 0; stride /= 2) {
        if (lid < stride) scratch[lid] = fmax(scratch[lid], scratch[lid + stride]);
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (lid == 0) partials[(ofProbe ? 0 : 64) + get_group_id(0)] = scratch[0];
}

/* FrameKernels.pieUpdate for frame j from scratch = ψ': Δ_k = ψ'_k − P_k·O,
   O ← O + α·Σ_k P_k*Δ_k / ((1 − α_O)·Σ_k|P_k|² + α_O·max Σ|P|²),
   P_k ← P_k + β·O*Δ_k / ((1 − α_P)·|O|² + α_P·max|O|²), from the values before the update; one work-item
   per pixel (all modes), so each object pixel of the patch has one writer. partials: 64 partial maxima
   of Σ|P|², then 64 of |O|² (power_maximum_partials). */
__kernel void pie_update(__global const float2 *projected, __global float2 *probe, __global float2 *object,
                         __global const int *rows, __global const int *columns, __global const float *partials,
                         int j, int modes, int height, int width, int objectWidth, float alpha, float beta,
                         float objectRegularisation, float probeRegularisation) {
    int n = height * width, p = get_global_id(0);
    if (p >= n) return;
    int r = p / width, x = p - r * width, o = (rows[j] + r) * objectWidth + columns[j] + x;
    float2 O = object[o];
    float maxProbe = 1.17549435e-38f, maxObject = 1.17549435e-38f;
    for (int g = 0; g < 64; g++) { maxProbe = fmax(maxProbe, partials[g]); maxObject = fmax(maxObject, partials[64 + g]); }
    float power = 0.0f;
    for (int k = 0; k < modes; k++) { float2 v = probe[k * n + p]; power += dot(v, v); }
    float objectStep = alpha / fmax((1.0f - objectRegularisation) * power + objectRegularisation * maxProbe,
                                    1.17549435e-38f);
    float probeStep = beta == 0.0f ? 0.0f
        : beta / fmax((1.0f - probeRegularisation) * dot(O, O) + probeRegularisation * maxObject, 1.17549435e-38f);
    float2 change = (float2)(0.0f, 0.0f);
    for (int k = 0; k < modes; k++) {
        float2 P = probe[k * n + p];
        float2 delta = projected[k * n + p] - cmul(P, O);
        change += cmulconj(P, delta);
        probe[k * n + p] = P + probeStep * cmulconj(O, delta);
    }
    object[o] = O + objectStep * change;
}

/* max of `values` into result[0]: one work-group. */
__kernel void maximum(__global const float *values, int count, __global float *result, __local float *scratch) {
    int lid = get_local_id(0), size = get_local_size(0);
    float m = 0.0f;
    for (int i = lid; i < count; i += size) m = fmax(m, values[i]);
    scratch[lid] = m;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int stride = size / 2; stride > 0; stride /= 2) {
        if (lid < stride) scratch[lid] = fmax(scratch[lid], scratch[lid + stride]);
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (lid == 0) result[0] = scratch[0];
}

/* OverlapSolve.divide: v = (c·v + numerator)/(c + denominator), c = inertia·max(denominator); the
   denominator is shared by `repeats` arrays of `count` elements. */
__kernel void overlap_solve(__global float2 *values, __global const float2 *numerator,
                            __global const float *denominator, __global const float *maximum, float inertia,
                            int count, int repeats) {
    int i = get_global_id(0);
    if (i >= count * repeats) return;
    float c = fmax(inertia * maximum[0], 1.17549435e-38f);
    values[i] = (c * values[i] + numerator[i]) * (1.0f / (c + denominator[i % count]));
}

/* ProbeModeOrthogonaliser.transform on every frame's exit waves: ψ_ja ← Σ_l V_la·ψ_jl (basis[a·K + l]). */
__kernel void mix_modes(__global float2 *waves, __global const float2 *basis, int modes, int n, int frames) {
    long i = get_global_id(0);
    if (i >= (long)frames * n) return;
    int p = (int)(i % n);
    long j = i / n;
    __global float2 *w = waves + j * modes * n + p;
    float2 in[16];
    for (int l = 0; l < modes; l++) in[l] = w[l * n];
    for (int a = 0; a < modes; a++) {
        float2 sum = (float2)(0.0f, 0.0f);
        for (int l = 0; l < modes; l++) sum += cmul(basis[a * modes + l], in[l]);
        w[a * n] = sum;
    }
}
"""#
}
