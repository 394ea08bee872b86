#pragma once

// The CUDA backend's op kernels, one function per op family (cuda_<family>.cu), launched
// on the backend's stream. Built with --fmad=false; fma only where an op's definition
// says so, as __fmaf_rn. Every result must equal the CPU reference bit for bit.

#include "engine/ops/op.h"
#include "engine/status.h"
#include "engine/tensor.h"

#include <span>

namespace tributary::engine {

class CudaBackend;

struct CudaOpContext {
    CudaBackend &backend;
};

Status cudaRunElementwise(CudaOpContext &context, const Op &op, std::span<const Tensor> inputs,
                          std::span<Tensor> outputs);
Status cudaRunLinear(CudaOpContext &context, const Op &op, std::span<const Tensor> inputs,
                     std::span<Tensor> outputs);
Status cudaRunReduce(CudaOpContext &context, const Op &op, std::span<const Tensor> inputs,
                     std::span<Tensor> outputs);
Status cudaRunLayout(CudaOpContext &context, const Op &op, std::span<const Tensor> inputs,
                     std::span<Tensor> outputs);
Status cudaRunOptimizer(CudaOpContext &context, const Op &op, std::span<const Tensor> inputs,
                        std::span<Tensor> outputs);

bool cudaSupportsElementwise(OpKind kind);
bool cudaSupportsLinear(OpKind kind);
bool cudaSupportsReduce(OpKind kind);
bool cudaSupportsLayout(OpKind kind);
bool cudaSupportsOptimizer(OpKind kind);

} // namespace tributary::engine
