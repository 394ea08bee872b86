#pragma once

// The CPU backend's op kernels, one function per op family (files cpu_<family>.cpp).
// They run on host memory (cpuData), use the backend's thread pool for parallel loops,
// and define the exact-mode results every other backend must reproduce bit for bit.

#include "engine/ops/op.h"
#include "engine/status.h"
#include "engine/tensor.h"

#include <span>

namespace tributary::engine {

class CpuBackend;
class ThreadPool;

struct CpuOpContext {
    CpuBackend &backend; // for its GEMM (packed, multi-threaded)
    ThreadPool &pool;
};

Status cpuRunElementwise(CpuOpContext &context, const Op &op, std::span<const Tensor> inputs,
                         std::span<Tensor> outputs);
Status cpuRunLinear(CpuOpContext &context, const Op &op, std::span<const Tensor> inputs,
                    std::span<Tensor> outputs);
Status cpuRunReduce(CpuOpContext &context, const Op &op, std::span<const Tensor> inputs,
                    std::span<Tensor> outputs);
Status cpuRunLayout(CpuOpContext &context, const Op &op, std::span<const Tensor> inputs,
                    std::span<Tensor> outputs);
Status cpuRunOptimizer(CpuOpContext &context, const Op &op, std::span<const Tensor> inputs,
                       std::span<Tensor> outputs);

// Whether the CPU backend implements an op: each family file answers for its own ops.
bool cpuSupportsElementwise(OpKind kind);
bool cpuSupportsLinear(OpKind kind);
bool cpuSupportsReduce(OpKind kind);
bool cpuSupportsLayout(OpKind kind);
bool cpuSupportsOptimizer(OpKind kind);
bool cpuSupports(OpKind kind);

} // namespace tributary::engine
