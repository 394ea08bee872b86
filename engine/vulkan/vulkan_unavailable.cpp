// Built when TRIBUTARY_VULKAN is OFF or no Vulkan SDK was found at configure time.

#include "engine/vulkan/vulkan_device.h"

namespace tributary::engine {

namespace {

constexpr const char *kReason = "built without Vulkan support";

} // namespace

std::vector<DeviceInfo> probeVulkanDevices()
{
    DeviceInfo info;
    info.id = "vulkan";
    info.backend = BackendKind::Vulkan;
    info.name = "Vulkan";
    info.available = false;
    info.unavailableReason = kReason;
    return {info};
}

std::unique_ptr<Backend> openVulkanBackend(const DeviceInfo &, ExecutionMode, std::string *error)
{
    if (error)
        *error = kReason;
    return nullptr;
}

} // namespace tributary::engine
