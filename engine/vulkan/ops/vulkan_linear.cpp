// Vulkan kernels of the linear family (definitions in engine/ops/linear.h). Every GEMM
// (Gemm, MatMul, the convolutions' GEMM stages) runs on one strided, batched shader,
// linear_gemm.comp, whose batches read their element offsets from a small table uploaded
// per op; convolutions add im2col / col2im / an axis swap around it; pooling has one
// shader for the forward ops and one that gathers the backward ops per input element.

#include "engine/ops/linear.h"
#include "engine/vulkan/ops/vulkan_ops.h"
#include "engine/vulkan/vulkan_backend.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace tributary::engine {

namespace {

using Index = std::int64_t;

constexpr std::uint32_t kLinearGroupSize = 64; // local_size_x of the elementwise-style shaders
constexpr std::uint32_t kGemmTile = 64;        // rows and columns of Y per linear_gemm workgroup
constexpr std::uint32_t kMaxGroups = 65535;    // per axis, the minimum every device allows

std::string prefix(const Op &op)
{
    return "vulkan: " + std::string(opName(op.kind)) + ": ";
}

// Element offsets and counts go to shaders as uint: everything must stay below 2^32.
Status checkIndexable(const Op &op, Index elements, const char *what)
{
    if (elements > Index(std::numeric_limits<std::uint32_t>::max()))
        return Status::error(prefix(op) + what + " has " + std::to_string(elements)
                             + " elements, more than 32-bit indexing allows");
    return Status::ok();
}

// A 2-D group count covering `total` threads of 64 (linearised in the shaders).
std::array<std::uint32_t, 3> threadGroups(Index total)
{
    const Index groups = (total + kLinearGroupSize - 1) / kLinearGroupSize;
    const Index x = std::min<Index>(groups, kMaxGroups);
    const Index y = x == 0 ? 0 : (groups + x - 1) / x;
    return {static_cast<std::uint32_t>(x), static_cast<std::uint32_t>(y), 1};
}

Status uploadTable(VulkanBackend &backend, const std::vector<std::uint32_t> &values, Tensor *out)
{
    std::vector<std::int32_t> words(values.size());
    for (std::size_t i = 0; i < values.size(); ++i)
        words[i] = static_cast<std::int32_t>(values[i]);
    return backend.upload(HostTensor::fromI32({Index(words.size())}, words), out);
}

struct GemmPush {
    std::uint32_t m = 0, n = 0, k = 0;
    std::uint32_t aRow = 0, aCol = 0, bRow = 0, bCol = 0, yRow = 0;
    std::uint32_t addRow = 0, addCol = 0;
    float alpha = 1.0f;
    float beta = 1.0f;
    std::uint32_t hasAdded = 0;
};

// The push constants of a planned GEMM; alpha, beta and hasAdded stay at their defaults.
GemmPush gemmPush(const StridedGemmPlan &p)
{
    GemmPush push;
    push.m = std::uint32_t(p.m);
    push.n = std::uint32_t(p.n);
    push.k = std::uint32_t(p.k);
    push.aRow = std::uint32_t(p.aRow);
    push.aCol = std::uint32_t(p.aCol);
    push.bRow = std::uint32_t(p.bRow);
    push.bCol = std::uint32_t(p.bCol);
    push.yRow = std::uint32_t(p.yRow);
    push.addRow = std::uint32_t(p.addRow);
    push.addCol = std::uint32_t(p.addCol);
    return push;
}

// The plan's offset table as the shader reads it.
std::vector<std::uint32_t> offsetTable(const StridedGemmPlan &p)
{
    std::vector<std::uint32_t> offsets(p.offsets.size());
    for (std::size_t i = 0; i < offsets.size(); ++i)
        offsets[i] = std::uint32_t(p.offsets[i]);
    return offsets;
}

// One linear_gemm dispatch over offsets.size() / 4 batches (A, B, Y, Add offsets each).
Status dispatchGemm(VulkanBackend &backend, const Op &op, const GemmPush &push, const Tensor &a, const Tensor &b,
                    const Tensor &y, const Tensor &added, const std::vector<std::uint32_t> &offsets)
{
    const std::size_t batches = offsets.size() / 4;
    if (batches > kMaxGroups)
        return Status::error(prefix(op) + std::to_string(batches) + " GEMM batches, at most "
                             + std::to_string(kMaxGroups));
    Tensor table;
    if (Status s = uploadTable(backend, offsets, &table); !s)
        return s;
    const Tensor buffers[] = {a, b, y, added, table};
    VulkanDispatch d;
    d.shader = "linear_gemm";
    d.buffers = buffers;
    d.pushConstants = asBytes(push);
    d.groupCount = {(push.n + kGemmTile - 1) / kGemmTile, (push.m + kGemmTile - 1) / kGemmTile,
                    static_cast<std::uint32_t>(batches)};
    d.usesFma = true;
    return backend.dispatch(d);
}

Status runGemm(
    VulkanBackend &backend, const Op &op, std::span<const Tensor> inputs, std::span<Tensor> outputs)
{
    const auto &attrs = op.attr<GemmAttributes>();
    const Tensor &y = outputs[0];
    const bool hasC = inputs.size() > 2 && inputs[2].valid();
    const StridedGemmPlan plan
        = planGemmStrides(attrs, inputs[0].shape, hasC ? &inputs[2].shape : nullptr, y.shape);
    GemmPush push = gemmPush(plan);
    push.alpha = attrs.alpha;
    push.beta = attrs.beta;
    push.hasAdded = hasC ? 1 : 0;
    const Tensor &a = inputs[0];
    const Tensor &b = inputs[1];
    if (elementCount(a.shape) == 0 || elementCount(b.shape) == 0) {
        // K == 0: acc stays +0.0; bind the output in place of the empty operands.
        return dispatchGemm(backend, op, push, y, y, y, hasC ? inputs[2] : y, offsetTable(plan));
    }
    return dispatchGemm(backend, op, push, a, b, y, hasC ? inputs[2] : a, offsetTable(plan));
}

Status runMatMul(
    VulkanBackend &backend, const Op &op, std::span<const Tensor> inputs, std::span<Tensor> outputs)
{
    StridedGemmPlan plan;
    if (Status s = planMatMulStrides(inputs[0].shape, inputs[1].shape, &plan); !s)
        return s;
    const GemmPush push = gemmPush(plan);
    const Tensor &y = outputs[0];
    if (plan.k == 0)
        return dispatchGemm(backend, op, push, y, y, y, y, offsetTable(plan));
    return dispatchGemm(backend, op, push, inputs[0], inputs[1], y, inputs[0], offsetTable(plan));
}

// Push constants shared by linear_im2col and linear_col2im.
struct ConvPush {
    std::uint32_t n, c, h, w;
    std::uint32_t kh, kw, oh, ow;
    std::uint32_t groups, cg;
    std::uint32_t strideH, strideW;
    std::uint32_t padTop, padLeft;
    std::uint32_t dilationH, dilationW;
    std::uint32_t total;
};

ConvPush convPush(const Conv2dGeometry &g, Index total)
{
    return {std::uint32_t(g.n),        std::uint32_t(g.c),         std::uint32_t(g.h),         std::uint32_t(g.w),
            std::uint32_t(g.kh),       std::uint32_t(g.kw),        std::uint32_t(g.oh),        std::uint32_t(g.ow),
            std::uint32_t(g.groups),   std::uint32_t(g.cg),        std::uint32_t(g.strideH),   std::uint32_t(g.strideW),
            std::uint32_t(g.padTop),   std::uint32_t(g.padLeft),   std::uint32_t(g.dilationH), std::uint32_t(g.dilationW),
            std::uint32_t(total)};
}

// cols[g][(c, kh, kw)][(n, oh, ow)] for all groups: a new tensor of plan.colsElements.
Status im2col(VulkanBackend &backend, const Op &op, const ConvGpuPlan &plan, const Tensor &x, Tensor *cols)
{
    const Index total = plan.colsElements;
    if (Status s = checkIndexable(op, total, "the im2col matrix"); !s)
        return s;
    if (Status s = backend.allocate({ DType::F32, { total } }, cols); !s)
        return s;
    const ConvPush push = convPush(plan.geometry, total);
    const Tensor buffers[] = { x, *cols };
    VulkanDispatch d;
    d.shader = "linear_im2col";
    d.buffers = buffers;
    d.pushConstants = asBytes(push);
    d.groupCount = threadGroups(total);
    return backend.dispatch(d);
}

Status planConv(const Op &op, std::span<const Tensor> inputs, ConvGpuPlan *plan)
{
    const Shape shapes[] = { inputs[0].shape, inputs[1].shape };
    return planConvGpu(op, shapes, plan);
}

Status runConv2d(
    VulkanBackend &backend, const Op &op, std::span<const Tensor> inputs, std::span<Tensor> outputs)
{
    ConvGpuPlan plan;
    if (Status s = planConv(op, inputs, &plan); !s)
        return s;
    const bool hasBias = inputs.size() > 2 && inputs[2].valid();
    GemmPush push = gemmPush(plan.gemm);
    push.hasAdded = hasBias ? 1 : 0;
    const std::vector<std::uint32_t> offsets = offsetTable(plan.gemm);
    if (elementCount(inputs[0].shape) == 0) // no input channels: acc stays +0.0
        return dispatchGemm(
            backend, op, push, outputs[0], outputs[0], outputs[0], hasBias ? inputs[2] : outputs[0], offsets);
    Tensor cols;
    if (Status s = im2col(backend, op, plan, inputs[0], &cols); !s)
        return s;
    return dispatchGemm(
        backend, op, push, inputs[1], cols, outputs[0], hasBias ? inputs[2] : inputs[1], offsets);
}

Status runConv2dBackwardInput(
    VulkanBackend &backend, const Op &op, std::span<const Tensor> inputs, std::span<Tensor> outputs)
{
    ConvGpuPlan plan;
    if (Status s = planConv(op, inputs, &plan); !s)
        return s;
    const Index colsTotal = plan.colsElements;
    if (Status s = checkIndexable(op, colsTotal, "the column matrix"); !s)
        return s;
    Tensor cols;
    if (Status s = backend.allocate({ DType::F32, { colsTotal } }, &cols); !s)
        return s;
    const GemmPush push = gemmPush(plan.gemm);
    const std::vector<std::uint32_t> offsets = offsetTable(plan.gemm);
    Status s = plan.geometry.m == 0
        ? dispatchGemm(backend, op, push, cols, cols, cols, cols, offsets)
        : dispatchGemm(backend, op, push, inputs[1], inputs[0], cols, inputs[1], offsets);
    if (!s)
        return s;
    const Index total = elementCount(outputs[0].shape);
    const ConvPush conv = convPush(plan.geometry, total);
    const Tensor buffers[] = { cols, outputs[0] };
    VulkanDispatch d;
    d.shader = "linear_col2im";
    d.buffers = buffers;
    d.pushConstants = asBytes(conv);
    d.groupCount = threadGroups(total);
    return backend.dispatch(d);
}

Status runConv2dBackwardWeight(
    VulkanBackend &backend, const Op &op, std::span<const Tensor> inputs, std::span<Tensor> outputs)
{
    ConvGpuPlan plan;
    if (Status s = planConv(op, inputs, &plan); !s)
        return s;
    const Conv2dGeometry &g = plan.geometry;
    const GemmPush push = gemmPush(plan.gemm);
    const std::vector<std::uint32_t> offsets = offsetTable(plan.gemm);
    if (plan.gemm.k == 0)
        return dispatchGemm(backend, op, push, outputs[0], outputs[0], outputs[0], outputs[0], offsets);

    // dY [N, M, plane] -> [M, N, plane], so each output channel's (n, oh, ow) run is contiguous.
    Tensor dyT;
    const Index dyTotal = plan.swappedElements;
    if (Status s = checkIndexable(op, dyTotal, "dY"); !s)
        return s;
    if (Status s = backend.allocate({ DType::F32, inputs[0].shape }, &dyT); !s)
        return s;
    struct SwapPush {
        std::uint32_t a, b, c, total;
    } swap { std::uint32_t(g.n), std::uint32_t(g.m), std::uint32_t(g.outputPlane()), std::uint32_t(dyTotal) };
    const Tensor swapBuffers[] = { inputs[0], dyT };
    VulkanDispatch d;
    d.shader = "linear_swap01";
    d.buffers = swapBuffers;
    d.pushConstants = asBytes(swap);
    d.groupCount = threadGroups(dyTotal);
    if (Status s = backend.dispatch(d); !s)
        return s;
    Tensor cols;
    if (Status s = im2col(backend, op, plan, inputs[1], &cols); !s)
        return s;
    return dispatchGemm(backend, op, push, dyT, cols, outputs[0], dyT, offsets);
}

struct PoolPush {
    std::uint32_t h, w, kh, kw;
    std::uint32_t oh, ow, strideH, strideW;
    std::uint32_t padTop, padLeft;
    std::uint32_t mode;
    std::uint32_t total;
};

Status runPool(VulkanBackend &backend, const Op &op, std::span<const Tensor> inputs, std::span<Tensor> outputs)
{
    const auto &attrs = op.attr<Pool2dAttributes>();
    const Shape &xShape = op.kind == OpKind::AvgPool2dBackward   ? attrs.inputShape
                          : op.kind == OpKind::MaxPool2dBackward ? inputs[1].shape
                                                                 : inputs[0].shape;
    Pool2dGeometry g;
    if (Status s = pool2dGeometry(opName(op.kind), xShape, attrs, &g); !s)
        return s;
    const bool average = op.kind == OpKind::AvgPool2d || op.kind == OpKind::AvgPool2dBackward;
    const Index total = elementCount(outputs[0].shape);
    if (Status s = checkIndexable(op, std::max(total, elementCount(xShape)), "the tensor"); !s)
        return s;
    const PoolPush push{std::uint32_t(g.h),       std::uint32_t(g.w),       std::uint32_t(g.kh),
                        std::uint32_t(g.kw),      std::uint32_t(g.oh),      std::uint32_t(g.ow),
                        std::uint32_t(g.strideH), std::uint32_t(g.strideW), std::uint32_t(g.padTop),
                        std::uint32_t(g.padLeft), average ? 1u : 0u,        std::uint32_t(total)};
    Tensor reciprocals = inputs[0];
    if (average) {
        const std::vector<float> r = avgPoolReciprocals(g, attrs.countIncludePad);
        if (Status s = backend.upload(HostTensor::fromF32({Index(r.size())}, r), &reciprocals); !s)
            return s;
    }
    VulkanDispatch d;
    d.pushConstants = asBytes(push);
    d.groupCount = threadGroups(total);
    if (op.kind == OpKind::MaxPool2d || op.kind == OpKind::AvgPool2d) {
        const Tensor buffers[] = {inputs[0], outputs[0], reciprocals};
        d.shader = "linear_pool";
        d.buffers = buffers;
        return backend.dispatch(d);
    }
    const Tensor &x = op.kind == OpKind::MaxPool2dBackward ? inputs[1] : inputs[0];
    const Tensor buffers[] = {inputs[0], x, outputs[0], reciprocals};
    d.shader = "linear_pool_backward";
    d.buffers = buffers;
    return backend.dispatch(d);
}

Status runGlobalAvgPool(VulkanBackend &backend, const Op &op, std::span<const Tensor> inputs,
                        std::span<Tensor> outputs)
{
    const Shape &s = inputs[0].shape;
    const Index planes = s[0] * s[1];
    const Index count = s[2] * s[3];
    if (Status status = checkIndexable(op, planes * count, "X"); !status)
        return status;
    struct {
        std::uint32_t planes;
        std::uint32_t count;
        float reciprocal;
    } push{std::uint32_t(planes), std::uint32_t(count), static_cast<float>(1.0 / static_cast<double>(count))};
    const Tensor buffers[] = {inputs[0], outputs[0]};
    VulkanDispatch d;
    d.shader = "linear_global_avg_pool";
    d.buffers = buffers;
    d.pushConstants = asBytes(push);
    d.groupCount = threadGroups(planes);
    return backend.dispatch(d);
}

} // namespace

bool vulkanSupportsLinear(OpKind kind)
{
    return opFamily(kind) == OpFamily::Linear;
}

Status vulkanRunLinear(VulkanOpContext &context, const Op &op, std::span<const Tensor> inputs,
                       std::span<Tensor> outputs)
{
    if (outputs.empty() || elementCount(outputs[0].shape) == 0)
        return Status::ok();
    for (const Tensor &t : inputs) {
        if (Status s = checkIndexable(op, t.valid() ? t.elements() : 0, "an input"); !s)
            return s;
    }
    if (Status s = checkIndexable(op, outputs[0].elements(), "the output"); !s)
        return s;
    VulkanBackend &backend = context.backend;
    switch (op.kind) {
    case OpKind::Gemm: return runGemm(backend, op, inputs, outputs);
    case OpKind::MatMul: return runMatMul(backend, op, inputs, outputs);
    case OpKind::Conv2d: return runConv2d(backend, op, inputs, outputs);
    case OpKind::Conv2dBackwardInput: return runConv2dBackwardInput(backend, op, inputs, outputs);
    case OpKind::Conv2dBackwardWeight: return runConv2dBackwardWeight(backend, op, inputs, outputs);
    case OpKind::MaxPool2d:
    case OpKind::AvgPool2d:
    case OpKind::MaxPool2dBackward:
    case OpKind::AvgPool2dBackward: return runPool(backend, op, inputs, outputs);
    case OpKind::GlobalAvgPool: return runGlobalAvgPool(backend, op, inputs, outputs);
    default: break;
    }
    return Status::error(prefix(op) + "not a linear op");
}

} // namespace tributary::engine
