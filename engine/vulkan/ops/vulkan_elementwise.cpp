#include "engine/vulkan/ops/vulkan_ops.h"

namespace tributary::engine {

bool vulkanSupportsElementwise(OpKind)
{
    return false;
}

Status vulkanRunElementwise(VulkanOpContext &, const Op &op, std::span<const Tensor>, std::span<Tensor>)
{
    return Status::error(std::string("vulkan: ") + std::string(opName(op.kind)) + " is not implemented yet");
}

} // namespace tributary::engine
