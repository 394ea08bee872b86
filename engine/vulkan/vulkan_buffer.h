#pragma once

// VulkanBuffer: one host-visible, host-coherent buffer, persistently mapped: the staging
// buffer of an upload or download on a device whose tensors the host cannot map.
// reserve() grows it when a call needs more.

#include "engine/status.h"
#include "engine/vulkan/vulkan_api.h"

#include <string>

namespace tributary::engine {

// Index of a memory type allowed by typeBits with all `required` flags, preferring one
// that also has `preferred`; -1 when none fits.
int findVulkanMemoryType(const VkPhysicalDeviceMemoryProperties &memory, std::uint32_t typeBits,
                         VkMemoryPropertyFlags required, VkMemoryPropertyFlags preferred);

class VulkanBuffer {
public:
    // `what` names the buffer in error messages ("staging"). A readback buffer
    // prefers host-cached memory, which the CPU reads much faster.
    VulkanBuffer(const VulkanApi &api, VkDevice device, const VkPhysicalDeviceMemoryProperties &memory,
                 std::string what, bool readback);
    ~VulkanBuffer();

    VulkanBuffer(const VulkanBuffer &) = delete;
    VulkanBuffer &operator=(const VulkanBuffer &) = delete;

    // Makes the buffer at least `bytes` large. Growing drops the old contents and sets
    // *reallocated, since descriptors pointing at the old buffer must be rewritten.
    Status reserve(VkDeviceSize bytes, bool *reallocated);

    VkBuffer handle() const { return m_buffer; }
    void *mapped() const { return m_mapped; }
    VkDeviceSize size() const { return m_size; }

private:
    void release();
    Status allocationError(const char *call, VkResult result, VkDeviceSize bytes) const;

    const VulkanApi &m_api;
    VkDevice m_device;
    const VkPhysicalDeviceMemoryProperties &m_memory;
    std::string m_what;
    bool m_readback;
    VkBuffer m_buffer = VK_NULL_HANDLE;
    VkDeviceMemory m_allocation = VK_NULL_HANDLE;
    void *m_mapped = nullptr;
    VkDeviceSize m_size = 0;
};

} // namespace tributary::engine
