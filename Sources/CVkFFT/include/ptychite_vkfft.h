#ifndef PTYCHITE_VKFFT_H
#define PTYCHITE_VKFFT_H
// Batched 2-D complex-to-complex single-precision FFTs on an OpenCL queue through VkFFT's OpenCL
// backend. The OpenCL handles travel as plain pointers so that Swift never parses VkFFT's header.
// Conventions are FFTW's: forward exp(-2πi k·r/n), both directions unnormalised, in place.
#include <stdint.h>

typedef struct ptychite_vkfft_plan ptychite_vkfft_plan;

/// Makes a plan for `batch` transforms of `height` × `width` (row-major, `width` contiguous) on `queue`,
/// for buffers of exactly batch·height·width interleaved complex floats. Returns NULL and sets `*error`
/// to VkFFT's result code when VkFFT refuses.
ptychite_vkfft_plan *ptychite_vkfft_make_plan(void *device, void *context, void *queue,
                                              uint64_t width, uint64_t height, uint64_t batch, int *error);
/// Enqueues the forward (inverse = 0) or inverse transform of `buffer` (a cl_mem) on the plan's queue.
/// Returns 0 or VkFFT's result code.
int ptychite_vkfft_execute(ptychite_vkfft_plan *plan, void *buffer, int inverse);
void ptychite_vkfft_destroy(ptychite_vkfft_plan *plan);

#endif
