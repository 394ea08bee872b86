#pragma once

// cuBLAS SGEMM as the reference on NVIDIA GPUs, and the GPU's fp32 peak.
//
// cuBLAS is loaded with dlopen (libcublas.so.<CUDA major>) when a reference is made,
// never linked, by the engine's loader (engine/cuda/cublas_library.h), the one the CUDA
// backend uses in fast mode. The rest of CUDA is the static runtime the engine already links. Built when the engine has
// its CUDA backend (target tributary_engine_cuda); otherwise cublas_unavailable.cpp
// provides the functions and they report "built without CUDA".
//
// The reference does what engine::Backend::gemm does: host A and B in, host C out, on
// pageable memory, so its time includes the same transfers. lastKernelSeconds() gives the
// SGEMM alone (CUDA events). Math mode CUBLAS_DEFAULT_MATH: fp32 throughout, no TF32
// (TF32 needs CUBLAS_TF32_TENSOR_OP_MATH), no BF16x9 emulation.

#include "bench/gemm_reference.h"

#include <memory>
#include <optional>
#include <string>

namespace tributary::bench {

// A cuBLAS reference on CUDA device `ordinal`. Null, with *whyNot set, when the bench was
// built without CUDA, libcublas cannot be loaded, or the device cannot be used.
std::unique_ptr<GemmReference> makeCublasReference(int ordinal, std::string *whyNot);

// fp32 FMA peak in GFLOP/s of a CUDA device: SMs × fp32 lanes per SM × 2 × peak clock.
// Nothing when the architecture's lanes per SM are not known to this table.
std::optional<double> cudaPeakGflops(int ordinal);

} // namespace tributary::bench
