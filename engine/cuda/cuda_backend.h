#pragma once

// CudaBackend: GEMM on one CUDA device with the tiled kernel in cuda_gemm_kernel.cu.
// Created through openCudaBackend() (cuda_device.h), which also checks exact mode.
//
// Owns a stream and three device buffers (A, B, C) that are reused across calls and
// grow as needed. Failures become a Status "cuda: <what>: <CUDA error string>"; after an
// error that poisons the CUDA context (e.g. an illegal address) the backend refuses work.

#include "engine/backend.h"

#include <cuda_runtime_api.h>

#include <cstddef>
#include <memory>
#include <string>

namespace tributary::engine {

class CudaBackend final : public Backend {
public:
    // Returns null and sets *error when the device cannot be set up.
    static std::unique_ptr<CudaBackend> create(const DeviceInfo &device, std::string *error);
    ~CudaBackend() override;

    CudaBackend(const CudaBackend &) = delete;
    CudaBackend &operator=(const CudaBackend &) = delete;

    const DeviceInfo &device() const override { return m_device; }

    Status gemm(std::span<const float> a, std::span<const float> b, std::span<float> c,
                GemmShape shape) override;

    // Tensors and ops: not on this backend yet (the GPU op infrastructure lands next);
    // every call fails with a message saying so, and supports() is false.
    Status allocate(const TensorDesc &desc, Tensor *out) override;
    Status upload(const HostTensor &host, Tensor *out) override;
    Status download(const Tensor &tensor, HostTensor *out) override;
    bool supports(OpKind kind) const override;
    Status run(const Op &op, std::span<const Tensor> inputs, std::span<Tensor> outputs) override;
    Status synchronize() override;

private:
    struct DeviceBuffer {
        float *data = nullptr;
        std::size_t bytes = 0;
    };

    explicit CudaBackend(DeviceInfo device, int ordinal);
    Status reserve(DeviceBuffer *buffer, std::size_t bytes, const char *what);
    Status failure(const char *what, cudaError_t error);

    DeviceInfo m_device;
    int m_ordinal = 0;
    cudaStream_t m_stream = nullptr;
    DeviceBuffer m_a, m_b, m_c;
    bool m_unusable = false;
    std::string m_unusableReason;
};

} // namespace tributary::engine
