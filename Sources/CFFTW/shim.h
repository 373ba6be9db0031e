#ifndef PTYCHITE_CFFTW_SHIM_H
#define PTYCHITE_CFFTW_SHIM_H
// <complex.h> must not be included first: fftwf_complex then stays float[2].
#include <fftw3.h>

#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#endif

/// Makes the calling thread flush denormal floats to zero (FTZ + DAZ on x86, FZ on ARM). Probe tails and
/// their products reach 1e-40 and below, where denormal arithmetic is up to 100x slower; values that small
/// carry no information in a reconstruction. The setting is per thread, so every worker calls this.
static inline void ptychite_flush_denormals_to_zero(void) {
#if defined(__x86_64__) || defined(__i386__)
    _mm_setcsr(_mm_getcsr() | 0x8040);
#elif defined(__aarch64__)
    unsigned long fpcr;
    __asm__ __volatile__("mrs %0, fpcr" : "=r"(fpcr));
    __asm__ __volatile__("msr fpcr, %0" : : "r"(fpcr | (1UL << 24)));
#endif
}

/// √x without errno handling. Swift's `squareRoot()` reaches libm's `sqrtf`, whose errno path for
/// negative inputs keeps loops scalar; this lowers to the bare instruction, which vectorises.
static inline float ptychite_sqrt(float x) { return __builtin_elementwise_sqrt(x); }

/// Eight floats as one vector; Swift imports it as `SIMD8<Float>`.
typedef float ptychite_float8 __attribute__((ext_vector_type(8)));

/// √x of eight lanes as one vector instruction. Swift's `SIMD8<Float>.squareRoot()` calls `sqrtf` lane by lane.
static inline ptychite_float8 ptychite_sqrt8(ptychite_float8 x) { return __builtin_elementwise_sqrt(x); }

/// Eight 32-bit integers as one vector; Swift imports it as `SIMD8<Int32>`.
typedef int ptychite_int8 __attribute__((ext_vector_type(8)));

/// The integers converted to floats, as one instruction. Swift's `SIMD8<Float>(_: SIMD8<Int32>)` is a
/// generic initialiser that the optimiser leaves as a call per vector.
static inline ptychite_float8 ptychite_float8_from_int8(ptychite_int8 x) { return __builtin_convertvector(x, ptychite_float8); }

/// Atomic integer operations for `RowBandTeam`'s hand-offs between threads (acquire/release ordering).
static inline long ptychite_atomic_load(const long *p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }
static inline void ptychite_atomic_store(long *p, long v) { __atomic_store_n(p, v, __ATOMIC_RELEASE); }
static inline long ptychite_atomic_add(long *p, long v) { return __atomic_add_fetch(p, v, __ATOMIC_ACQ_REL); }
static inline long ptychite_atomic_exchange(long *p, long v) { return __atomic_exchange_n(p, v, __ATOMIC_SEQ_CST); }
static inline int ptychite_atomic_compare_exchange(long *p, long expected, long desired) {
    return __atomic_compare_exchange_n(p, &expected, desired, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

/// A spin-wait hint: lets the core's other work proceed and saves power while a thread polls.
static inline void ptychite_spin_pause(void) {
#if defined(__x86_64__) || defined(__i386__)
    _mm_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

/// Asks for the cache lines of [p + offset, p + offset + bytes) ahead of a read (`prefetcht0`). The address
/// is computed as an integer and a prefetch never faults, so it may lie past the end of p's allocation.
static inline void ptychite_prefetch(const void *p, long offset, long bytes) {
    for (long o = 0; o < bytes; o += 64) __builtin_prefetch((const void *)((unsigned long)p + offset + o), 0, 3);
}

/// Copies `count` floats with non-temporal stores where `dst` is 32-byte aligned (`memcpy` for the rest,
/// or for all of it otherwise): the destination's lines are written without being read first (no
/// read-for-ownership) and without displacing the cache. For copies into arrays far larger than the caches
/// that are read back only much later. The stores are weakly ordered: call `ptychite_store_fence` before
/// another thread reads them.
static inline void ptychite_copy_nontemporal(float *dst, const float *src, long count) {
    long i = 0;
    if (((unsigned long)dst & 31) == 0) {
        for (; i + 8 <= count; i += 8) {
            ptychite_float8 v;
            __builtin_memcpy(&v, src + i, sizeof v);
            __builtin_nontemporal_store(v, (ptychite_float8 *)(dst + i));
        }
    }
    if (i < count) __builtin_memcpy(dst + i, src + i, (unsigned long)(count - i) * sizeof(float));
}

/// Orders the non-temporal stores before it with the stores after it (`sfence` on x86).
static inline void ptychite_store_fence(void) {
#if defined(__x86_64__) || defined(__i386__)
    _mm_sfence();
#else
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
#endif
}

#endif
