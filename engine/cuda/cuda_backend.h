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
//
// In fast mode (ExecutionMode::Fast) gemm(), Gemm and MatMul go through cuBLAS SGEMM
// (cublas_library.h; CUBLAS_DEFAULT_MATH: fp32, no TF32) on the same stream
// (cuda_backend_cublas.cpp), and the exact-mode checks at open are skipped. When libcublas
// cannot be loaded the exact kernels run instead and device().fastMode says why.

#include "engine/backend.h"
#include "engine/cuda/cublas_library.h"

#include <cuda_runtime_api.h>

#include <cstddef>
#include <memory>
#include <string>

namespace tributary::engine {

class CudaBackend final : public Backend {
public:
    // Returns null and sets *error when the device cannot be set up. Fast mode without
    // libcublas is not an error (see above).
    static std::unique_ptr<CudaBackend> create(const DeviceInfo &device, std::string *error,
                                               ExecutionMode mode = ExecutionMode::Exact);
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
    // Whether gemm(), Gemm and MatMul go through cuBLAS (fast mode with libcublas loaded).
    bool usesCublas() const { return m_cublasHandle != nullptr; }

private:
    struct GemmBuffer {
        float *data = nullptr;
        std::size_t bytes = 0;
    };

    CudaBackend(DeviceInfo device, int ordinal, ExecutionMode mode);
    // Fast mode: loads cuBLAS and creates a handle on stream(); on failure leaves the
    // exact kernels in place and says why in m_device.fastMode.
    void setUpCublas();
    // Fast mode with cuBLAS: runs Gemm and MatMul (cuda_backend_cublas.cpp). Sets *handled
    // to false, doing nothing, for an op it leaves to the exact kernels.
    Status runWithCublas(const Op &op, std::span<const Tensor> inputs, std::span<Tensor> outputs, bool *handled);
    Status runGemmWithCublas(const Op &op, std::span<const Tensor> inputs, std::span<Tensor> outputs);
    Status runMatMulWithCublas(const Op &op, std::span<const Tensor> inputs, std::span<Tensor> outputs);
    // Row-major Y[m×n] = alpha·op(A)·op(B) + beta·Y on stream() (k ≥ 1; leading dimensions
    // as stored). cuBLAS is column-major: it computes Yᵀ = op(B)ᵀ·op(A)ᵀ.
    Status cublasGemm(bool transA, bool transB, int m, int n, int k, float alpha, const float *a, const float *b,
                      float beta, float *y);
    // A device buffer of at least `count` ones (rank-1 broadcasts of Gemm's C).
    Status ones(std::size_t count, const float **out);
    Status reserve(GemmBuffer *buffer, std::size_t bytes, const char *what);
    Status failure(const char *what, cudaError_t error);
    // Waits for the stream; an execution error makes the backend unusable.
    Status wait(const char *what);

    DeviceInfo m_device;
    int m_ordinal = 0;
    cudaStream_t m_stream = nullptr;
    GemmBuffer m_a, m_b, m_c;
    CublasLibrary m_cublas;
    cublasHandle_t m_cublasHandle = nullptr;
    GemmBuffer m_ones, m_scratch; // cuBLAS paths only
    std::size_t m_onesCount = 0;
    // Identifies this backend's tensors (CudaTensorBuffer::owner()); shared with them, so
    // its address is not reused by another backend while one of them lives.
    std::shared_ptr<const int> m_identity = std::make_shared<const int>(0);
    bool m_unusable = false;
    std::string m_unusableReason;
};

} // namespace tributary::engine
