#ifndef PTYCHITE_CFFTW_SHIM_H
#define PTYCHITE_CFFTW_SHIM_H
// <complex.h> must not be included first: fftwf_complex then stays float[2].
#include <fftw3.h>
#endif
