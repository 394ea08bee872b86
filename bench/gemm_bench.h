#pragma once

// The GEMM benchmark: square C = A·B at each size on each target, in exact mode, against
// the target's reference (OpenBLAS or cuBLAS).
//
// Per point: one warm-up and `repeat` timed runs of Backend::gemm (median), the same for
// the reference, GFLOP/s = 2·m·n·k / seconds, % of the target's peak, and a correctness
// check of the engine's result: bitwise against the CPU backend up to 1024, against
// sampled naive fma chains above (a full CPU reference at 4096 would cost more than the
// measurement). A mismatch is a warning and counts as a failure. Vulkan on an NVIDIA GPU
// that is also a CUDA device gets one more row per size against the engine's CUDA backend
// ("cuda-exact", cross_backend.h), besides its cuBLAS reference.

#include "bench/op_benchmark.h"

namespace tributary::bench {

int runGemmBenchmark(OpBenchContext &context);

} // namespace tributary::bench
