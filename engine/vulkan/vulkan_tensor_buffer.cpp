#include "engine/vulkan/vulkan_tensor_buffer.h"

#include "engine/vulkan/vulkan_buffer.h"

namespace tributary::engine {

namespace {

std::string mibText(std::size_t bytes)
{
    return std::to_string((bytes + (std::size_t{1} << 20) - 1) >> 20) + " MiB";
}

Status allocationError(const char *call, VkResult result, std::size_t bytes, const TensorDesc &desc)
{
    const std::string what = mibText(bytes) + " for a " + shapeText(desc.shape) + " tensor";
    if (result == VK_ERROR_OUT_OF_DEVICE_MEMORY)
        return Status::error("vulkan: out of device memory allocating " + what);
    if (result == VK_ERROR_OUT_OF_HOST_MEMORY)
        return Status::error("vulkan: out of host memory allocating " + what);
    return Status::error(std::string("vulkan: ") + call + " (" + what + "): " + vkResultName(result));
}

} // namespace

Status VulkanTensorBuffer::create(std::shared_ptr<VulkanContext> context, const TensorDesc &desc,
                                  std::shared_ptr<VulkanTensorBuffer> *out)
{
    if (Status s = checkShape(desc.shape); !s)
        return s;
    const std::size_t bytes = std::size_t(elementCount(desc.shape)) * dtypeSize(desc.dtype);
    // Larger than any heap: say so before the driver tries (some drivers abort instead).
    VkDeviceSize largestHeap = 0;
    for (std::uint32_t h = 0; h < context->memory.memoryHeapCount; ++h)
        largestHeap = std::max(largestHeap, context->memory.memoryHeaps[h].size);
    if (bytes > largestHeap)
        return allocationError("vkAllocateMemory", VK_ERROR_OUT_OF_DEVICE_MEMORY, bytes, desc);

    const VulkanApi &api = context->api();
    std::shared_ptr<VulkanTensorBuffer> buffer(new VulkanTensorBuffer(context, bytes));
    VkBufferCreateInfo info{};
    info.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO;
    // A zero-element tensor still gets a (tiny) buffer, so that it can be bound.
    info.size = std::max<VkDeviceSize>(bytes, 16);
    info.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT
                 | VK_BUFFER_USAGE_TRANSFER_DST_BIT;
    info.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
    if (VkResult r = api.vkCreateBuffer(context->device, &info, nullptr, &buffer->m_buffer); r != VK_SUCCESS) {
        buffer->m_buffer = VK_NULL_HANDLE;
        return allocationError("vkCreateBuffer", r, bytes, desc);
    }

    VkMemoryRequirements requirements{};
    api.vkGetBufferMemoryRequirements(context->device, buffer->m_buffer, &requirements);
    const VkMemoryPropertyFlags hostAccess = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
    int type = -1;
    if (context->unifiedMemory)
        type = findVulkanMemoryType(context->memory, requirements.memoryTypeBits, hostAccess,
                                    hostAccess | VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT | VK_MEMORY_PROPERTY_HOST_CACHED_BIT);
    else
        type = findVulkanMemoryType(context->memory, requirements.memoryTypeBits, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT,
                                    VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT);
    if (type < 0)
        return Status::error("vulkan: no suitable memory type for a " + shapeText(desc.shape) + " tensor");

    VkMemoryAllocateInfo allocate{};
    allocate.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO;
    allocate.allocationSize = requirements.size;
    allocate.memoryTypeIndex = static_cast<std::uint32_t>(type);
    if (VkResult r = api.vkAllocateMemory(context->device, &allocate, nullptr, &buffer->m_memory); r != VK_SUCCESS) {
        buffer->m_memory = VK_NULL_HANDLE;
        return allocationError("vkAllocateMemory", r, bytes, desc);
    }
    if (VkResult r = api.vkBindBufferMemory(context->device, buffer->m_buffer, buffer->m_memory, 0); r != VK_SUCCESS)
        return allocationError("vkBindBufferMemory", r, bytes, desc);
    const VkMemoryPropertyFlags flags = context->memory.memoryTypes[type].propertyFlags;
    if (context->unifiedMemory && (flags & hostAccess) == hostAccess) {
        if (VkResult r = api.vkMapMemory(context->device, buffer->m_memory, 0, VK_WHOLE_SIZE, 0, &buffer->m_mapped);
            r != VK_SUCCESS) {
            buffer->m_mapped = nullptr;
            return allocationError("vkMapMemory", r, bytes, desc);
        }
    }
    *out = std::move(buffer);
    return Status::ok();
}

VulkanTensorBuffer::~VulkanTensorBuffer()
{
    const VulkanApi &api = m_context->api();
    if (m_mapped)
        api.vkUnmapMemory(m_context->device, m_memory);
    if (m_buffer != VK_NULL_HANDLE)
        api.vkDestroyBuffer(m_context->device, m_buffer, nullptr);
    if (m_memory != VK_NULL_HANDLE)
        api.vkFreeMemory(m_context->device, m_memory, nullptr);
}

VulkanTensorBuffer *vulkanTensorBuffer(const Tensor &tensor, const VulkanContext *context)
{
    auto *buffer = dynamic_cast<VulkanTensorBuffer *>(tensor.buffer.get());
    return (buffer && buffer->context() == context) ? buffer : nullptr;
}

VkBuffer vulkanBuffer(const Tensor &tensor)
{
    const auto *buffer = dynamic_cast<const VulkanTensorBuffer *>(tensor.buffer.get());
    return buffer ? buffer->handle() : VK_NULL_HANDLE;
}

} // namespace tributary::engine
