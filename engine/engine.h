#pragma once

// Engine: finds the compute devices on this machine and opens backends on them.
//
//   tributary::engine::Engine engine(logCallback);
//   for (const auto &device : engine.devices()) ...   // every device, usable or not
//   std::string error;
//   auto backend = engine.open(engine.bestDevice()->id, &error);        // exact mode
//   auto fast = engine.open(id, {.mode = ExecutionMode::Fast}, &error); // opt-in, per job
//
// Discovery runs once, in the constructor. It never crashes on a machine without a GPU,
// a Vulkan driver or CUDA: such backends are listed as unavailable with the reason. Each
// available device then runs the determinism self-test (determinism_self_test.h); one
// that fails is listed as unavailable, with the reason, and Reproducibility::Failed.

#include "engine/backend.h"
#include "engine/device_info.h"
#include "engine/log.h"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace tributary::engine {

// Whether discovery runs the determinism self-test on each available device. Skipping
// it leaves every device Reproducibility::Untested; only for callers that need nothing
// but the CPU reference quickly (the coordinator's verifier pool, tools).
enum class SelfTest { Run = 1, Skip };

class Engine {
public:
    explicit Engine(LogCallback log = {}, SelfTest selfTest = SelfTest::Run);
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

    // Opens a backend on a device in exact mode. Returns null and sets *error when the
    // device is unknown, unavailable, or fails to initialise.
    std::unique_ptr<Backend> open(std::string_view deviceId, std::string *error) const;
    // Same, with options. In fast mode (ExecutionMode, backend.h) the exact-mode checks
    // are replaced by checkFastMode (verify/fast_mode_check.h), and the log says what fast
    // mode does on the device (DeviceInfo::fastMode), e.g. why cuBLAS was not loaded.
    std::unique_ptr<Backend> open(std::string_view deviceId, const BackendOptions &options,
                                  std::string *error) const;

private:
    // Runs the determinism self-test on an available device and records the outcome.
    void classifyReproducibility(DeviceInfo &device) const;

    LogCallback m_log;
    std::vector<DeviceInfo> m_devices;
};

} // namespace tributary::engine
