// Vulkan kernels of the elementwise family: shaders elementwise_unary.comp and
// elementwise_binary.comp (SumToShape runs reduce_generic.comp), bit for bit the CPU
// reference (engine/ops/elementwise.h).

#include "engine/kernels/index_plan.h"
#include "engine/ops/shape_inference.h"
#include "engine/vulkan/ops/vulkan_ops.h"
#include "engine/vulkan/vulkan_backend.h"

#include <cstdint>
#include <limits>

namespace tributary::engine {

namespace {

constexpr std::uint32_t kGroupSize = 256;

std::uint32_t unaryCode(OpKind kind)
{
    switch (kind) {
    case OpKind::Neg: return 0;
    case OpKind::Relu: return 1;
    case OpKind::Gelu: return 2;
    case OpKind::Tanh: return 3;
    case OpKind::Sigmoid: return 4;
    case OpKind::Exp: return 5;
    case OpKind::Log: return 6;
    default: return 7; // Sqrt
    }
}

std::uint32_t binaryCode(OpKind kind)
{
    switch (kind) {
    case OpKind::Add: return 0;
    case OpKind::Sub: return 1;
    case OpKind::Mul: return 2;
    case OpKind::Div: return 3;
    case OpKind::ReluBackward: return 4;
    case OpKind::GeluBackward: return 5;
    case OpKind::TanhBackward: return 6;
    default: return 7; // SigmoidBackward
    }
}

Status tooLarge(const Op &op, const Tensor &t)
{
    return Status::error("vulkan: " + std::string(opName(op.kind)) + ": " + shapeText(t.shape)
                         + " has more elements than 32-bit indexing allows");
}

bool fits32(std::int64_t n)
{
    return n >= 0 && n <= std::int64_t(std::numeric_limits<std::uint32_t>::max());
}

Status checkArguments(const Op &op, std::span<const Tensor> inputs, std::span<Tensor> outputs)
{
    std::vector<TensorDesc> expected;
    if (Status s = inferOutputs(op, inputs, &expected); !s)
        return s;
    if (outputs.size() != expected.size() || !outputs[0].valid() || outputs[0].shape != expected[0].shape
        || outputs[0].dtype != expected[0].dtype)
        return Status::error("vulkan: " + std::string(opName(op.kind)) + ": the output is not allocated as "
                             + shapeText(expected[0].shape));
    for (const Tensor &t : inputs) {
        if (!fits32(t.elements()))
            return tooLarge(op, t);
    }
    if (!fits32(outputs[0].elements()))
        return tooLarge(op, outputs[0]);
    return Status::ok();
}

} // namespace

// Shared with vulkan_reduce.cpp: a canonical-order sum/mean/max over the flagged dims.
Status vulkanReduceGeneric(VulkanBackend &backend, const Tensor &x, const std::vector<bool> &reduced,
                           std::uint32_t mode, float scale, const Tensor &y);

bool vulkanSupportsElementwise(OpKind kind)
{
    return opFamily(kind) == OpFamily::Elementwise;
}

Status vulkanRunElementwise(VulkanOpContext &context, const Op &op, std::span<const Tensor> inputs,
                            std::span<Tensor> outputs)
{
    if (Status s = checkArguments(op, inputs, outputs); !s)
        return s;
    const std::uint32_t spec[] = {kGroupSize};
    const Tensor &y = outputs[0];
    const auto count = static_cast<std::uint32_t>(y.elements());
    switch (op.kind) {
    case OpKind::Neg:
    case OpKind::Relu:
    case OpKind::Gelu:
    case OpKind::Tanh:
    case OpKind::Sigmoid:
    case OpKind::Exp:
    case OpKind::Log:
    case OpKind::Sqrt: {
        struct Push {
            std::uint32_t count, op;
        } push{count, unaryCode(op.kind)};
        const Tensor buffers[] = {inputs[0], y};
        return context.backend.dispatch(
            {"elementwise_unary", spec, buffers, asBytes(push), groupsFor(count, kGroupSize)});
    }
    case OpKind::SumToShape: {
        const Shape &in = inputs[0].shape;
        const std::size_t offset = in.size() - y.shape.size();
        std::vector<bool> reduced(in.size(), false);
        for (std::size_t d = 0; d < in.size(); ++d)
            reduced[d] = d < offset || (y.shape[d - offset] == 1 && in[d] != 1);
        return vulkanReduceGeneric(context.backend, inputs[0], reduced, 0, 1.0f, y);
    }
    default: break;
    }
    const BroadcastPlan plan = makeBroadcastPlan(inputs[0].shape, inputs[1].shape, y.shape);
    if (plan.dims.size() > 6)
        return Status::error("vulkan: " + std::string(opName(op.kind)) + ": broadcasting " + shapeText(inputs[0].shape)
                             + " with " + shapeText(inputs[1].shape) + " needs more than 6 dimensions");
    struct Push {
        std::uint32_t count, op, rank;
        std::uint32_t dims[6], strideA[6], strideB[6];
    } push{};
    push.count = count;
    push.op = binaryCode(op.kind);
    push.rank = static_cast<std::uint32_t>(plan.dims.size());
    for (std::size_t d = 0; d < plan.dims.size(); ++d) {
        push.dims[d] = static_cast<std::uint32_t>(plan.dims[d]);
        push.strideA[d] = static_cast<std::uint32_t>(plan.strideA[d]);
        push.strideB[d] = static_cast<std::uint32_t>(plan.strideB[d]);
    }
    const Tensor buffers[] = {inputs[0], inputs[1], y};
    return context.backend.dispatch({"elementwise_binary", spec, buffers, asBytes(push), groupsFor(count, kGroupSize)});
}

} // namespace tributary::engine
