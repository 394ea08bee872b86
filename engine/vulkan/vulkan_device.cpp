#include "engine/vulkan/vulkan_device.h"

#include "engine/vulkan/vulkan_instance.h"
#include "engine/vulkan/vulkan_physical_device.h"

namespace tributary::engine {

namespace {

DeviceInfo unavailable(std::string reason)
{
    DeviceInfo info;
    info.id = "vulkan";
    info.backend = BackendKind::Vulkan;
    info.name = "Vulkan";
    info.available = false;
    info.unavailableReason = std::move(reason);
    return info;
}

} // namespace

std::vector<DeviceInfo> probeVulkanDevices()
{
    std::string error;
    auto instance = VulkanInstance::create(&error);
    if (!instance)
        return {unavailable(error)};
    const auto physicalDevices = instance->physicalDevices(&error);
    if (physicalDevices.empty())
        return {unavailable(error)};

    std::vector<DeviceInfo> devices;
    for (std::size_t index = 0; index < physicalDevices.size(); ++index)
        devices.push_back(describePhysicalDevice(instance->api(), physicalDevices[index], static_cast<int>(index)).info);
    return devices;
}

} // namespace tributary::engine
