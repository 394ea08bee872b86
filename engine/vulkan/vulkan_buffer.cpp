#include "engine/vulkan/vulkan_buffer.h"

namespace tributary::engine {

int findVulkanMemoryType(const VkPhysicalDeviceMemoryProperties &memory, std::uint32_t typeBits,
                   VkMemoryPropertyFlags required, VkMemoryPropertyFlags preferred)
{
    int fallback = -1;
    for (std::uint32_t type = 0; type < memory.memoryTypeCount; ++type) {
        if (!(typeBits & (1u << type)))
            continue;
        const VkMemoryPropertyFlags flags = memory.memoryTypes[type].propertyFlags;
        if ((flags & required) != required)
            continue;
        if ((flags & preferred) == preferred)
            return static_cast<int>(type);
        if (fallback < 0)
            fallback = static_cast<int>(type);
    }
    return fallback;
}

VulkanBuffer::VulkanBuffer(const VulkanApi &api, VkDevice device, const VkPhysicalDeviceMemoryProperties &memory,
                           std::string what, bool readback)
    : m_api(api), m_device(device), m_memory(memory), m_what(std::move(what)), m_readback(readback)
{
}

VulkanBuffer::~VulkanBuffer()
{
    release();
}

void VulkanBuffer::release()
{
    if (m_mapped)
        m_api.vkUnmapMemory(m_device, m_allocation);
    if (m_buffer != VK_NULL_HANDLE)
        m_api.vkDestroyBuffer(m_device, m_buffer, nullptr);
    if (m_allocation != VK_NULL_HANDLE)
        m_api.vkFreeMemory(m_device, m_allocation, nullptr);
    m_mapped = nullptr;
    m_buffer = VK_NULL_HANDLE;
    m_allocation = VK_NULL_HANDLE;
    m_size = 0;
}

Status VulkanBuffer::allocationError(const char *call, VkResult result, VkDeviceSize bytes) const
{
    const std::string mib = std::to_string((bytes + (1u << 20) - 1) >> 20);
    if (result == VK_ERROR_OUT_OF_DEVICE_MEMORY)
        return Status::error("vulkan: out of device memory allocating " + mib + " MiB for " + m_what);
    if (result == VK_ERROR_OUT_OF_HOST_MEMORY)
        return Status::error("vulkan: out of host memory allocating " + mib + " MiB for " + m_what);
    return Status::error(std::string("vulkan: ") + call + " (" + mib + " MiB for " + m_what
                         + "): " + vkResultName(result));
}

Status VulkanBuffer::reserve(VkDeviceSize bytes, bool *reallocated)
{
    if (bytes <= m_size)
        return Status::ok();
    release();
    *reallocated = true;

    VkBufferCreateInfo info{};
    info.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO;
    info.size = bytes;
    info.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT;
    info.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
    if (VkResult r = m_api.vkCreateBuffer(m_device, &info, nullptr, &m_buffer); r != VK_SUCCESS) {
        m_buffer = VK_NULL_HANDLE;
        return allocationError("vkCreateBuffer", r, bytes);
    }

    VkMemoryRequirements requirements{};
    m_api.vkGetBufferMemoryRequirements(m_device, m_buffer, &requirements);
    const VkMemoryPropertyFlags required = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
    const VkMemoryPropertyFlags preferred = m_readback ? VK_MEMORY_PROPERTY_HOST_CACHED_BIT : 0;
    const int type = findVulkanMemoryType(m_memory, requirements.memoryTypeBits, required, required | preferred);
    if (type < 0) {
        release();
        return Status::error("vulkan: no host-visible coherent memory type for " + m_what);
    }

    VkMemoryAllocateInfo allocate{};
    allocate.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO;
    allocate.allocationSize = requirements.size;
    allocate.memoryTypeIndex = static_cast<std::uint32_t>(type);
    if (VkResult r = m_api.vkAllocateMemory(m_device, &allocate, nullptr, &m_allocation); r != VK_SUCCESS) {
        m_allocation = VK_NULL_HANDLE;
        release();
        return allocationError("vkAllocateMemory", r, bytes);
    }
    if (VkResult r = m_api.vkBindBufferMemory(m_device, m_buffer, m_allocation, 0); r != VK_SUCCESS) {
        release();
        return allocationError("vkBindBufferMemory", r, bytes);
    }
    if (VkResult r = m_api.vkMapMemory(m_device, m_allocation, 0, VK_WHOLE_SIZE, 0, &m_mapped); r != VK_SUCCESS) {
        m_mapped = nullptr;
        release();
        return allocationError("vkMapMemory", r, bytes);
    }
    m_size = bytes;
    return Status::ok();
}

} // namespace tributary::engine
