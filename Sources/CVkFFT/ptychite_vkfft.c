// The one translation unit that includes VkFFT (a 32k-line header): compiled once, behind plain C.
#include <stdlib.h>
#include <CL/cl.h>
#include <vkFFT.h>
#include "ptychite_vkfft.h"

// VkFFT keeps the *addresses* of the handles it is given, so they live in this heap block, which never
// moves while the plan exists.
struct ptychite_vkfft_plan {
    VkFFTApplication application;
    cl_device_id device;
    cl_context context;
    cl_command_queue queue;
    cl_mem buffer;
    uint64_t bufferSize;
};

ptychite_vkfft_plan *ptychite_vkfft_make_plan(void *device, void *context, void *queue,
                                              uint64_t width, uint64_t height, uint64_t batch, int *error) {
    ptychite_vkfft_plan *plan = calloc(1, sizeof *plan);
    if (!plan) { *error = VKFFT_ERROR_MALLOC_FAILED; return NULL; }
    plan->device = (cl_device_id)device;
    plan->context = (cl_context)context;
    plan->queue = (cl_command_queue)queue;
    plan->bufferSize = width * height * batch * 2 * sizeof(float);
    VkFFTConfiguration configuration = {0};
    configuration.FFTdim = 2;
    configuration.size[0] = width;
    configuration.size[1] = height;
    configuration.numberBatches = batch;
    configuration.device = &plan->device;
    configuration.context = &plan->context;
    configuration.commandQueue = &plan->queue;
    configuration.bufferSize = &plan->bufferSize;
    configuration.normalize = 0;
    VkFFTResult result = initializeVkFFT(&plan->application, configuration);
    if (result != VKFFT_SUCCESS) {
        *error = (int)result;
        free(plan);
        return NULL;
    }
    *error = 0;
    return plan;
}

int ptychite_vkfft_execute(ptychite_vkfft_plan *plan, void *buffer, int inverse) {
    plan->buffer = (cl_mem)buffer;
    VkFFTLaunchParams launch = {0};
    launch.commandQueue = &plan->queue;
    launch.buffer = &plan->buffer;
    // VkFFT: -1 is the forward transform, 1 the inverse.
    return (int)VkFFTAppend(&plan->application, inverse ? 1 : -1, &launch);
}

void ptychite_vkfft_destroy(ptychite_vkfft_plan *plan) {
    if (!plan) return;
    deleteVkFFT(&plan->application);
    free(plan);
}
