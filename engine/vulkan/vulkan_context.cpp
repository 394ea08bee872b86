#include "engine/vulkan/vulkan_context.h"

namespace tributary::engine {

VulkanContext::~VulkanContext()
{
    if (device != VK_NULL_HANDLE) {
        api().vkDeviceWaitIdle(device);
        api().vkDestroyDevice(device, nullptr);
    }
}

} // namespace tributary::engine
