#pragma once

// VulkanTensorBuffer: a Vulkan backend tensor's storage, one VkBuffer with its own
// memory. Device-local memory when the device has it; on a unified-memory device
// (VulkanContext::unifiedMemory: lavapipe, integrated GPUs) that memory is also
// host-visible and stays mapped, so uploads and downloads are plain memcpy. Kernels
// bind it with vulkanBuffer(tensor) (VulkanBackend::dispatch does that for them).

#include "engine/status.h"
#include "engine/tensor.h"
#include "engine/vulkan/vulkan_context.h"

#include <memory>
#include <string>

namespace tributary::engine {

class VulkanTensorBuffer final : public DeviceBuffer {
public:
    // Allocates storage for `desc`. Fails with "out of memory: tensor f32[…] needs N GiB,
    // vulkan:0 has M GiB (…)" (`device` names the device) when the tensor is larger than
    // the device's memory heap or the driver cannot allocate it, and with "… is too large"
    // when its size overflows; the device stays usable.
    static Status create(std::shared_ptr<VulkanContext> context, const TensorDesc &desc, const std::string &device,
                         std::shared_ptr<VulkanTensorBuffer> *out);
    ~VulkanTensorBuffer() override;

    VulkanTensorBuffer(const VulkanTensorBuffer &) = delete;
    VulkanTensorBuffer &operator=(const VulkanTensorBuffer &) = delete;

    std::size_t bytes() const override { return m_bytes; }
    VkBuffer handle() const { return m_buffer; }
    // The mapped memory on a unified-memory device, else null.
    void *mapped() const { return m_mapped; }
    const VulkanContext *context() const { return m_context.get(); }

private:
    VulkanTensorBuffer(std::shared_ptr<VulkanContext> context, std::size_t bytes)
        : m_context(std::move(context)), m_bytes(bytes)
    {
    }

    std::shared_ptr<VulkanContext> m_context;
    std::size_t m_bytes;
    VkBuffer m_buffer = VK_NULL_HANDLE;
    VkDeviceMemory m_memory = VK_NULL_HANDLE;
    void *m_mapped = nullptr;
};

// The storage buffer of a Vulkan backend tensor; VK_NULL_HANDLE for a tensor without
// storage or from another backend.
VkBuffer vulkanBuffer(const Tensor &tensor);

// The tensor's VulkanTensorBuffer when it is a tensor of the device `context`, else null.
VulkanTensorBuffer *vulkanTensorBuffer(const Tensor &tensor, const VulkanContext *context);

} // namespace tributary::engine
