#pragma once

// What discovery and the backend need to know about one Vulkan physical device:
// the user-facing DeviceInfo plus the queue family, limits and float-control support.

#include "engine/device_info.h"
#include "engine/vulkan/vulkan_api.h"

#include <cstdint>

namespace tributary::engine {

struct VulkanPhysicalDevice {
    DeviceInfo info; // id "vulkan:<index>"; available == false with a reason when unusable
    VkPhysicalDevice handle = VK_NULL_HANDLE;
    std::uint32_t computeQueueFamily = 0;
    VkPhysicalDeviceLimits limits{};
    // VK_KHR_shader_float_controls with shaderDenormPreserveFloat32: the shader can ask
    // for IEEE subnormals explicitly instead of relying on the driver's default.
    bool denormPreserve = false;
};

VulkanPhysicalDevice describePhysicalDevice(const VulkanApi &api, VkPhysicalDevice device, int index);

} // namespace tributary::engine
