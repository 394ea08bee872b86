#include "engine/vulkan/vulkan_tensor_buffer.h"

#include "engine/ops/shape_inference.h"
#include "engine/vulkan/vulkan_buffer.h"

#include <algorithm>

namespace tributary::engine {

namespace {

// Out-of-memory results become the engine's "out of memory" message; anything else names
// the call that failed.
Status allocationError(const char *call, VkResult result, std::size_t bytes, const TensorDesc &desc,
    const std::string &device, VkDeviceSize heapBytes)
{
    if (result == VK_ERROR_OUT_OF_DEVICE_MEMORY || result == VK_ERROR_OUT_OF_HOST_MEMORY)
        return outOfMemory(desc, bytes, device, heapBytes, std::string(call) + ": " + vkResultName(result));
    return Status::error(device + ": " + call + " for a " + std::string(dtypeName(desc.dtype))
        + shapeText(desc.shape) + " tensor (" + byteSizeText(double(bytes)) + "): " + vkResultName(result));
}

} // namespace

Status VulkanTensorBuffer::create(std::shared_ptr<VulkanContext> context, const TensorDesc &desc,
    const std::string &device, std::shared_ptr<VulkanTensorBuffer> *out)
{
    std::size_t bytes = 0;
    if (Status s = tensorBytes(desc, &bytes); !s)
        return Status::error(device + ": " + s.message());
    // Larger than any heap: say so before the driver tries (some drivers abort instead).
    VkDeviceSize largestHeap = 0;
    for (std::uint32_t h = 0; h < context->memory.memoryHeapCount; ++h)
        largestHeap = std::max(largestHeap, context->memory.memoryHeaps[h].size);
    if (bytes > largestHeap)
        return outOfMemory(desc, bytes, device, largestHeap, "its largest memory heap");

    const VulkanApi &api = context->api();
    std::shared_ptr<VulkanTensorBuffer> buffer(new VulkanTensorBuffer(context, bytes));
    VkBufferCreateInfo info {};
    info.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO;
    // A zero-element tensor still gets a (tiny) buffer, so that it can be bound.
    info.size = std::max<VkDeviceSize>(bytes, 16);
    info.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT
        | VK_BUFFER_USAGE_TRANSFER_DST_BIT;
    info.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
    if (VkResult r = api.vkCreateBuffer(context->device, &info, nullptr, &buffer->m_buffer);
        r != VK_SUCCESS) {
        buffer->m_buffer = VK_NULL_HANDLE;
        return allocationError("vkCreateBuffer", r, bytes, desc, device, largestHeap);
    }

    VkMemoryRequirements requirements {};
    api.vkGetBufferMemoryRequirements(context->device, buffer->m_buffer, &requirements);
    const VkMemoryPropertyFlags hostAccess
        = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
    int type = -1;
    if (context->unifiedMemory)
        type = findVulkanMemoryType(context->memory, requirements.memoryTypeBits, hostAccess,
            hostAccess | VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT | VK_MEMORY_PROPERTY_HOST_CACHED_BIT);
    else
        type = findVulkanMemoryType(context->memory, requirements.memoryTypeBits,
            VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT);
    if (type < 0)
        return Status::error(device + ": no suitable memory type for a " + shapeText(desc.shape) + " tensor");
    const VkDeviceSize heap = context->memory.memoryHeaps[context->memory.memoryTypes[type].heapIndex].size;
    if (requirements.size > heap)
        return outOfMemory(desc, requirements.size, device, heap, "the memory heap tensors use");

    VkMemoryAllocateInfo allocate {};
    allocate.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO;
    allocate.allocationSize = requirements.size;
    allocate.memoryTypeIndex = static_cast<std::uint32_t>(type);
    if (VkResult r = api.vkAllocateMemory(context->device, &allocate, nullptr, &buffer->m_memory);
        r != VK_SUCCESS) {
        buffer->m_memory = VK_NULL_HANDLE;
        return allocationError("vkAllocateMemory", r, bytes, desc, device, heap);
    }
    if (VkResult r = api.vkBindBufferMemory(context->device, buffer->m_buffer, buffer->m_memory, 0);
        r != VK_SUCCESS)
        return allocationError("vkBindBufferMemory", r, bytes, desc, device, heap);
    const VkMemoryPropertyFlags flags = context->memory.memoryTypes[type].propertyFlags;
    if (context->unifiedMemory && (flags & hostAccess) == hostAccess) {
        if (VkResult r
            = api.vkMapMemory(context->device, buffer->m_memory, 0, VK_WHOLE_SIZE, 0, &buffer->m_mapped);
            r != VK_SUCCESS) {
            buffer->m_mapped = nullptr;
            return allocationError("vkMapMemory", r, bytes, desc, device, heap);
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
