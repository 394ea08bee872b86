#pragma once

// GemmReference: a vendor GEMM the engine is measured against (OpenBLAS on the CPU,
// cuBLAS on NVIDIA GPUs). Same call shape as engine::Backend::gemm: host operands in,
// host result out, fp32, row-major, C = A·B. References are not exact-mode: their results
// are never compared, only their speed.
//
// Factories (openblas_reference.h, cublas_reference.h) return null with a reason when the
// library is missing, so the benchmark still runs and reports the reference as null.

#include "engine/backend.h"

#include <span>
#include <string>

namespace tributary::bench {

class GemmReference {
public:
    virtual ~GemmReference() = default;

    // "openblas", "cublas": the `reference` field of the results.
    virtual std::string name() const = 0;
    // Version, kernel and settings, for the report header ("OpenBLAS 0.3.21 Haswell, 2 threads").
    virtual std::string describe() const = 0;

    virtual engine::Status gemm(
        std::span<const float> a, std::span<const float> b, std::span<float> c, engine::GemmShape shape)
        = 0;

    // Seconds of the last gemm() spent computing on the device, transfers excluded, where
    // the reference can tell (cuBLAS: CUDA events); negative otherwise.
    virtual double lastKernelSeconds() const { return -1.0; }
};

} // namespace tributary::bench
