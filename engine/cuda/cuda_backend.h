#pragma once

// CudaBackend: tensors and ops on one CUDA device. Created through openCudaBackend()
// (cuda_device.h), which also checks exact mode (GEMM, and subnormals in plain float
// add/mul).
//
// Tensors live in CudaTensorBuffer (cuda_tensor_buffer.h); op kernels (cuda/ops/*.cu)
// launch on stream(), so work runs in order and overlaps with the host until download()
// or synchronize(), where execution errors surface. gemm() keeps three device buffers
// (A, B, C) that are reused across calls and grow as needed. Failures become a Status
// "cuda: <what>: <CUDA error string>"; after an error that poisons the CUDA context (e.g.
// an illegal address) the backend refuses work.

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

    Status allocate(const TensorDesc &desc, Tensor *out) override;
    Status upload(const HostTensor &host, Tensor *out) override;
    Status download(const Tensor &tensor, HostTensor *out) override;
    bool supports(OpKind kind) const override;
    Status run(const Op &op, std::span<const Tensor> inputs, std::span<Tensor> outputs) override;
    Status synchronize() override;

    // The stream every kernel of this backend is launched on.
    cudaStream_t stream() const { return m_stream; }
    int ordinal() const { return m_ordinal; }

private:
    struct GemmBuffer {
        float *data = nullptr;
        std::size_t bytes = 0;
    };

    explicit CudaBackend(DeviceInfo device, int ordinal);
    Status reserve(GemmBuffer *buffer, std::size_t bytes, const char *what);
    Status failure(const char *what, cudaError_t error);
    // Waits for the stream; an execution error makes the backend unusable.
    Status wait(const char *what);

    DeviceInfo m_device;
    int m_ordinal = 0;
    cudaStream_t m_stream = nullptr;
    GemmBuffer m_a, m_b, m_c;
    // Identifies this backend's tensors (CudaTensorBuffer::owner()); shared with them, so
    // its address is not reused by another backend while one of them lives.
    std::shared_ptr<const int> m_identity = std::make_shared<const int>(0);
    bool m_unusable = false;
    std::string m_unusableReason;
};

} // namespace tributary::engine
