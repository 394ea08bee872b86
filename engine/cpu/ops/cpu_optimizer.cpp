// CPU kernels of the optimizer family: the exact-mode reference (engine/ops/optimizer.h).
// Elementwise over the parameters; outputs may alias inputs (each element is read before
// it is written, by the same iteration).

#include "engine/cpu/cpu_buffer.h"
#include "engine/cpu/ops/cpu_math_common.h"
#include "engine/cpu/ops/cpu_ops.h"
#include "engine/kernels/exact_math.h"
#include "engine/ops/optimizer.h"

namespace tributary::engine {

namespace {

constexpr std::int64_t kGrain = 16384;

void runSgd(ThreadPool &pool, const SgdAttributes &a, std::span<const Tensor> in, std::span<Tensor> out)
{
    const float *param = cpuData<float>(in[0]);
    const float *grad = cpuData<float>(in[1]);
    const float *velocity = cpuData<float>(in[2]);
    float *paramOut = cpuData<float>(out[0]);
    float *velocityOut = cpuData<float>(out[1]);
    cpumath::parallelRanges(pool, in[0].elements(), kGrain, [&](std::int64_t begin, std::int64_t end) {
        for (std::int64_t i = begin; i < end; ++i) {
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
    });
}

void runAdamW(ThreadPool &pool, const AdamWAttributes &a, std::span<const Tensor> in, std::span<Tensor> out)
{
    const AdamWConstants c = adamWConstants(a);
    const float *param = cpuData<float>(in[0]);
    const float *grad = cpuData<float>(in[1]);
    const float *m = cpuData<float>(in[2]);
    const float *v = cpuData<float>(in[3]);
    float *paramOut = cpuData<float>(out[0]);
    float *mOut = cpuData<float>(out[1]);
    float *vOut = cpuData<float>(out[2]);
    cpumath::parallelRanges(pool, in[0].elements(), kGrain, [&](std::int64_t begin, std::int64_t end) {
        for (std::int64_t i = begin; i < end; ++i) {
            const float g = grad[i];
            const float p = param[i] * c.decay;
            const float m1 = a.beta1 * m[i] + c.c1 * g;
            const float v1 = a.beta2 * v[i] + c.c2 * (g * g);
            const float denom = exact::exact_sqrt(v1) * c.invSqrtBc2 + a.epsilon;
            mOut[i] = m1;
            vOut[i] = v1;
            paramOut[i] = p - c.stepSize * exact::exact_div(m1, denom);
        }
    });
}

} // namespace

bool cpuSupportsOptimizer(OpKind kind)
{
    return kind == OpKind::SgdUpdate || kind == OpKind::AdamWUpdate;
}

Status cpuRunOptimizer(CpuOpContext &context, const Op &op, std::span<const Tensor> inputs, std::span<Tensor> outputs)
{
    if (Status s = cpumath::checkRun(op, inputs, outputs); !s)
        return s;
    if (op.kind == OpKind::SgdUpdate)
        runSgd(context.pool, op.attr<SgdAttributes>(), inputs, outputs);
    else
        runAdamW(context.pool, op.attr<AdamWAttributes>(), inputs, outputs);
    return Status::ok();
}

} // namespace tributary::engine
