#include "engine/vulkan/vulkan_physical_device.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace tributary::engine {

namespace {

std::string vendorName(std::uint32_t vendorId)
{
    switch (vendorId) {
    case 0x10DE:
        return "NVIDIA";
    case 0x1002:
        return "AMD";
    case 0x8086:
        return "Intel";
    case 0x10005:
        return "Mesa";
    default: {
        char text[16];
        std::snprintf(text, sizeof text, "0x%04X", vendorId);
        return text;
    }
    }
}

std::string versionText(std::uint32_t version)
{
    return std::to_string(VK_API_VERSION_MAJOR(version)) + "." + std::to_string(VK_API_VERSION_MINOR(version)) + "."
           + std::to_string(VK_API_VERSION_PATCH(version));
}

// Drivers encode their version in their own ways; NVIDIA's is the common exception.
std::string driverVersionText(std::uint32_t vendorId, std::uint32_t version)
{
    if (vendorId == 0x10DE) {
        return std::to_string((version >> 22) & 0x3ff) + "." + std::to_string((version >> 14) & 0xff) + "."
               + std::to_string((version >> 6) & 0xff);
    }
    return versionText(version);
}

bool hasExtension(const VulkanApi &api, VkPhysicalDevice device, const char *name)
{
    std::uint32_t count = 0;
    if (api.vkEnumerateDeviceExtensionProperties(device, nullptr, &count, nullptr) != VK_SUCCESS)
        return false;
    std::vector<VkExtensionProperties> extensions(count);
    if (api.vkEnumerateDeviceExtensionProperties(device, nullptr, &count, extensions.data()) != VK_SUCCESS)
        return false;
    for (const auto &extension : extensions) {
        if (std::strcmp(extension.extensionName, name) == 0)
            return true;
    }
    return false;
}

} // namespace

VulkanPhysicalDevice describePhysicalDevice(const VulkanApi &api, VkPhysicalDevice device, int index)
{
    VulkanPhysicalDevice result;
    result.handle = device;
    DeviceInfo &info = result.info;
    info.id = "vulkan:" + std::to_string(index);
    info.backend = BackendKind::Vulkan;

    VkPhysicalDeviceProperties properties{};
    api.vkGetPhysicalDeviceProperties(device, &properties);
    info.name = properties.deviceName;
    info.vendor = vendorName(properties.vendorID);
    info.driverVersion = driverVersionText(properties.vendorID, properties.driverVersion);
    info.isSoftware = properties.deviceType == VK_PHYSICAL_DEVICE_TYPE_CPU;
    info.isIntegrated = properties.deviceType == VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU;
    info.features = "Vulkan " + versionText(properties.apiVersion);
    result.limits = properties.limits;

    VkPhysicalDeviceMemoryProperties memory{};
    api.vkGetPhysicalDeviceMemoryProperties(device, &memory);
    for (std::uint32_t heap = 0; heap < memory.memoryHeapCount; ++heap) {
        if (memory.memoryHeaps[heap].flags & VK_MEMORY_HEAP_DEVICE_LOCAL_BIT)
            info.memoryBytes = std::max<std::uint64_t>(info.memoryBytes, memory.memoryHeaps[heap].size);
    }

    if (properties.apiVersion < VK_API_VERSION_1_1) {
        info.unavailableReason = "Vulkan 1.1 required, device supports " + versionText(properties.apiVersion);
        return result;
    }

    // Prefer a compute-only family (an async compute queue) over the graphics one.
    std::uint32_t familyCount = 0;
    api.vkGetPhysicalDeviceQueueFamilyProperties(device, &familyCount, nullptr);
    std::vector<VkQueueFamilyProperties> families(familyCount);
    api.vkGetPhysicalDeviceQueueFamilyProperties(device, &familyCount, families.data());
    int chosen = -1;
    for (std::uint32_t family = 0; family < familyCount; ++family) {
        const VkQueueFlags flags = families[family].queueFlags;
        if (!(flags & VK_QUEUE_COMPUTE_BIT) || families[family].queueCount == 0)
            continue;
        if (chosen < 0 || !(flags & VK_QUEUE_GRAPHICS_BIT))
            chosen = static_cast<int>(family);
        if (!(flags & VK_QUEUE_GRAPHICS_BIT))
            break;
    }
    if (chosen < 0) {
        info.unavailableReason = "no compute queue";
        return result;
    }
    result.computeQueueFamily = static_cast<std::uint32_t>(chosen);

    const bool floatControls = hasExtension(api, device, VK_KHR_SHADER_FLOAT_CONTROLS_EXTENSION_NAME);
    VkPhysicalDeviceFloatControlsPropertiesKHR floatProperties{};
    floatProperties.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FLOAT_CONTROLS_PROPERTIES_KHR;
    const bool pciBusInfo = hasExtension(api, device, VK_EXT_PCI_BUS_INFO_EXTENSION_NAME);
    VkPhysicalDevicePCIBusInfoPropertiesEXT pciProperties{};
    pciProperties.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PCI_BUS_INFO_PROPERTIES_EXT;
    floatProperties.pNext = pciBusInfo ? &pciProperties : nullptr;
    VkPhysicalDeviceSubgroupProperties subgroup{};
    subgroup.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_PROPERTIES;
    subgroup.pNext = floatControls ? static_cast<void *>(&floatProperties)
                   : pciBusInfo   ? static_cast<void *>(&pciProperties)
                                  : nullptr;
    VkPhysicalDeviceProperties2 properties2{};
    properties2.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2;
    properties2.pNext = &subgroup;
    api.vkGetPhysicalDeviceProperties2(device, &properties2);
    info.subgroupSize = static_cast<int>(subgroup.subgroupSize);
    if (pciBusInfo && !info.isSoftware)
        info.pciBusId = pciBusIdText(pciProperties.pciDomain, pciProperties.pciBus, pciProperties.pciDevice,
                                     pciProperties.pciFunction);
    result.denormPreserve = floatControls && floatProperties.shaderDenormPreserveFloat32;
    if (result.denormPreserve)
        info.features += ", denorm preserve";

    info.available = true;
    return result;
}

} // namespace tributary::engine
