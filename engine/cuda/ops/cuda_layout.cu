// Layout ops on CUDA: each strided copy of planLayoutCopies() is one kernel launch that
// moves whole elements as 32- or 64-bit integers (bit-exact for every dtype).

#include "engine/cuda/cuda_backend.h"
#include "engine/cuda/cuda_tensor_buffer.h"
#include "engine/cuda/ops/cuda_ops.h"
#include "engine/ops/layout.h"

#include <cuda_runtime.h>

#include <cstdint>

namespace tributary::engine {

namespace {

constexpr int kMaxRank = 16;
constexpr int kThreads = 256;

struct CopyParams {
    std::int64_t count;
    std::int64_t srcOffset;
    std::int64_t dstOffset;
    int rank;
    std::int64_t dims[kMaxRank];
    std::int64_t srcStrides[kMaxRank];
    std::int64_t dstStrides[kMaxRank];
};

template<typename Word> __global__ void layoutCopyKernel(const Word *src, Word *dst, CopyParams p)
{
    for (std::int64_t i = std::int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < p.count;
         i += std::int64_t(gridDim.x) * blockDim.x) {
        std::int64_t rest = i;
        std::int64_t s = p.srcOffset;
        std::int64_t d = p.dstOffset;
        for (int k = p.rank - 1; k >= 0; --k) {
            const std::int64_t index = rest % p.dims[k];
            rest /= p.dims[k];
            s += index * p.srcStrides[k];
            d += index * p.dstStrides[k];
        }
        dst[d] = src[s];
    }
}

} // namespace

bool cudaSupportsLayout(OpKind kind)
{
    switch (kind) {
    case OpKind::Reshape:
    case OpKind::Flatten:
    case OpKind::Transpose:
    case OpKind::Concat:
    case OpKind::Slice:
    case OpKind::Identity:
        return true;
    default:
        return false;
    }
}

Status cudaRunLayout(
    CudaOpContext &context, const Op &op, std::span<const Tensor> inputs, std::span<Tensor> outputs)
{
    const std::string name(opName(op.kind));
    if (!cudaSupportsLayout(op.kind))
        return Status::error("cuda: " + name + " is not a layout op");
    if (outputs.size() != 1 || !outputs[0].valid())
        return Status::error("cuda: " + name + " needs one allocated output");
    std::vector<Shape> shapes;
    for (const Tensor &t : inputs) {
        if (!t.valid())
            return Status::error("cuda: " + name + ": an input has no storage");
        shapes.push_back(t.shape);
    }
    std::vector<LayoutCopy> copies;
    if (Status s = planLayoutCopies(op, shapes, &copies); !s)
        return s;
    const bool wide = dtypeSize(outputs[0].dtype) == 8;
    for (const LayoutCopy &copy : copies) {
        if (copy.dims.size() > std::size_t(kMaxRank))
            return Status::error("cuda: " + name + " needs " + std::to_string(copy.dims.size())
                + " dimensions after merging; at most 16 are supported");
        CopyParams p {};
        p.count = copy.elements();
        p.srcOffset = copy.srcOffset;
        p.dstOffset = copy.dstOffset;
        p.rank = int(copy.dims.size());
        for (std::size_t k = 0; k < copy.dims.size(); ++k) {
            p.dims[k] = copy.dims[k];
            p.srcStrides[k] = copy.srcStrides[k];
            p.dstStrides[k] = copy.dstStrides[k];
        }
        const std::int64_t blocks64 = (p.count + kThreads - 1) / kThreads;
        const unsigned blocks
            = unsigned(blocks64 < 65535 ? blocks64 : 65535); // grid-stride loop covers the rest
        const Tensor &src = inputs[std::size_t(copy.input)];
        if (wide)
            layoutCopyKernel<std::uint64_t><<<blocks, kThreads, 0, context.backend.stream()>>>(
                cudaData<const std::uint64_t>(src), cudaData<std::uint64_t>(outputs[0]), p);
        else
            layoutCopyKernel<std::uint32_t><<<blocks, kThreads, 0, context.backend.stream()>>>(
                cudaData<const std::uint32_t>(src), cudaData<std::uint32_t>(outputs[0]), p);
        if (const cudaError_t e = cudaGetLastError(); e != cudaSuccess)
            return Status::error("cuda: " + name + ": kernel launch failed: " + cudaGetErrorString(e));
    }
    return Status::ok();
}

} // namespace tributary::engine
