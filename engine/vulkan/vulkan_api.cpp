#include "engine/vulkan/vulkan_api.h"

#include <dlfcn.h>

namespace tributary::engine {

VulkanApi::~VulkanApi()
{
    if (m_library)
        dlclose(m_library);
}

bool VulkanApi::loadLibrary(std::string *error)
{
    for (const char *name : {"libvulkan.so.1", "libvulkan.so"}) {
        m_library = dlopen(name, RTLD_NOW | RTLD_LOCAL);
        if (m_library)
            break;
    }
    if (!m_library) {
        *error = "no Vulkan loader found (libvulkan.so.1)";
        return false;
    }
    m_getInstanceProcAddr =
        reinterpret_cast<PFN_vkGetInstanceProcAddr>(dlsym(m_library, "vkGetInstanceProcAddr"));
    if (!m_getInstanceProcAddr) {
        *error = "the Vulkan loader has no vkGetInstanceProcAddr";
        return false;
    }
#define TRIBUTARY_VK_LOAD(fn) fn = reinterpret_cast<PFN_##fn>(m_getInstanceProcAddr(nullptr, #fn));
    TRIBUTARY_VK_GLOBAL_FUNCTIONS(TRIBUTARY_VK_LOAD)
#undef TRIBUTARY_VK_LOAD
    if (!vkCreateInstance) {
        *error = "the Vulkan loader has no vkCreateInstance";
        return false;
    }
    return true; // vkEnumerateInstanceVersion is absent on 1.0 loaders; callers check it
}

bool VulkanApi::loadInstance(VkInstance instance, std::string *error)
{
#define TRIBUTARY_VK_LOAD(fn)                                                          \
    fn = reinterpret_cast<PFN_##fn>(m_getInstanceProcAddr(instance, #fn));             \
    if (!fn) {                                                                         \
        *error = "vulkan: the driver has no " #fn;                                     \
        return false;                                                                  \
    }
    TRIBUTARY_VK_INSTANCE_FUNCTIONS(TRIBUTARY_VK_LOAD)
#undef TRIBUTARY_VK_LOAD
    return true;
}

bool VulkanApi::loadDevice(VkDevice device, std::string *error)
{
#define TRIBUTARY_VK_LOAD(fn)                                                          \
    fn = reinterpret_cast<PFN_##fn>(vkGetDeviceProcAddr(device, #fn));                 \
    if (!fn) {                                                                         \
        *error = "vulkan: the driver has no " #fn;                                     \
        return false;                                                                  \
    }
    TRIBUTARY_VK_DEVICE_FUNCTIONS(TRIBUTARY_VK_LOAD)
#undef TRIBUTARY_VK_LOAD
    return true;
}

std::string vkResultName(VkResult result)
{
    switch (result) {
#define TRIBUTARY_VK_RESULT(name) \
    case name:                    \
        return #name;
        TRIBUTARY_VK_RESULT(VK_SUCCESS)
        TRIBUTARY_VK_RESULT(VK_NOT_READY)
        TRIBUTARY_VK_RESULT(VK_TIMEOUT)
        TRIBUTARY_VK_RESULT(VK_EVENT_SET)
        TRIBUTARY_VK_RESULT(VK_EVENT_RESET)
        TRIBUTARY_VK_RESULT(VK_INCOMPLETE)
        TRIBUTARY_VK_RESULT(VK_ERROR_OUT_OF_HOST_MEMORY)
        TRIBUTARY_VK_RESULT(VK_ERROR_OUT_OF_DEVICE_MEMORY)
        TRIBUTARY_VK_RESULT(VK_ERROR_INITIALIZATION_FAILED)
        TRIBUTARY_VK_RESULT(VK_ERROR_DEVICE_LOST)
        TRIBUTARY_VK_RESULT(VK_ERROR_MEMORY_MAP_FAILED)
        TRIBUTARY_VK_RESULT(VK_ERROR_LAYER_NOT_PRESENT)
        TRIBUTARY_VK_RESULT(VK_ERROR_EXTENSION_NOT_PRESENT)
        TRIBUTARY_VK_RESULT(VK_ERROR_FEATURE_NOT_PRESENT)
        TRIBUTARY_VK_RESULT(VK_ERROR_INCOMPATIBLE_DRIVER)
        TRIBUTARY_VK_RESULT(VK_ERROR_TOO_MANY_OBJECTS)
        TRIBUTARY_VK_RESULT(VK_ERROR_FORMAT_NOT_SUPPORTED)
        TRIBUTARY_VK_RESULT(VK_ERROR_FRAGMENTED_POOL)
        TRIBUTARY_VK_RESULT(VK_ERROR_UNKNOWN)
        TRIBUTARY_VK_RESULT(VK_ERROR_OUT_OF_POOL_MEMORY)
        TRIBUTARY_VK_RESULT(VK_ERROR_INVALID_EXTERNAL_HANDLE)
        TRIBUTARY_VK_RESULT(VK_ERROR_FRAGMENTATION)
        TRIBUTARY_VK_RESULT(VK_ERROR_INVALID_OPAQUE_CAPTURE_ADDRESS)
        TRIBUTARY_VK_RESULT(VK_ERROR_INVALID_SHADER_NV)
#undef TRIBUTARY_VK_RESULT
    default:
        return "VkResult " + std::to_string(static_cast<int>(result));
    }
}

} // namespace tributary::engine
