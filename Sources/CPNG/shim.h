#ifndef PTYCHITE_CPNG_SHIM_H
#define PTYCHITE_CPNG_SHIM_H
#include <png.h>
#endif
