// CUDA kernels of the optimizer family, bit for bit the CPU reference
// (engine/ops/optimizer.h). Outputs may alias inputs: each thread reads its element
// before writing it.

#include "engine/cuda/cuda_backend.h"
#include "engine/cuda/cuda_tensor_buffer.h"
#include "engine/cuda/ops/cuda_ops.h"
#include "engine/kernels/exact_math.h"
#include "engine/ops/optimizer.h"

#include <cuda_runtime_api.h>

#include <algorithm>
#include <string>
#include <vector>

namespace tributary::engine {

namespace {

constexpr int kThreads = 256;

__global__ void sgdKernel(const float *param, const float *grad, const float *velocity, float *paramOut,
                          float *velocityOut, long long count, SgdAttributes a)
{
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < count;
         i += (long long)gridDim.x * blockDim.x) {
        const float p = param[i];
        float g = grad[i];
        if (a.weightDecay != 0.0f)
            g = g + a.weightDecay * p;
        float v = velocity[i];
        float d = g;
        if (a.momentum != 0.0f) {
            v = a.momentum * v + g;
            d = a.nesterov ? g + a.momentum * v : v;
        }
        velocityOut[i] = v;
        paramOut[i] = p - a.learningRate * d;
    }
}

struct AdamWParams {
    float beta1, beta2, epsilon;
    AdamWConstants c;
};

__global__ void adamWKernel(const float *param, const float *grad, const float *m, const float *v, float *paramOut,
                            float *mOut, float *vOut, long long count, AdamWParams a)
{
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < count;
         i += (long long)gridDim.x * blockDim.x) {
        const float g = grad[i];
        const float p = param[i] * a.c.decay;
        const float m1 = a.beta1 * m[i] + a.c.c1 * g;
        const float v1 = a.beta2 * v[i] + a.c.c2 * (g * g);
        const float denom = exact_sqrt(v1) * a.c.invSqrtBc2 + a.epsilon;
        mOut[i] = m1;
        vOut[i] = v1;
        paramOut[i] = p - a.c.stepSize * exact_div(m1, denom);
    }
}

} // namespace

bool cudaSupportsOptimizer(OpKind kind)
{
    return kind == OpKind::SgdUpdate || kind == OpKind::AdamWUpdate;
}

Status cudaRunOptimizer(CudaOpContext &context, const Op &op, std::span<const Tensor> inputs,
                        std::span<Tensor> outputs)
{
    std::vector<TensorDesc> expected;
    if (Status s = inferOutputs(op, inputs, &expected); !s)
        return s;
    const std::string prefix = "cuda: " + std::string(opName(op.kind)) + ": ";
    if (outputs.size() != expected.size())
        return Status::error(prefix + "expects " + std::to_string(expected.size()) + " outputs");
    for (std::size_t i = 0; i < outputs.size(); ++i) {
        if (!outputs[i].valid() || outputs[i].shape != expected[i].shape)
            return Status::error(prefix + "output " + std::to_string(i) + " is not allocated as "
                                 + shapeText(expected[i].shape));
    }
    const long long count = inputs[0].elements();
    if (count == 0)
        return Status::ok();
    const auto blocks = static_cast<unsigned>(std::clamp<long long>((count + kThreads - 1) / kThreads, 1, 65535));
    cudaStream_t stream = context.backend.stream();
    if (op.kind == OpKind::SgdUpdate) {
        sgdKernel<<<blocks, kThreads, 0, stream>>>(cudaData<const float>(inputs[0]), cudaData<const float>(inputs[1]),
                                                   cudaData<const float>(inputs[2]), cudaData<float>(outputs[0]),
                                                   cudaData<float>(outputs[1]), count, op.attr<SgdAttributes>());
    } else {
        const AdamWAttributes &a = op.attr<AdamWAttributes>();
        const AdamWParams params{a.beta1, a.beta2, a.epsilon, adamWConstants(a)};
        adamWKernel<<<blocks, kThreads, 0, stream>>>(
            cudaData<const float>(inputs[0]), cudaData<const float>(inputs[1]), cudaData<const float>(inputs[2]),
            cudaData<const float>(inputs[3]), cudaData<float>(outputs[0]), cudaData<float>(outputs[1]),
            cudaData<float>(outputs[2]), count, params);
    }
    const cudaError_t error = cudaGetLastError();
    if (error != cudaSuccess)
        return Status::error(prefix + "launching the kernel: " + cudaGetErrorString(error));
    return Status::ok();
}

} // namespace tributary::engine
