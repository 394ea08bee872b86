#pragma once

// VulkanInstance: the loader library plus a VkInstance for Vulkan 1.1, destroyed
// together. Both discovery and every VulkanBackend create their own.

#include "engine/vulkan/vulkan_api.h"

#include <memory>
#include <string>
#include <vector>

namespace tributary::engine {

class VulkanInstance {
public:
    // Returns null and sets *error to a reason a user can act on ("no Vulkan driver (ICD)
    // found", "no Vulkan loader found (libvulkan.so.1)", or "vulkan: vkCreateInstance: VK_…").
    static std::unique_ptr<VulkanInstance> create(std::string *error);
    ~VulkanInstance();

    VulkanInstance(const VulkanInstance &) = delete;
    VulkanInstance &operator=(const VulkanInstance &) = delete;

    const VulkanApi &api() const { return m_api; }
    VulkanApi &api() { return m_api; } // for loading device functions
    VkInstance handle() const { return m_instance; }

    // Physical devices in driver order; empty with *error set on failure.
    std::vector<VkPhysicalDevice> physicalDevices(std::string *error) const;

private:
    VulkanInstance() = default;

    VulkanApi m_api;
    VkInstance m_instance = VK_NULL_HANDLE;
};

} // namespace tributary::engine
