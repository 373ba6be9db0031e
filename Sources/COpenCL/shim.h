// OpenCL 1.2 is the newest version every vendor's driver (NVIDIA's included) implements in full; the
// 1.2 entry points (clCreateCommandQueue) are deprecated in later headers, so ask for them explicitly.
#define CL_TARGET_OPENCL_VERSION 120
#define CL_USE_DEPRECATED_OPENCL_1_2_APIS
#include <CL/cl.h>
