#pragma once

// The CPU backend's fast-mode GEMM (ExecutionMode::Fast): OpenBLAS cblas_sgemm, when the
// engine was built with OpenBLAS (engine/CMakeLists.txt finds it; Debian's
// libopenblas-dev). Without it, cpu_fast_gemm_unavailable.cpp says so and the backend
// keeps its exact GEMM in fast mode.

#include "engine/backend.h"

#include <span>
#include <string>

namespace tributary::engine {

// Whether a fast GEMM library is built in. *description (may be null) says what fast mode
// does on the CPU: "GEMM, Gemm, MatMul and the convolutions through OpenBLAS cblas_sgemm
// (OpenBLAS 0.3.21 …)", or why it changes nothing.
bool cpuFastGemmAvailable(std::string *description);

// C = A·B with the library, on up to `threads` threads. Arguments are checked by the
// caller (checkGemmArguments). Only called when cpuFastGemmAvailable().
Status cpuFastGemm(
    std::span<const float> a, std::span<const float> b, std::span<float> c, GemmShape shape, int threads);

} // namespace tributary::engine
