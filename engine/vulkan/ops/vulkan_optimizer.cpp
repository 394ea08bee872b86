// Vulkan kernels of the optimizer family: optimizer_sgd.comp and optimizer_adamw.comp, bit
// for bit the CPU reference (engine/ops/optimizer.h).

#include "engine/ops/optimizer.h"
#include "engine/vulkan/ops/vulkan_ops.h"
#include "engine/vulkan/vulkan_backend.h"

#include <cstdint>
#include <limits>

namespace tributary::engine {

namespace {

constexpr std::uint32_t kGroupSize = 256;

} // namespace

bool vulkanSupportsOptimizer(OpKind kind)
{
    return kind == OpKind::SgdUpdate || kind == OpKind::AdamWUpdate;
}

Status vulkanRunOptimizer(VulkanOpContext &context, const Op &op, std::span<const Tensor> inputs,
                          std::span<Tensor> outputs)
{
    std::vector<TensorDesc> expected;
    if (Status s = inferOutputs(op, inputs, &expected); !s)
        return s;
    const std::string prefix = "vulkan: " + std::string(opName(op.kind)) + ": ";
    if (outputs.size() != expected.size())
        return Status::error(prefix + "expects " + std::to_string(expected.size()) + " outputs");
    for (std::size_t i = 0; i < outputs.size(); ++i) {
        if (!outputs[i].valid() || outputs[i].shape != expected[i].shape)
            return Status::error(prefix + "output " + std::to_string(i) + " is not allocated as "
                                 + shapeText(expected[i].shape));
    }
    const std::int64_t count = inputs[0].elements();
    if (count > std::int64_t(std::numeric_limits<std::uint32_t>::max()))
        return Status::error(prefix + shapeText(inputs[0].shape) + " has too many elements for 32-bit indexing");
    const std::uint32_t spec[] = {kGroupSize};
    const auto n = static_cast<std::uint32_t>(count);
    if (op.kind == OpKind::SgdUpdate) {
        const SgdAttributes &a = op.attr<SgdAttributes>();
        struct Push {
            std::uint32_t count, nesterov;
            float learningRate, momentum, weightDecay;
        } push{n, a.nesterov ? 1u : 0u, a.learningRate, a.momentum, a.weightDecay};
        const Tensor buffers[] = {inputs[0], inputs[1], inputs[2], outputs[0], outputs[1]};
        return context.backend.dispatch({"optimizer_sgd", spec, buffers, asBytes(push), groupsFor(n, kGroupSize)});
    }
    const AdamWAttributes &a = op.attr<AdamWAttributes>();
    const AdamWConstants c = adamWConstants(a);
    struct Push {
        std::uint32_t count;
        float beta1, beta2, epsilon, decay, c1, c2, stepSize, invSqrtBc2;
    } push{n, a.beta1, a.beta2, a.epsilon, c.decay, c.c1, c.c2, c.stepSize, c.invSqrtBc2};
    const Tensor buffers[] = {inputs[0], inputs[1], inputs[2], inputs[3], outputs[0], outputs[1], outputs[2]};
    return context.backend.dispatch({"optimizer_adamw", spec, buffers, asBytes(push), groupsFor(n, kGroupSize)});
}

} // namespace tributary::engine
