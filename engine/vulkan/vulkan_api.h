#pragma once

// VulkanApi: the Vulkan entry points the engine uses, loaded at run time from the
// loader library (libvulkan.so.1) instead of linked, so the engine starts on machines
// without Vulkan and simply reports it as unavailable.
//
//   VulkanApi api;
//   if (!api.loadLibrary(&error)) ...            // dlopen + global functions
//   api.vkCreateInstance(...); api.loadInstance(instance);
//   api.vkCreateDevice(...);   api.loadDevice(device);
//
// The library stays loaded for the lifetime of the object, so it must outlive every
// Vulkan object created through it.

#define VK_NO_PROTOTYPES
#include <vulkan/vulkan.h>

#include <string>

namespace tributary::engine {

#define TRIBUTARY_VK_GLOBAL_FUNCTIONS(X) \
    X(vkCreateInstance)                  \
    X(vkEnumerateInstanceVersion)

#define TRIBUTARY_VK_INSTANCE_FUNCTIONS(X)      \
    X(vkDestroyInstance)                        \
    X(vkEnumeratePhysicalDevices)               \
    X(vkGetPhysicalDeviceProperties)            \
    X(vkGetPhysicalDeviceProperties2)           \
    X(vkGetPhysicalDeviceFeatures)              \
    X(vkGetPhysicalDeviceMemoryProperties)      \
    X(vkGetPhysicalDeviceQueueFamilyProperties) \
    X(vkEnumerateDeviceExtensionProperties)     \
    X(vkCreateDevice)                           \
    X(vkGetDeviceProcAddr)

#define TRIBUTARY_VK_DEVICE_FUNCTIONS(X) \
    X(vkDestroyDevice)                   \
    X(vkDeviceWaitIdle)                  \
    X(vkGetDeviceQueue)                  \
    X(vkQueueSubmit)                     \
    X(vkCreateCommandPool)               \
    X(vkDestroyCommandPool)              \
    X(vkAllocateCommandBuffers)          \
    X(vkResetCommandBuffer)              \
    X(vkBeginCommandBuffer)              \
    X(vkEndCommandBuffer)                \
    X(vkCmdBindPipeline)                 \
    X(vkCmdBindDescriptorSets)           \
    X(vkCmdPushConstants)                \
    X(vkCmdDispatch)                     \
    X(vkCmdPipelineBarrier)              \
    X(vkCmdCopyBuffer)                   \
    X(vkCreateFence)                     \
    X(vkDestroyFence)                    \
    X(vkWaitForFences)                   \
    X(vkResetFences)                     \
    X(vkCreateBuffer)                    \
    X(vkDestroyBuffer)                   \
    X(vkGetBufferMemoryRequirements)     \
    X(vkAllocateMemory)                  \
    X(vkFreeMemory)                      \
    X(vkBindBufferMemory)                \
    X(vkMapMemory)                       \
    X(vkUnmapMemory)                     \
    X(vkCreateShaderModule)              \
    X(vkDestroyShaderModule)             \
    X(vkCreateDescriptorSetLayout)       \
    X(vkDestroyDescriptorSetLayout)      \
    X(vkCreatePipelineLayout)            \
    X(vkDestroyPipelineLayout)           \
    X(vkCreateComputePipelines)          \
    X(vkDestroyPipeline)                 \
    X(vkCreateDescriptorPool)            \
    X(vkDestroyDescriptorPool)           \
    X(vkAllocateDescriptorSets)          \
    X(vkResetDescriptorPool)             \
    X(vkUpdateDescriptorSets)

class VulkanApi {
public:
    VulkanApi() = default;
    ~VulkanApi();

    VulkanApi(const VulkanApi &) = delete;
    VulkanApi &operator=(const VulkanApi &) = delete;

    // Loads the Vulkan loader and its global functions. On failure sets *error to a
    // reason a user can act on and returns false.
    bool loadLibrary(std::string *error);
    // Loads the instance-level functions; false when one is missing (sets *error).
    bool loadInstance(VkInstance instance, std::string *error);
    // Loads the device-level functions; false when one is missing (sets *error).
    bool loadDevice(VkDevice device, std::string *error);

#define TRIBUTARY_VK_DECLARE(name) PFN_##name name = nullptr;
    TRIBUTARY_VK_GLOBAL_FUNCTIONS(TRIBUTARY_VK_DECLARE)
    TRIBUTARY_VK_INSTANCE_FUNCTIONS(TRIBUTARY_VK_DECLARE)
    TRIBUTARY_VK_DEVICE_FUNCTIONS(TRIBUTARY_VK_DECLARE)
#undef TRIBUTARY_VK_DECLARE

private:
    void *m_library = nullptr;
    PFN_vkGetInstanceProcAddr m_getInstanceProcAddr = nullptr;
};

// "VK_ERROR_OUT_OF_DEVICE_MEMORY" etc.; the number for codes it does not know.
std::string vkResultName(VkResult result);

} // namespace tributary::engine
