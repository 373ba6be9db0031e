#ifndef PTYCHITE_CLAPACKE_SHIM_H
#define PTYCHITE_CLAPACKE_SHIM_H
// Swift does not import C99 `float _Complex`: LAPACK's complex types are declared here as plain structs
// of the same memory layout (interleaved re, im) before <lapacke.h>, which then uses them as they are.
typedef struct { float re; float im; } ptychite_complex_float;
typedef struct { double re; double im; } ptychite_complex_double;
#define LAPACK_COMPLEX_CUSTOM
#define lapack_complex_float ptychite_complex_float
#define lapack_complex_double ptychite_complex_double
// Debian's OpenBLAS carries LAPACK but not LAPACKE: liblapacke (liblapacke-dev) provides these
// wrappers on top of the LAPACK that the liblapack.so.3 alternative points at (OpenBLAS here).
#include <lapacke.h>
#endif
