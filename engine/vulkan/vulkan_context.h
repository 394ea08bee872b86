#pragma once

// VulkanContext: the instance and logical device a VulkanBackend works on. The backend
// and every tensor it allocates share it, so a tensor that outlives its backend still
// frees its memory on a live device; the device goes when the last of them does.

#include "engine/vulkan/vulkan_instance.h"

#include <memory>

namespace tributary::engine {

struct VulkanContext {
    VulkanContext() = default;
    ~VulkanContext();
    VulkanContext(const VulkanContext &) = delete;
    VulkanContext &operator=(const VulkanContext &) = delete;

    const VulkanApi &api() const { return instance->api(); }

    std::unique_ptr<VulkanInstance> instance;
    VkDevice device = VK_NULL_HANDLE;
    VkPhysicalDeviceMemoryProperties memory{};
    VkPhysicalDeviceLimits limits{};
    // Device-local memory the host can map and read at full speed (a CPU device such as
    // lavapipe, or an integrated GPU): tensors live there and are copied with memcpy.
    // Otherwise (discrete GPUs) uploads and downloads go through staging buffers.
    bool unifiedMemory = false;
};

} // namespace tributary::engine
