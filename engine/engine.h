#pragma once

// Engine: finds the compute devices on this machine and opens backends on them.
//
//   tributary::engine::Engine engine(logCallback);
//   for (const auto &device : engine.devices()) ...   // every device, usable or not
//   std::string error;
//   auto backend = engine.open(engine.bestDevice()->id, &error);
//
// Discovery runs once, in the constructor. It never crashes on a machine without a GPU,
// a Vulkan driver or CUDA: such backends are listed as unavailable with the reason.

#include "engine/backend.h"
#include "engine/device_info.h"
#include "engine/log.h"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace tributary::engine {

class Engine {
public:
    explicit Engine(LogCallback log = {});
    ~Engine();

    Engine(const Engine &) = delete;
    Engine &operator=(const Engine &) = delete;

    // Every device found, usable or not: CPU first, then Vulkan, then CUDA.
    const std::vector<DeviceInfo> &devices() const { return m_devices; }

    // The device a contributor should use by default: a CUDA GPU, else a hardware
    // Vulkan GPU (discrete before integrated), else the CPU backend. Software Vulkan
    // (lavapipe) is never preferred over the CPU backend. Never null: the CPU is
    // always available.
    const DeviceInfo *bestDevice() const;

    // The ranking bestDevice() applies, over any list (null when nothing is available).
    static const DeviceInfo *bestOf(const std::vector<DeviceInfo> &devices);

    // The first available device of a backend kind, or null.
    const DeviceInfo *firstAvailable(BackendKind kind) const;

    const DeviceInfo *findDevice(std::string_view id) const;

    // Opens a backend on a device. Returns null and sets *error when the device is
    // unknown, unavailable, or fails to initialise.
    std::unique_ptr<Backend> open(std::string_view deviceId, std::string *error) const;

private:
    LogCallback m_log;
    std::vector<DeviceInfo> m_devices;
};

} // namespace tributary::engine
