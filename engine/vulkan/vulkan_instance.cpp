#include "engine/vulkan/vulkan_instance.h"

namespace tributary::engine {

namespace {

constexpr const char *kNoDriver = "no Vulkan driver (ICD) found";

} // namespace

std::unique_ptr<VulkanInstance> VulkanInstance::create(std::string *error)
{
    std::unique_ptr<VulkanInstance> instance(new VulkanInstance());
    VulkanApi &api = instance->m_api;
    if (!api.loadLibrary(error))
        return nullptr;

    std::uint32_t loaderVersion = VK_API_VERSION_1_0;
    if (api.vkEnumerateInstanceVersion)
        api.vkEnumerateInstanceVersion(&loaderVersion);
    if (loaderVersion < VK_API_VERSION_1_1) {
        *error = "the Vulkan loader supports only Vulkan 1.0 (1.1 required)";
        return nullptr;
    }

    VkApplicationInfo app{};
    app.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO;
    app.pApplicationName = "Tributary";
    app.pEngineName = "tributary_engine";
    app.apiVersion = VK_API_VERSION_1_1;
    VkInstanceCreateInfo info{};
    info.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO;
    info.pApplicationInfo = &app;

    const VkResult result = api.vkCreateInstance(&info, nullptr, &instance->m_instance);
    if (result == VK_ERROR_INCOMPATIBLE_DRIVER) {
        // What the loader returns when there is no ICD at all.
        *error = kNoDriver;
        return nullptr;
    }
    if (result != VK_SUCCESS) {
        *error = "vulkan: vkCreateInstance: " + vkResultName(result);
        return nullptr;
    }
    if (!api.loadInstance(instance->m_instance, error))
        return nullptr;
    return instance;
}

VulkanInstance::~VulkanInstance()
{
    if (m_instance != VK_NULL_HANDLE && m_api.vkDestroyInstance)
        m_api.vkDestroyInstance(m_instance, nullptr);
}

std::vector<VkPhysicalDevice> VulkanInstance::physicalDevices(std::string *error) const
{
    std::uint32_t count = 0;
    VkResult result = m_api.vkEnumeratePhysicalDevices(m_instance, &count, nullptr);
    std::vector<VkPhysicalDevice> devices(count);
    if (result == VK_SUCCESS && count > 0)
        result = m_api.vkEnumeratePhysicalDevices(m_instance, &count, devices.data());
    if (result != VK_SUCCESS && result != VK_INCOMPLETE) {
        *error = "vulkan: vkEnumeratePhysicalDevices: " + vkResultName(result);
        return {};
    }
    devices.resize(count);
    if (devices.empty())
        *error = kNoDriver;
    return devices;
}

} // namespace tributary::engine
