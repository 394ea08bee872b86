#pragma once

// CpuBackend: the reference backend. GEMM runs on all hardware threads (a persistent
// pool owned by the backend), with a register-blocked micro-kernel chosen at run time
// (AVX-512 or AVX2+FMA where available, portable std::fma otherwise). Blocking is over i, j and
// contiguous ranges of p taken in order, so every C[i][j] is exactly the exact-mode chain.
//
// In fast mode (ExecutionMode::Fast) GEMM, and so Gemm, MatMul and the convolutions that
// reduce to it, goes through OpenBLAS (cpu_fast_gemm.h) when the engine was built with
// it, on the same number of threads; other ops are unchanged.

#include "engine/backend.h"
#include "engine/cpu/gemm_kernel.h"
#include "engine/cpu/thread_pool.h"

#include <vector>

namespace tributary::engine {

class CpuBackend final : public Backend {
public:
    // Uses device.computeUnits threads and the best kernel for this CPU, in `mode`.
    explicit CpuBackend(DeviceInfo device, ExecutionMode mode = ExecutionMode::Exact);
    // Exact mode with an explicit kernel (tests compare kernels against each other).
    CpuBackend(DeviceInfo device, GemmKernel kernel);

    const DeviceInfo &device() const override { return m_device; }
    const char *kernelName() const { return m_kernel.name; }
    // Whether gemm() goes through the fast library (fast mode with OpenBLAS built in).
    bool usesFastGemm() const { return m_fastGemm; }

    Status gemm(std::span<const float> a, std::span<const float> b, std::span<float> c,
                GemmShape shape) override;

    // Tensors and ops (cpu_backend_ops.cpp; kernels in cpu/ops/).
    Status allocate(const TensorDesc &desc, Tensor *out) override;
    Status upload(const HostTensor &host, Tensor *out) override;
    Status download(const Tensor &tensor, HostTensor *out) override;
    bool supports(OpKind kind) const override;
    Status run(const Op &op, std::span<const Tensor> inputs, std::span<Tensor> outputs) override;
    Status synchronize() override { return Status::ok(); }

    ThreadPool &pool() { return m_pool; }

private:
    CpuBackend(DeviceInfo device, GemmKernel kernel, ExecutionMode mode);
    void packB(const float *b, GemmShape shape);
    void computeBlock(const float *a, float *c, GemmShape shape, int rowBegin, int rowEnd, int panelBegin,
                      int panelEnd) const;

    DeviceInfo m_device;
    GemmKernel m_kernel;
    ThreadPool m_pool;
    std::vector<float> m_packedB; // reused across calls
    bool m_fastGemm = false;
};

} // namespace tributary::engine
