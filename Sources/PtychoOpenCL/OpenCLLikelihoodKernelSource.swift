/// The OpenCL C kernels of the maximum-likelihood engine (appended to `OpenCLKernelSource.text`, whose
/// helpers they use). Each mirrors the CPU code named in its comment (`LikelihoodKernels`,
/// `ObjectSmoothness`, `CPUBackend`'s conjugate-gradient steps); the gradient's chain rule through
/// ψ = P·O reuses `accumulate_object_sums` and `accumulate_probe_sums` on the batch scratch.
///
/// Whole-array reductions (inner products, the smoothness prior) write 256 per-work-group partial sums
/// from a grid-stride loop; the host adds them in double precision, as the CPU adds its Float blocks.
enum OpenCLLikelihoodKernelSource {
    static let text = #"""
/* LikelihoodKernels.weightGradient, the scaling half (modulus_metrics computed the metrics first): keeps
   the far fields X of frame j in farFields[j] for the line search, then X_k ← 2·m·f′(Î)·X_k / n with
   Î = Σ_k|X_k|²/n + B floored at `floor`; Poisson f′ = 1 − I/Î (noise 0), Gaussian-on-amplitude
   f′ = 1 − √I/√Î (noise 1). */
__kernel void likelihood_weight(__global float2 *field, __global float2 *farFields, __global const float *amplitudes,
                                __global const float *mask, __global const float *background, int first, int count,
                                int modes, int n, int noise, float floor) {
    long i = get_global_id(0);
    if (i >= (long)count * n) return;
    int p = (int)(i % n), b = (int)(i / n), j = first + b;
    __global float2 *f = field + (long)b * modes * n;
    __global float2 *kept = farFields + (long)j * modes * n;
    float power = 0.0f;
    for (int k = 0; k < modes; k++) { float2 v = f[k * n + p]; kept[k * n + p] = v; power += dot(v, v); }
    float inverseN = 1.0f / n, intensity = fmax(power * inverseN + background[p], floor);
    float a = amplitudes[(long)j * n + p];
    float derivative = noise == 0 ? 1.0f - a * a / intensity : 1.0f - a / sqrt(intensity);
    float factor = 2.0f * inverseN * mask[p] * derivative;
    for (int k = 0; k < modes; k++) f[k * n + p] *= factor;
}

/* LikelihoodKernels.combineSearchWaves: along (ΔO, ΔP) the exit wave is P·O + γ·(P·ΔO + ΔP·O) + γ²·ΔP·ΔO;
   writes the first-order term, and with a probe direction the second-order one, for the batch. With
   `realSpace` (every frame in the batch, `gradient` = the scratch holding g_ψ) the second-order wave's only
   use, L″'s 2·Re Σ X̄·A2 term, is taken by Parseval as Re(conj(g_ψ)·ΔP·ΔO), written to its real part. */
__kernel void search_waves(__global float2 *firstOrder, __global float2 *secondOrder, __global const float2 *probe,
                           __global const float2 *object, __global const float2 *probeDirection,
                           __global const float2 *objectDirection, __global const int *rows,
                           __global const int *columns, int first, int count, int modes, int height, int width,
                           int objectWidth, int includeProbe, __global const float2 *gradient, int realSpace) {
    long i = get_global_id(0);
    int n = height * width;
    if (i >= (long)count * modes * n) return;
    int p = (int)(i % n), km = (int)(i / n), k = km % modes, j = first + km / modes;
    int r = p / width, x = p - r * width, o = (rows[j] + r) * objectWidth + columns[j] + x;
    float2 P = probe[k * n + p], h = objectDirection[o];
    float2 wave = cmul(P, h);
    if (includeProbe) {
        float2 d = probeDirection[k * n + p];
        wave += cmul(d, object[o]);
        float2 second = cmul(d, h);
        secondOrder[i] = realSpace ? (float2)(dot(gradient[i], second), 0.0f) : second;
    }
    firstOrder[i] = wave;
}

/* LikelihoodKernels.lineSearchTerms: per pixel c0 = Σ_k|X_k|², c1 = 2·Re Σ_k X_k*·A1_k,
   c2 = Σ_k|A1_k|² + 2·Re Σ_k X_k*·A2_k (all /n), Î = c0 + B; L′(0) terms m·f′(Î)·c1 and L″(0) terms
   m·(2·f′(Î)·c2 + f″(Î)·c1²), as per-work-group partials, `perFrame` groups per frame (sum_partials
   adds them per frame). includeProbe: 0 no A2, 1 A2 transformed, 2 secondOrder holds search_waves'
   real-space terms, whose Σ·2 replaces the m·2·f′·2Re(X̄·A2)/n terms. */
__kernel void line_search_partials(__global const float2 *farFields, __global const float2 *firstOrder,
                                   __global const float2 *secondOrder, __global const float *amplitudes,
                                   __global const float *mask, __global const float *background,
                                   __global float *partialFirst,
                                   __global float *partialSecond, int first, int modes, int n, int perFrame,
                                   int noise, float floor, int includeProbe, __local float *scratch) {
    int g = get_group_id(0), b = g / perFrame, part = g - b * perFrame, j = first + b, size = get_local_size(0);
    __global const float2 *x = farFields + (long)j * modes * n;
    __global const float2 *a1 = firstOrder + (long)b * modes * n;
    __global const float2 *a2 = secondOrder + (long)b * modes * n;
    __global const float *amplitude = amplitudes + (long)j * n;
    float inverseN = 1.0f / n, sumFirst = 0.0f, sumSecond = 0.0f;
    for (int p = part * size + get_local_id(0); p < n; p += perFrame * size) {
        float c0 = 0.0f, c1 = 0.0f, c2 = 0.0f;
        for (int k = 0; k < modes; k++) {
            float2 X = x[k * n + p], A = a1[k * n + p];
            c0 += dot(X, X);
            c1 += 2.0f * dot(X, A);
            c2 += dot(A, A);
            if (includeProbe == 1) c2 += 2.0f * dot(X, a2[k * n + p]);
            if (includeProbe == 2) sumSecond += 2.0f * a2[k * n + p].x;
        }
        float a = amplitude[p], m = mask[p], d1, d2;
        if (noise == 0) {
            float inverse = 1.0f / fmax(c0 * inverseN + background[p], floor), counts = a * a;
            d1 = 1.0f - counts * inverse;
            d2 = counts * inverse * inverse;
        } else {
            float intensity = fmax(c0 * inverseN + background[p], floor), root = sqrt(intensity);
            d1 = 1.0f - a / root;
            d2 = a / (2.0f * intensity * root);
        }
        float g1 = c1 * inverseN, g2 = c2 * inverseN;
        sumFirst += m * d1 * g1;
        sumSecond += m * (2.0f * d1 * g2 + d2 * g1 * g1);
    }
    float total = group_sum(sumFirst, scratch);
    barrier(CLK_LOCAL_MEM_FENCE);
    float totalSecond = group_sum(sumSecond, scratch);
    if (get_local_id(0) == 0) { partialFirst[g] = total; partialSecond[g] = totalSecond; }
}

/* CPUBackend.conjugateGradientProducts over `count` floats: partials[g] = Σ x², partials[G + g] = Σ x·y. */
__kernel void inner_product_partials(__global const float *x, __global const float *y, int count,
                                     __global float *partials, __local float *scratch) {
    float norm = 0.0f, overlap = 0.0f;
    for (int i = get_global_id(0); i < count; i += get_global_size(0)) { float v = x[i]; norm += v * v; overlap += v * y[i]; }
    float total = group_sum(norm, scratch);
    barrier(CLK_LOCAL_MEM_FENCE);
    float totalOverlap = group_sum(overlap, scratch);
    if (get_local_id(0) == 0) { partials[get_group_id(0)] = total; partials[get_num_groups(0) + get_group_id(0)] = totalOverlap; }
}

/* CPUBackend.updateSearchDirection: h ← β·h − s·g, previous ← g (over `count` floats). */
__kernel void update_search_direction(__global float *direction, __global const float *gradient,
                                      __global float *previous, float beta, float scale, int count) {
    int i = get_global_id(0);
    if (i >= count) return;
    float g = gradient[i];
    direction[i] = beta * direction[i] - scale * g;
    previous[i] = g;
}

/* CPUBackend.stepAlongSearchDirection: v ← v + γ·h (over `count` floats). */
__kernel void step_along(__global float *values, __global const float *direction, float step, int count) {
    int i = get_global_id(0);
    if (i < count) values[i] += step * direction[i];
}

/* MomentumBuffers.step (mPIE): v ← η·v + (X − S); X ← X + ν·v; S ← X, over interleaved floats. */
__kernel void momentum_step(__global float *values, __global float *velocity, __global float *snapshot,
                            float friction, float feedback, int count) {
    int i = get_global_id(0);
    if (i >= count) return;
    float v = friction * velocity[i] + (values[i] - snapshot[i]);
    float x = values[i] + feedback * v;
    velocity[i] = v;
    values[i] = x;
    snapshot[i] = x;
}

/* ObjectSmoothness.addGradient: g_a += 2μ·Σ_b (O_a − O_b) over the nearest neighbours b of pixel a (free
   boundaries), one work-item per pixel (each gradient pixel has one writer); R's pairs (right, below)
   summed into 256 partials: partials[group] = Σ |O_b − O_a|². */
__kernel void smoothness_gradient(__global const float2 *object, __global float2 *gradient, int height, int width,
                                  float twiceMu, __global float *partials, __local float *scratch) {
    float value = 0.0f;
    for (int i = get_global_id(0); i < height * width; i += get_global_size(0)) {
        int y = i / width, x = i - y * width;
        float2 O = object[i], pull = (float2)(0.0f, 0.0f);
        if (x > 0) pull += O - object[i - 1];
        if (y > 0) pull += O - object[i - width];
        if (x + 1 < width) { float2 d = object[i + 1] - O; pull -= d; value += dot(d, d); }
        if (y + 1 < height) { float2 d = object[i + width] - O; pull -= d; value += dot(d, d); }
        gradient[i] += twiceMu * pull;
    }
    float total = group_sum(value, scratch);
    if (get_local_id(0) == 0) partials[get_group_id(0)] = total;
}

/* ObjectSmoothness.alongDirection: partials[g] = Σ Re conj(∇O)·∇h, partials[G + g] = Σ |∇h|² over the
   right and below pairs. */
__kernel void smoothness_along(__global const float2 *object, __global const float2 *direction, int height,
                               int width, __global float *partials, __local float *scratch) {
    float first = 0.0f, second = 0.0f;
    for (int i = get_global_id(0); i < height * width; i += get_global_size(0)) {
        int y = i / width, x = i - y * width;
        if (x + 1 < width) {
            float2 d = object[i + 1] - object[i], h = direction[i + 1] - direction[i];
            first += dot(d, h); second += dot(h, h);
        }
        if (y + 1 < height) {
            float2 d = object[i + width] - object[i], h = direction[i + width] - direction[i];
            first += dot(d, h); second += dot(h, h);
        }
    }
    float total = group_sum(first, scratch);
    barrier(CLK_LOCAL_MEM_FENCE);
    float totalSecond = group_sum(second, scratch);
    if (get_local_id(0) == 0) { partials[get_group_id(0)] = total; partials[get_num_groups(0) + get_group_id(0)] = totalSecond; }
}
"""#
}
