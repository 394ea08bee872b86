#pragma once

// OpenBLAS cblas_sgemm as the CPU reference, with a fixed thread count. Built when CMake
// finds OpenBLAS (the pthread build preferred); otherwise openblas_unavailable.cpp
// provides the factory and it always returns null.
//
// OpenBLAS keeps one global thread count, so use one OpenBlasReference at a time: each
// gemm() sets the count again before it runs.

#include "bench/gemm_reference.h"

#include <memory>
#include <string>

namespace tributary::bench {

// Null, with *whyNot set, when the bench was built without OpenBLAS.
std::unique_ptr<GemmReference> makeOpenBlasReference(int threads, std::string *whyNot);

} // namespace tributary::bench
