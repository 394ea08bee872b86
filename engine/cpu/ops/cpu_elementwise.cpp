// CPU kernels of the elementwise family: the exact-mode reference (engine/ops/elementwise.h).

#include "engine/cpu/cpu_buffer.h"
#include "engine/cpu/ops/cpu_math_common.h"
#include "engine/cpu/ops/cpu_ops.h"
#include "engine/kernels/exact_math.h"
#include "engine/ops/elementwise.h"

#include <bit>
#include <cstdint>

namespace tributary::engine {

namespace {

using namespace exact;

constexpr std::int64_t kGrain = 16384;

float applyUnary(OpKind kind, float x)
{
    switch (kind) {
    case OpKind::Neg: return std::bit_cast<float>(std::bit_cast<std::uint32_t>(x) ^ 0x80000000u);
    case OpKind::Relu: return x > 0.0f ? x : (x != x ? x : 0.0f);
    case OpKind::Gelu: return exact_gelu(x);
    case OpKind::Tanh: return exact_tanh(x);
    case OpKind::Sigmoid: return exact_sigmoid(x);
    case OpKind::Exp: return exact_exp(x);
    case OpKind::Log: return exact_log(x);
    case OpKind::Sqrt: return exact_sqrt(x);
    default: return 0.0f;
    }
}

float applyBinary(OpKind kind, float a, float b)
{
    switch (kind) {
    case OpKind::Add: return a + b;
    case OpKind::Sub: return a - b;
    case OpKind::Mul: return a * b;
    case OpKind::Div: return exact_div(a, b);
    case OpKind::ReluBackward: return b > 0.0f ? a : 0.0f;
    case OpKind::GeluBackward: return a * exact_gelu_derivative(b);
    case OpKind::TanhBackward: return a * (1.0f - b * b);
    case OpKind::SigmoidBackward: return a * (b * (1.0f - b));
    default: return 0.0f;
    }
}

template<OpKind kind>
void binaryLoop(const float *a, const float *b, float *y, std::int64_t n, std::int64_t sa, std::int64_t sb)
{
    if (sa == 1 && sb == 1) { // the common contiguous case, which the compiler vectorises
        for (std::int64_t i = 0; i < n; ++i)
            y[i] = applyBinary(kind, a[i], b[i]);
        return;
    }
    for (std::int64_t i = 0; i < n; ++i)
        y[i] = applyBinary(kind, a[i * sa], b[i * sb]);
}

void runUnary(ThreadPool &pool, OpKind kind, const float *x, float *y, std::int64_t n)
{
    cpumath::parallelRanges(pool, n, kGrain, [&](std::int64_t begin, std::int64_t end) {
        for (std::int64_t i = begin; i < end; ++i)
            y[i] = applyUnary(kind, x[i]);
    });
}

// Y = A op B with broadcasting: rows of the last output dimension, each with its input
// offsets and strides (0 along a broadcast dimension).
void runBinary(ThreadPool &pool, OpKind kind, const Tensor &ta, const Tensor &tb, Tensor &ty)
{
    const float *a = cpuData<float>(ta);
    const float *b = cpuData<float>(tb);
    float *y = cpuData<float>(ty);
    const Shape &out = ty.shape;
    const std::size_t rank = out.size();
    const std::vector<std::int64_t> sa = broadcastStrides(ta.shape, rank);
    const std::vector<std::int64_t> sb = broadcastStrides(tb.shape, rank);
    const std::int64_t inner = rank == 0 ? 1 : out[rank - 1];
    const std::int64_t innerA = rank == 0 ? 0 : sa[rank - 1];
    const std::int64_t innerB = rank == 0 ? 0 : sb[rank - 1];
    const std::int64_t rows = inner == 0 ? 0 : elementCount(out) / inner;
    const std::int64_t grainRows = std::max<std::int64_t>(1, kGrain / std::max<std::int64_t>(inner, 1));
    cpumath::parallelRanges(pool, rows, grainRows, [&](std::int64_t begin, std::int64_t end) {
        for (std::int64_t row = begin; row < end; ++row) {
            std::int64_t offA = 0, offB = 0, rest = row;
            for (std::size_t d = rank == 0 ? 0 : rank - 1; d-- > 0;) {
                const std::int64_t index = rest % out[d];
                rest /= out[d];
                offA += index * sa[d];
                offB += index * sb[d];
            }
            const float *pa = a + offA;
            const float *pb = b + offB;
            float *py = y + row * inner;
            switch (kind) {
            case OpKind::Add: binaryLoop<OpKind::Add>(pa, pb, py, inner, innerA, innerB); break;
            case OpKind::Sub: binaryLoop<OpKind::Sub>(pa, pb, py, inner, innerA, innerB); break;
            case OpKind::Mul: binaryLoop<OpKind::Mul>(pa, pb, py, inner, innerA, innerB); break;
            case OpKind::Div: binaryLoop<OpKind::Div>(pa, pb, py, inner, innerA, innerB); break;
            case OpKind::ReluBackward: binaryLoop<OpKind::ReluBackward>(pa, pb, py, inner, innerA, innerB); break;
            case OpKind::GeluBackward: binaryLoop<OpKind::GeluBackward>(pa, pb, py, inner, innerA, innerB); break;
            case OpKind::TanhBackward: binaryLoop<OpKind::TanhBackward>(pa, pb, py, inner, innerA, innerB); break;
            case OpKind::SigmoidBackward:
                binaryLoop<OpKind::SigmoidBackward>(pa, pb, py, inner, innerA, innerB);
                break;
            default: break;
            }
        }
    });
}

void runSumToShape(ThreadPool &pool, const Tensor &dy, Tensor &dx)
{
    const Shape &in = dy.shape;
    const std::size_t offset = in.size() - dx.shape.size();
    std::vector<bool> reduced(in.size(), false);
    for (std::size_t d = 0; d < in.size(); ++d)
        reduced[d] = d < offset || (dx.shape[d - offset] == 1 && in[d] != 1);
    const cpumath::ReducePlan plan = cpumath::makeReducePlan(in, reduced);
    const float *x = cpuData<float>(dy);
    float *y = cpuData<float>(dx);
    const std::int64_t n = std::int64_t(plan.inner.size());
    const std::int64_t grain = std::max<std::int64_t>(1, kGrain / std::max<std::int64_t>(n, 1));
    cpumath::parallelRanges(pool, std::int64_t(plan.outer.size()), grain, [&](std::int64_t begin, std::int64_t end) {
        for (std::int64_t o = begin; o < end; ++o) {
            const float *base = x + plan.outer[std::size_t(o)];
            y[o] = cpumath::canonicalSum(n, [&](std::int64_t i) { return base[plan.inner[std::size_t(i)]]; });
        }
    });
}

} // namespace

bool cpuSupportsElementwise(OpKind kind)
{
    return opFamily(kind) == OpFamily::Elementwise;
}

Status cpuRunElementwise(CpuOpContext &context, const Op &op, std::span<const Tensor> inputs, std::span<Tensor> outputs)
{
    if (Status s = cpumath::checkRun(op, inputs, outputs); !s)
        return s;
    switch (op.kind) {
    case OpKind::Neg:
    case OpKind::Relu:
    case OpKind::Gelu:
    case OpKind::Tanh:
    case OpKind::Sigmoid:
    case OpKind::Exp:
    case OpKind::Log:
    case OpKind::Sqrt:
        runUnary(context.pool, op.kind, cpuData<float>(inputs[0]), cpuData<float>(outputs[0]), outputs[0].elements());
        return Status::ok();
    case OpKind::Add:
    case OpKind::Sub:
    case OpKind::Mul:
    case OpKind::Div:
    case OpKind::ReluBackward:
    case OpKind::GeluBackward:
    case OpKind::TanhBackward:
    case OpKind::SigmoidBackward:
        runBinary(context.pool, op.kind, inputs[0], inputs[1], outputs[0]);
        return Status::ok();
    case OpKind::SumToShape:
        runSumToShape(context.pool, inputs[0], outputs[0]);
        return Status::ok();
    default: break;
    }
    return Status::error("cpu: " + std::string(opName(op.kind)) + " is not an elementwise op");
}

} // namespace tributary::engine
