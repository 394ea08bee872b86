// CudaBackend's fast-mode paths: Gemm and MatMul through cuBLAS SGEMM on the backend's
// stream, on the tensors in place. Only reached when fast mode loaded cuBLAS.

#include "engine/cuda/cuda_backend.h"
#include "engine/cuda/cuda_tensor_buffer.h"
#include "engine/ops/linear.h"

#include <algorithm>
#include <climits>
#include <vector>

namespace tributary::engine {

namespace {

using Index = std::int64_t;

bool fitsInt(Index value)
{
    return value >= 0 && value <= INT_MAX;
}

} // namespace

Status CudaBackend::runWithCublas(
    const Op &op, std::span<const Tensor> inputs, std::span<Tensor> outputs, bool *handled)
{
    *handled = false;
    if (!m_cublasHandle || (op.kind != OpKind::Gemm && op.kind != OpKind::MatMul))
        return Status::ok();
    // cuBLAS takes int dimensions; larger ops keep the exact kernels and their own checks.
    for (const Tensor &tensor : inputs) {
        for (const Index dim : tensor.shape) {
            if (!fitsInt(dim))
                return Status::ok();
        }
    }
    *handled = true;
    return op.kind == OpKind::Gemm ? runGemmWithCublas(op, inputs, outputs)
                                   : runMatMulWithCublas(op, inputs, outputs);
}

Status CudaBackend::cublasGemm(bool transA, bool transB, int m, int n, int k, float alpha, const float *a,
    const float *b, float beta, float *y)
{
    // Row-major Y = op(A)·op(B) is column-major Yᵀ = op(B)ᵀ·op(A)ᵀ: B first. A row-major
    // matrix read column-major is its transpose, so the flags carry over unchanged.
    const cublasOperation_t opB = transB ? CUBLAS_OP_T : CUBLAS_OP_N;
    const cublasOperation_t opA = transA ? CUBLAS_OP_T : CUBLAS_OP_N;
    const int ldb = transB ? k : n;
    const int lda = transA ? m : k;
    if (const cublasStatus_t s
        = m_cublas.sgemm(m_cublasHandle, opB, opA, n, m, k, &alpha, b, ldb, a, lda, &beta, y, n);
        s != CUBLAS_STATUS_SUCCESS)
        return Status::error("cuda: cublasSgemm failed with status " + std::to_string(int(s))
            + " (m=" + std::to_string(m) + " n=" + std::to_string(n) + " k=" + std::to_string(k) + ")");
    return Status::ok();
}

Status CudaBackend::ones(std::size_t count, const float **out)
{
    if (count > m_onesCount) {
        if (Status s = reserve(&m_ones, count * sizeof(float), "a vector of ones"); !s)
            return s;
        const std::vector<float> host(count, 1.0f);
        // On the stream, so the products queued after it see it; from pageable memory the
        // copy has left `host` when the call returns (as in upload()).
        if (const cudaError_t e = cudaMemcpyAsync(
                m_ones.data, host.data(), count * sizeof(float), cudaMemcpyHostToDevice, m_stream);
            e != cudaSuccess)
            return failure("filling a vector of ones", e);
        m_onesCount = count;
    }
    *out = m_ones.data;
    return Status::ok();
}

Status CudaBackend::runGemmWithCublas(const Op &op, std::span<const Tensor> inputs, std::span<Tensor> outputs)
{
    const auto &attrs = op.attr<GemmAttributes>();
    Tensor &ty = outputs[0];
    const Index m = ty.shape[0];
    const Index n = ty.shape[1];
    const Index k = attrs.transA ? inputs[0].shape[0] : inputs[0].shape[1];
    if (m == 0 || n == 0)
        return Status::ok();
    if (!fitsInt(m * n))
        return Status::error(
            "cuda: Gemm output of " + std::to_string(m) + "x" + std::to_string(n) + " is too large");
    float *y = cudaData<float>(ty);
    const std::size_t yBytes = std::size_t(m * n) * sizeof(float);

    // First Y = C broadcast to [M, N] (scaled by beta unless C is full) or 0, then
    // Y = alpha·op(A)·op(B) + beta'·Y with one cuBLAS call.
    const bool hasC = inputs.size() > 2 && inputs[2].valid();
    const Shape cs = hasC ? inputs[2].shape : Shape {};
    const Index cCols = cs.empty() ? 1 : cs.back();
    const Index cRows = cs.size() == 2 ? cs[0] : 1;
    const bool fullC = hasC && cRows != 1 && cCols != 1;
    const float *one = nullptr; // ones for rank-1 products, fetched when one is needed
    if ((hasC && !fullC) || (fullC && k == 0)) {
        if (Status s = ones(std::size_t(std::max(m, n)), &one); !s)
            return s;
    }
    if (!hasC) {
        // beta = 0 below: cuBLAS writes Y without reading it, unless there are no products.
        if (k == 0) {
            if (const cudaError_t e = cudaMemsetAsync(y, 0, yBytes, m_stream); e != cudaSuccess)
                return failure("clearing the Gemm output", e);
        }
    } else if (fullC) {
        if (const cudaError_t e = cudaMemcpyAsync(
                y, cudaData<const float>(inputs[2]), yBytes, cudaMemcpyDeviceToDevice, m_stream);
            e != cudaSuccess)
            return failure("copying Gemm's C", e);
    } else {
        // A rank-1 product Y = beta·u·vᵀ with u (length M) and v (length N), one of them
        // C and the other ones: each element is beta·c rounded once.
        const float *c = cudaData<const float>(inputs[2]);
        const float *u = cRows != 1 ? c : one;
        const float *v = (cRows == 1 && cCols != 1) ? c : one;
        if (cRows == 1 && cCols == 1) {
            // A scalar: v = c·ones first (a 1×1 by 1×N product).
            if (Status s = reserve(&m_scratch, std::size_t(n) * sizeof(float), "a broadcast row"); !s)
                return s;
            if (Status s = cublasGemm(false, false, 1, int(n), 1, 1.0f, c, one, 0.0f, m_scratch.data); !s)
                return s;
            v = m_scratch.data;
        }
        if (Status s = cublasGemm(false, false, int(m), int(n), 1, attrs.beta, u, v, 0.0f, y); !s)
            return s;
    }
    const float beta = !hasC ? 0.0f : (fullC ? attrs.beta : 1.0f);
    if (k == 0) {
        // No products: only a full C still needs its beta (alpha = 0 leaves A and B unread).
        if (fullC && beta != 1.0f)
            return cublasGemm(false, false, int(m), int(n), 1, 0.0f, one, one, beta, y);
        return Status::ok();
    }
    return cublasGemm(attrs.transA, attrs.transB, int(m), int(n), int(k), attrs.alpha,
        cudaData<const float>(inputs[0]), cudaData<const float>(inputs[1]), beta, y);
}

Status CudaBackend::runMatMulWithCublas(const Op &, std::span<const Tensor> inputs, std::span<Tensor> outputs)
{
    MatMulPlan plan;
    if (Status s = planMatMul(inputs[0].shape, inputs[1].shape, &plan); !s)
        return s;
    const Index m = plan.m, n = plan.n, k = plan.k;
    float *y = cudaData<float>(outputs[0]);
    if (m == 0 || n == 0 || plan.batches() == 0)
        return Status::ok();
    if (!fitsInt(m * n) || !fitsInt(n * k) || !fitsInt(m * k))
        return Status::error("cuda: MatMul of " + std::to_string(m) + "x" + std::to_string(k) + " by "
            + std::to_string(k) + "x" + std::to_string(n) + " is too large");
    if (k == 0) {
        const std::size_t bytes = std::size_t(plan.batches() * m * n) * sizeof(float);
        if (const cudaError_t e = cudaMemsetAsync(y, 0, bytes, m_stream); e != cudaSuccess)
            return failure("clearing the MatMul output", e);
        return Status::ok();
    }
    const float *a = cudaData<const float>(inputs[0]);
    const float *b = cudaData<const float>(inputs[1]);
    // One call per batch: broadcasting makes the batch offsets irregular in general.
    for (Index index = 0; index < plan.batches(); ++index) {
        const auto batch = std::size_t(index);
        if (Status s = cublasGemm(false, false, int(m), int(n), int(k), 1.0f, a + plan.offsetA[batch],
                b + plan.offsetB[batch], 0.0f, y + index * m * n);
            !s)
            return s;
    }
    return Status::ok();
}

} // namespace tributary::engine
