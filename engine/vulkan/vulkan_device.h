#pragma once

// Vulkan discovery and backend creation. This header has no Vulkan types, so the engine
// compiles the same whether or not the Vulkan backend is built (vulkan_unavailable.cpp
// implements both functions when it is not).

#include "engine/backend.h"
#include "engine/device_info.h"

#include <memory>
#include <string>
#include <vector>

namespace tributary::engine {

// One entry per Vulkan physical device with a compute queue ("vulkan:0", "vulkan:1", …,
// numbered by the driver's enumeration order), or a single unavailable entry with id
// "vulkan" that says why there are none (no driver, or built without Vulkan support).
std::vector<DeviceInfo> probeVulkanDevices();

// Opens a backend on a device returned by probeVulkanDevices(), in `mode` (backend.h).
// Returns null and sets *error on failure.
std::unique_ptr<Backend> openVulkanBackend(const DeviceInfo &device, ExecutionMode mode, std::string *error);

} // namespace tributary::engine
