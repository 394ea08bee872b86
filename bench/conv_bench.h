#pragma once

// The conv2d benchmark: the engine's Conv2d op (engine/ops/linear.h, fp32 NCHW, exact
// mode, no bias) on each target, with X, W and Y kept on the device: each timed run is
// Backend::run followed by Backend::synchronize, so no copies are timed.
//
// Shapes (N = --batch, default 32; 2 on software devices unless --batch is given):
//   N×3×32×32    → 64,  3×3, pad 1             the first layer of a CIFAR-sized CNN
//   N×64×16×16   → 128, 3×3, pad 1             a middle layer
//   N×128×8×8    → 256, 1×1                    a pointwise (1×1) convolution
//   N×128×16×16  → 128, 3×3, pad 1, 128 groups a depthwise convolution
//
// GFLOP/s = 2·N·M·oH·oW·(C/groups)·kH·kW / seconds. Reference, measured in the same run:
//   - CPU targets and software Vulkan: "openblas-im2col", the same convolution as im2col
//     on the host followed by one OpenBLAS sgemm per image and group, with the target's
//     OpenBLAS thread count (im2col timed too, as the engine's is);
//   - other targets, or without OpenBLAS: "cpu-exact", the engine's CPU backend on every
//     hardware thread (none for that CPU target itself);
//   - Vulkan on an NVIDIA GPU that is also a CUDA device: an extra row, "cuda-exact"
//     (cross_backend.h).
// Check: each target's Y is compared bit for bit, once and outside the timing, with the
// CPU backend running the portable std::fma micro-kernel. A mismatch is a warning and a
// failure.

#include "bench/op_benchmark.h"

namespace tributary::bench {

int runConv2dBenchmark(OpBenchContext &context);

} // namespace tributary::bench
