#pragma once

// VulkanBackend: GEMM on one Vulkan device with the tiled compute shader gemm.comp.
// Created through openVulkanBackend() (vulkan_device.h), which checks exact mode with the
// native fma() shader and falls back to the integer softFma variant when that fails.
//
// Owns its own instance, logical device, compute queue, pipeline and three
// host-visible storage buffers (A, B, C) that are reused across calls and grow as
// needed. Every Vulkan failure becomes a Status "vulkan: <what>: <VkResult name>".
// After a device loss or a timed-out dispatch the backend refuses further work.

#include "engine/backend.h"
#include "engine/vulkan/vulkan_buffer.h"
#include "engine/vulkan/vulkan_instance.h"
#include "engine/vulkan/vulkan_physical_device.h"

#include <cstdint>
#include <memory>
#include <string>

namespace tributary::engine {

class VulkanBackend final : public Backend {
public:
    // Returns null and sets *error when the device cannot be set up.
    static std::unique_ptr<VulkanBackend> create(const DeviceInfo &device, std::string *error);
    ~VulkanBackend() override;

    const DeviceInfo &device() const override { return m_physical.info; }

    Status gemm(std::span<const float> a, std::span<const float> b, std::span<float> c,
                GemmShape shape) override;

    // Tensors and ops: not on this backend yet (the GPU op infrastructure lands next);
    // every call fails with a message saying so, and supports() is false.
    Status allocate(const TensorDesc &desc, Tensor *out) override;
    Status upload(const HostTensor &host, Tensor *out) override;
    Status download(const Tensor &tensor, HostTensor *out) override;
    bool supports(OpKind kind) const override;
    Status run(const Op &op, std::span<const Tensor> inputs, std::span<Tensor> outputs) override;
    Status synchronize() override;

    // Switches to the shader variant that emulates fma in integer arithmetic, for a
    // device whose fma() is not fused or that flushes subnormals. Adds "emulated fma"
    // to device().features.
    Status useSoftFma();

private:
    VulkanBackend() = default;

    Status init(const DeviceInfo &device);
    Status createDevice();
    Status createPipeline(bool softFma);
    Status createShaderPipeline(bool softFma);
    Status createDescriptors();
    Status prepareBuffers(VkDeviceSize aBytes, VkDeviceSize bBytes, VkDeviceSize cBytes);
    Status recordAndSubmit(GemmShape shape);

    std::unique_ptr<VulkanInstance> m_instance;
    VulkanPhysicalDevice m_physical;
    VkPhysicalDeviceMemoryProperties m_memory{};
    VkDevice m_device = VK_NULL_HANDLE;
    VkQueue m_queue = VK_NULL_HANDLE;
    VkCommandPool m_commandPool = VK_NULL_HANDLE;
    VkCommandBuffer m_commandBuffer = VK_NULL_HANDLE;
    VkFence m_fence = VK_NULL_HANDLE;
    VkDescriptorSetLayout m_setLayout = VK_NULL_HANDLE;
    VkPipelineLayout m_pipelineLayout = VK_NULL_HANDLE;
    VkPipeline m_pipeline = VK_NULL_HANDLE;
    VkDescriptorPool m_descriptorPool = VK_NULL_HANDLE;
    VkDescriptorSet m_descriptorSet = VK_NULL_HANDLE;
    std::unique_ptr<VulkanBuffer> m_a, m_b, m_c;

    // The shader's tile: a workgroup of m_groupX × m_groupY threads computes
    // (m_groupY·kThreadRows) × (m_groupX·kThreadColumns) outputs.
    std::uint32_t m_groupX = 16;
    std::uint32_t m_groupY = 16;
    bool m_unusable = false; // device lost or a dispatch timed out
    std::string m_unusableReason;
};

} // namespace tributary::engine
