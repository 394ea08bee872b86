#pragma once

// The CUDA backend's op kernels, one function per op family (cuda_<family>.cu), launched
// on the backend's stream. Built with --fmad=false; fma only where an op's definition
// says so, as __fmaf_rn. Every result must equal the CPU reference bit for bit.
//
// CudaBackend::run has checked that every input with storage and every output is a
// tensor of this backend and made its device current, so a kernel may do:
//
//   #include "engine/cuda/cuda_backend.h"
//   #include "engine/cuda/cuda_tensor_buffer.h"
//   const float *x = cudaData<const float>(inputs[0]);
//   float *y = cudaData<float>(outputs[0]);
//   myKernel<<<blocks, 256, 0, context.backend.stream()>>>(x, y, n);
//   return cudaLaunchStatus("myKernel");   // or check cudaGetLastError() yourself
//
// Launches return at once; execution errors surface at the next download/synchronize.
// Skip the launch for zero elements (a zero-block grid is an error in CUDA).

#include "engine/ops/op.h"
#include "engine/status.h"
#include "engine/tensor.h"

#include <span>
#include <string_view>

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

// Ok, or the error of the last kernel launch on this thread as "cuda: launching
// <kernel>: <CUDA error string>" (clearing it). Call right after a <<<...>>> launch.
Status cudaLaunchStatus(std::string_view kernel);

bool cudaSupportsElementwise(OpKind kind);
bool cudaSupportsLinear(OpKind kind);
bool cudaSupportsReduce(OpKind kind);
bool cudaSupportsLayout(OpKind kind);
bool cudaSupportsOptimizer(OpKind kind);

} // namespace tributary::engine
