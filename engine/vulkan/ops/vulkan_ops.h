#pragma once

// The Vulkan backend's op kernels, one function per op family (vulkan_<family>.cpp),
// each recording dispatches of the shaders in vulkan/shaders/<family>_*.comp through
// VulkanBackend::dispatch(). Every result must equal the CPU reference bit for bit.
//
// VulkanBackend::run has checked that every input with storage and every output is a
// tensor of this device; dispatch() binds them (vulkan_dispatch.h shows a call).

#include "engine/ops/op.h"
#include "engine/status.h"
#include "engine/tensor.h"

#include <span>

namespace tributary::engine {

class VulkanBackend;

struct VulkanOpContext {
    VulkanBackend &backend;
};

Status vulkanRunElementwise(VulkanOpContext &context, const Op &op, std::span<const Tensor> inputs,
                            std::span<Tensor> outputs);
Status vulkanRunLinear(VulkanOpContext &context, const Op &op, std::span<const Tensor> inputs,
                       std::span<Tensor> outputs);
Status vulkanRunReduce(VulkanOpContext &context, const Op &op, std::span<const Tensor> inputs,
                       std::span<Tensor> outputs);
Status vulkanRunLayout(VulkanOpContext &context, const Op &op, std::span<const Tensor> inputs,
                       std::span<Tensor> outputs);
Status vulkanRunOptimizer(VulkanOpContext &context, const Op &op, std::span<const Tensor> inputs,
                          std::span<Tensor> outputs);

bool vulkanSupportsElementwise(OpKind kind);
bool vulkanSupportsLinear(OpKind kind);
bool vulkanSupportsReduce(OpKind kind);
bool vulkanSupportsLayout(OpKind kind);
bool vulkanSupportsOptimizer(OpKind kind);

} // namespace tributary::engine
