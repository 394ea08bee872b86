// CPU kernels of the reduce family: the exact-mode reference (engine/ops/reduce.h). Work
// is split over independent outputs (rows, slices, columns); each sum keeps the canonical
// order, so results never depend on the thread count.

#include "engine/cpu/cpu_buffer.h"
#include "engine/cpu/ops/cpu_math_common.h"
#include "engine/cpu/ops/cpu_ops.h"
#include "engine/kernels/exact_math.h"
#include "engine/ops/reduce.h"

#include <cstdint>
#include <vector>

namespace tributary::engine {

namespace {

using namespace exact;
using cpumath::canonicalMax;
using cpumath::canonicalSum;
using cpumath::parallelRanges;

constexpr std::int64_t kGrain = 16384;

std::int64_t grainFor(std::int64_t workPerItem)
{
    return std::max<std::int64_t>(1, kGrain / std::max<std::int64_t>(workPerItem, 1));
}

void runReduction(ThreadPool &pool, const Op &op, const Tensor &tx, Tensor &ty)
{
    std::vector<bool> mask;
    (void)reducedAxes(op, tx.shape.size(), &mask); // checked by inference
    const cpumath::ReducePlan plan = cpumath::makeReducePlan(tx.shape, mask);
    const float *x = cpuData<float>(tx);
    float *y = cpuData<float>(ty);
    const std::int64_t n = std::int64_t(plan.inner.size());
    const float invCount = float(1.0 / double(n));
    parallelRanges(pool, std::int64_t(plan.outer.size()), grainFor(n), [&](std::int64_t begin, std::int64_t end) {
        for (std::int64_t o = begin; o < end; ++o) {
            const float *base = x + plan.outer[std::size_t(o)];
            auto value = [&](std::int64_t i) { return base[plan.inner[std::size_t(i)]]; };
            if (op.kind == OpKind::ReduceMax)
                y[o] = n == 0 ? -std::numeric_limits<float>::infinity() : canonicalMax(n, value);
            else if (op.kind == OpKind::ReduceSum)
                y[o] = canonicalSum(n, value);
            else
                y[o] = canonicalSum(n, value) * invCount;
        }
    });
}

void runArgMax(ThreadPool &pool, const Op &op, const Tensor &tx, Tensor &ty)
{
    const ArgMaxAttributes &a = op.attr<ArgMaxAttributes>();
    const AxisSlices v = axisSlices(tx.shape, a.axis);
    const float *x = cpuData<float>(tx);
    std::int64_t *y = cpuData<std::int64_t>(ty);
    parallelRanges(pool, v.outer * v.inner, grainFor(v.length), [&](std::int64_t begin, std::int64_t end) {
        for (std::int64_t s = begin; s < end; ++s) {
            const float *p = x + (s / v.inner) * v.length * v.inner + s % v.inner;
            float m = p[0];
            std::int64_t best = 0;
            for (std::int64_t k = 1; k < v.length; ++k) {
                const float value = p[k * v.inner];
                const bool take = a.selectLastIndex ? (value >= m || value != value)
                                                    : (value > m || (value != value && m == m));
                if (take) {
                    m = value;
                    best = k;
                }
            }
            y[s] = best;
        }
    });
}

void runSoftmax(ThreadPool &pool, const Op &op, const Tensor &tx, Tensor &ty)
{
    const AxisSlices v = axisSlices(tx.shape, op.attr<AxisAttributes>().axis);
    const float *x = cpuData<float>(tx);
    float *y = cpuData<float>(ty);
    const bool logSoftmax = op.kind == OpKind::LogSoftmax;
    if (v.length == 0)
        return;
    parallelRanges(pool, v.outer * v.inner, grainFor(v.length * 8), [&](std::int64_t begin, std::int64_t end) {
        std::vector<float> e(std::size_t(v.length));
        for (std::int64_t s = begin; s < end; ++s) {
            const std::int64_t base = (s / v.inner) * v.length * v.inner + s % v.inner;
            const float *p = x + base;
            float *q = y + base;
            const float m = canonicalMax(v.length, [&](std::int64_t k) { return p[k * v.inner]; });
            for (std::int64_t k = 0; k < v.length; ++k)
                e[std::size_t(k)] = exact_exp(p[k * v.inner] - m);
            const float sum = canonicalSum(v.length, [&](std::int64_t k) { return e[std::size_t(k)]; });
            if (logSoftmax) {
                const float logSum = exact_log(sum);
                for (std::int64_t k = 0; k < v.length; ++k)
                    q[k * v.inner] = (p[k * v.inner] - m) - logSum;
            } else {
                for (std::int64_t k = 0; k < v.length; ++k)
                    q[k * v.inner] = exact_div(e[std::size_t(k)], sum);
            }
        }
    });
}

void runLayerNorm(ThreadPool &pool, const Op &op, std::span<const Tensor> inputs, std::span<Tensor> outputs)
{
    const NormRows view = layerNormRows(inputs[0].shape, op.attr<NormAttributes>().axis);
    const std::int64_t rows = view.rows, n = view.n;
    const float *x = cpuData<float>(inputs[0]);
    const float *scale = cpuData<float>(inputs[1]);
    const float *bias = inputs.size() > 2 && inputs[2].valid() ? cpuData<float>(inputs[2]) : nullptr;
    float *y = cpuData<float>(outputs[0]);
    float *meanOut = outputs.size() > 1 && outputs[1].valid() ? cpuData<float>(outputs[1]) : nullptr;
    float *invOut = outputs.size() > 2 && outputs[2].valid() ? cpuData<float>(outputs[2]) : nullptr;
    const float invN = float(1.0 / double(n));
    const float epsilon = op.attr<NormAttributes>().epsilon;
    parallelRanges(pool, rows, grainFor(n * 4), [&](std::int64_t begin, std::int64_t end) {
        for (std::int64_t r = begin; r < end; ++r) {
            const float *p = x + r * n;
            float *q = y + r * n;
            const float mean = canonicalSum(n, [&](std::int64_t i) { return p[i]; }) * invN;
            const float var = canonicalSum(n, [&](std::int64_t i) {
                                  const float d = p[i] - mean;
                                  return d * d;
                              })
                * invN;
            const float inv = exact_rsqrt(var + epsilon);
            for (std::int64_t i = 0; i < n; ++i) {
                const float t = ((p[i] - mean) * inv) * scale[i];
                q[i] = bias ? t + bias[i] : t;
            }
            if (meanOut)
                meanOut[r] = mean;
            if (invOut)
                invOut[r] = inv;
        }
    });
}

void runLayerNormBackward(ThreadPool &pool, const Op &op, std::span<const Tensor> inputs, std::span<Tensor> outputs)
{
    const NormRows view = layerNormRows(inputs[1].shape, op.attr<NormAttributes>().axis);
    const std::int64_t rows = view.rows, n = view.n;
    const float *dy = cpuData<float>(inputs[0]);
    const float *x = cpuData<float>(inputs[1]);
    const float *scale = cpuData<float>(inputs[2]);
    const float *mean = cpuData<float>(inputs[3]);
    const float *inv = cpuData<float>(inputs[4]);
    const float invN = float(1.0 / double(n));
    auto xhat = [&](std::int64_t r, std::int64_t i) { return (x[r * n + i] - mean[r]) * inv[r]; };
    if (outputs[0].valid()) {
        float *dx = cpuData<float>(outputs[0]);
        parallelRanges(pool, rows, grainFor(n * 4), [&](std::int64_t begin, std::int64_t end) {
            for (std::int64_t r = begin; r < end; ++r) {
                const float *g = dy + r * n;
                const float a = canonicalSum(n, [&](std::int64_t i) { return g[i] * scale[i]; }) * invN;
                const float b = canonicalSum(n, [&](std::int64_t i) { return (g[i] * scale[i]) * xhat(r, i); }) * invN;
                for (std::int64_t i = 0; i < n; ++i)
                    dx[r * n + i] = inv[r] * (((g[i] * scale[i]) - a) - xhat(r, i) * b);
            }
        });
    }
    float *dScale = outputs.size() > 1 && outputs[1].valid() ? cpuData<float>(outputs[1]) : nullptr;
    float *dBias = outputs.size() > 2 && outputs[2].valid() ? cpuData<float>(outputs[2]) : nullptr;
    parallelRanges(pool, n, grainFor(rows * 2), [&](std::int64_t begin, std::int64_t end) {
        for (std::int64_t i = begin; i < end; ++i) {
            if (dScale)
                dScale[i] = canonicalSum(rows, [&](std::int64_t r) { return dy[r * n + i] * xhat(r, i); });
            if (dBias)
                dBias[i] = canonicalSum(rows, [&](std::int64_t r) { return dy[r * n + i]; });
        }
    });
}

void runBatchNorm(ThreadPool &pool, const Op &op, std::span<const Tensor> inputs, Tensor &ty)
{
    const Shape &shape = inputs[0].shape;
    const std::int64_t channels = shape[1];
    std::int64_t spatial = 1;
    for (std::size_t d = 2; d < shape.size(); ++d)
        spatial *= shape[d];
    const float *x = cpuData<float>(inputs[0]);
    const float *scale = cpuData<float>(inputs[1]);
    const float *bias = cpuData<float>(inputs[2]);
    const float *mean = cpuData<float>(inputs[3]);
    const float *var = cpuData<float>(inputs[4]);
    float *y = cpuData<float>(ty);
    const float epsilon = op.attr<NormAttributes>().epsilon;
    std::vector<float> factor(static_cast<std::size_t>(channels));
    for (std::int64_t c = 0; c < channels; ++c)
        factor[std::size_t(c)] = scale[c] * exact_rsqrt(var[c] + epsilon);
    parallelRanges(pool, ty.elements(), kGrain, [&](std::int64_t begin, std::int64_t end) {
        for (std::int64_t i = begin; i < end; ++i) {
            const std::int64_t c = (i / spatial) % channels;
            y[i] = (x[i] - mean[c]) * factor[std::size_t(c)] + bias[c];
        }
    });
}

std::int64_t labelAt(const Tensor &labels, std::int64_t r)
{
    if (labels.dtype == DType::I32)
        return cpuData<std::int32_t>(labels)[r];
    return cpuData<std::int64_t>(labels)[r];
}

void runCrossEntropy(ThreadPool &pool, const Op &op, std::span<const Tensor> inputs, Tensor &out)
{
    const std::int64_t rows = inputs[0].shape[0];
    const std::int64_t classes = inputs[0].shape[1];
    const float *x = cpuData<float>(inputs[0]);
    const float invN = float(1.0 / double(rows));
    const bool backward = op.kind == OpKind::SoftmaxCrossEntropyBackward;
    std::vector<float> loss(static_cast<std::size_t>(rows));
    float *dx = backward ? cpuData<float>(out) : nullptr;
    parallelRanges(pool, rows, grainFor(classes * 8), [&](std::int64_t begin, std::int64_t end) {
        std::vector<float> e(static_cast<std::size_t>(classes));
        for (std::int64_t r = begin; r < end; ++r) {
            const float *p = x + r * classes;
            const std::int64_t label = labelAt(inputs[1], r);
            const bool valid = label >= 0 && label < classes;
            const float m = canonicalMax(classes, [&](std::int64_t k) { return p[k]; });
            for (std::int64_t k = 0; k < classes; ++k)
                e[std::size_t(k)] = exact_exp(p[k] - m);
            const float s = canonicalSum(classes, [&](std::int64_t k) { return e[std::size_t(k)]; });
            if (backward) {
                for (std::int64_t k = 0; k < classes; ++k) {
                    const float softmax = exact_div(e[std::size_t(k)], s);
                    const float d = valid ? softmax - (k == label ? 1.0f : 0.0f) : exact::em_nan();
                    dx[r * classes + k] = d * invN;
                }
            } else {
                loss[std::size_t(r)] = valid ? exact_log(s) - (p[label] - m) : exact::em_nan();
            }
        }
    });
    if (!backward)
        cpuData<float>(out)[0] = canonicalSum(rows, [&](std::int64_t r) { return loss[std::size_t(r)]; }) * invN;
}

} // namespace

bool cpuSupportsReduce(OpKind kind)
{
    return opFamily(kind) == OpFamily::Reduce;
}

Status cpuRunReduce(CpuOpContext &context, const Op &op, std::span<const Tensor> inputs, std::span<Tensor> outputs)
{
    const bool optionalOutputs = op.kind == OpKind::LayerNorm || op.kind == OpKind::LayerNormBackward;
    if (Status s = cpumath::checkRun(op, inputs, outputs, optionalOutputs ? 0 : ~std::size_t(0)); !s)
        return s;
    ThreadPool &pool = context.pool;
    switch (op.kind) {
    case OpKind::ReduceSum:
    case OpKind::ReduceMean:
    case OpKind::ReduceMax: runReduction(pool, op, inputs[0], outputs[0]); break;
    case OpKind::ArgMax: runArgMax(pool, op, inputs[0], outputs[0]); break;
    case OpKind::Softmax:
    case OpKind::LogSoftmax: runSoftmax(pool, op, inputs[0], outputs[0]); break;
    case OpKind::LayerNorm:
        if (!outputs[0].valid())
            return Status::error("cpu: LayerNorm: output 0 (Y) has no storage");
        runLayerNorm(pool, op, inputs, outputs);
        break;
    case OpKind::LayerNormBackward: runLayerNormBackward(pool, op, inputs, outputs); break;
    case OpKind::BatchNorm: runBatchNorm(pool, op, inputs, outputs[0]); break;
    case OpKind::SoftmaxCrossEntropy:
    case OpKind::SoftmaxCrossEntropyBackward: runCrossEntropy(pool, op, inputs, outputs[0]); break;
    default: return Status::error("cpu: " + std::string(opName(op.kind)) + " is not a reduce op");
    }
    return Status::ok();
}

} // namespace tributary::engine
