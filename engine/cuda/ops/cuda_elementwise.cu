// CUDA kernels of the elementwise family, bit for bit the CPU reference
// (engine/ops/elementwise.h): +, -, * as __fadd_rn/__fsub_rn/__fmul_rn-equivalent plain
// operations (built with --fmad=false), everything else from kernels/exact_math.h.
// SumToShape runs the generic reduction of cuda_reduce.cu.

#include "engine/cuda/cuda_backend.h"
#include "engine/cuda/cuda_tensor_buffer.h"
#include "engine/cuda/ops/cuda_ops.h"
#include "engine/kernels/exact_math.h"
#include "engine/kernels/index_plan.h"
#include "engine/ops/elementwise.h"

#include <cuda_runtime_api.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

namespace tributary::engine {

// Defined in cuda_reduce.cu: a canonical-order sum/mean/max over the flagged dims.
Status cudaReduceGeneric(CudaBackend &backend, const Tensor &x, const std::vector<bool> &reduced, unsigned mode,
                         float scale, const Tensor &y);

namespace {

constexpr int kThreads = 256;

struct BinaryParams {
    long long count;
    int op; // 0 Add, 1 Sub, 2 Mul, 3 Div, 4 ReluBackward, 5 GeluBackward, 6 TanhBackward, 7 SigmoidBackward
    int rank;
    long long dims[8];
    long long strideA[8];
    long long strideB[8];
};

__global__ void unaryKernel(const float *x, float *y, long long count, int op)
{
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < count;
         i += (long long)gridDim.x * blockDim.x) {
        const float v = x[i];
        float r;
        switch (op) {
        case 0: r = em_u2f(em_f2u(v) ^ 0x80000000u); break;
        case 1: r = v > 0.0f ? v : (em_isnan(v) ? v : 0.0f); break;
        case 2: r = exact_gelu(v); break;
        case 3: r = exact_tanh(v); break;
        case 4: r = exact_sigmoid(v); break;
        case 5: r = exact_exp(v); break;
        case 6: r = exact_log(v); break;
        default: r = exact_sqrt(v); break;
        }
        y[i] = r;
    }
}

__global__ void binaryKernel(const float *a, const float *b, float *y, BinaryParams p)
{
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < p.count;
         i += (long long)gridDim.x * blockDim.x) {
        long long rest = i, offA = 0, offB = 0;
        for (int d = p.rank - 1; d >= 0; --d) {
            const long long index = rest % p.dims[d];
            rest /= p.dims[d];
            offA += index * p.strideA[d];
            offB += index * p.strideB[d];
        }
        const float u = a[offA];
        const float v = b[offB];
        float r;
        switch (p.op) {
        case 0: r = u + v; break;
        case 1: r = u - v; break;
        case 2: r = u * v; break;
        case 3: r = exact_div(u, v); break;
        case 4: r = v > 0.0f ? u : 0.0f; break;
        case 5: r = u * exact_gelu_derivative(v); break;
        case 6: r = u * (1.0f - v * v); break;
        default: r = u * (v * (1.0f - v)); break;
        }
        y[i] = r;
    }
}

std::string prefix(const Op &op)
{
    return "cuda: " + std::string(opName(op.kind)) + ": ";
}

unsigned blocksFor(long long total)
{
    return static_cast<unsigned>(std::clamp<long long>((total + kThreads - 1) / kThreads, 1, 65535));
}

Status launched(const Op &op, const char *kernel)
{
    const cudaError_t error = cudaGetLastError();
    if (error != cudaSuccess)
        return Status::error(prefix(op) + "launching " + kernel + ": " + cudaGetErrorString(error));
    return Status::ok();
}

int unaryCode(OpKind kind)
{
    switch (kind) {
    case OpKind::Neg: return 0;
    case OpKind::Relu: return 1;
    case OpKind::Gelu: return 2;
    case OpKind::Tanh: return 3;
    case OpKind::Sigmoid: return 4;
    case OpKind::Exp: return 5;
    case OpKind::Log: return 6;
    default: return 7;
    }
}

int binaryCode(OpKind kind)
{
    switch (kind) {
    case OpKind::Add: return 0;
    case OpKind::Sub: return 1;
    case OpKind::Mul: return 2;
    case OpKind::Div: return 3;
    case OpKind::ReluBackward: return 4;
    case OpKind::GeluBackward: return 5;
    case OpKind::TanhBackward: return 6;
    default: return 7;
    }
}

} // namespace

bool cudaSupportsElementwise(OpKind kind)
{
    return opFamily(kind) == OpFamily::Elementwise;
}

Status cudaRunElementwise(CudaOpContext &context, const Op &op, std::span<const Tensor> inputs,
                          std::span<Tensor> outputs)
{
    std::vector<TensorDesc> expected;
    if (Status s = inferOutputs(op, inputs, &expected); !s)
        return s;
    if (outputs.size() != 1 || !outputs[0].valid() || outputs[0].shape != expected[0].shape)
        return Status::error(prefix(op) + "the output is not allocated as " + shapeText(expected[0].shape));
    const Tensor &y = outputs[0];
    const long long count = y.elements();
    cudaStream_t stream = context.backend.stream();
    switch (op.kind) {
    case OpKind::Neg:
    case OpKind::Relu:
    case OpKind::Gelu:
    case OpKind::Tanh:
    case OpKind::Sigmoid:
    case OpKind::Exp:
    case OpKind::Log:
    case OpKind::Sqrt:
        if (count == 0)
            return Status::ok();
        unaryKernel<<<blocksFor(count), kThreads, 0, stream>>>(cudaData<const float>(inputs[0]), cudaData<float>(y),
                                                               count, unaryCode(op.kind));
        return launched(op, "unaryKernel");
    case OpKind::SumToShape: {
        const Shape &in = inputs[0].shape;
        const std::size_t offset = in.size() - y.shape.size();
        std::vector<bool> reduced(in.size(), false);
        for (std::size_t d = 0; d < in.size(); ++d)
            reduced[d] = d < offset || (y.shape[d - offset] == 1 && in[d] != 1);
        return cudaReduceGeneric(context.backend, inputs[0], reduced, 0, 1.0f, y);
    }
    default: break;
    }
    const BroadcastPlan plan = makeBroadcastPlan(inputs[0].shape, inputs[1].shape, y.shape);
    if (plan.dims.size() > 8)
        return Status::error(prefix(op) + "broadcasting " + shapeText(inputs[0].shape) + " with "
                             + shapeText(inputs[1].shape) + " needs more than 8 dimensions");
    BinaryParams p{};
    p.count = count;
    p.op = binaryCode(op.kind);
    p.rank = int(plan.dims.size());
    for (std::size_t d = 0; d < plan.dims.size(); ++d) {
        p.dims[d] = plan.dims[d];
        p.strideA[d] = plan.strideA[d];
        p.strideB[d] = plan.strideB[d];
    }
    if (count == 0)
        return Status::ok();
    binaryKernel<<<blocksFor(count), kThreads, 0, stream>>>(cudaData<const float>(inputs[0]),
                                                            cudaData<const float>(inputs[1]), cudaData<float>(y), p);
    return launched(op, "binaryKernel");
}

} // namespace tributary::engine
