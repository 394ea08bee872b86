#include "engine/engine.h"

#include "engine/determinism_self_test.h"
#include "engine/verify/fast_mode_check.h"

#include "engine/cpu/cpu_backend.h"
#include "engine/cpu/cpu_device.h"
#include "engine/cpu/cpu_fast_gemm.h"
#include "engine/cuda/cuda_device.h"
#include "engine/vulkan/vulkan_device.h"

#include <string>

namespace tributary::engine {

namespace {

std::string describe(const DeviceInfo &device)
{
    std::string text = device.id + ": " + device.name;
    if (!device.vendor.empty())
        text += " (" + device.vendor + ")";
    if (device.memoryBytes > 0)
        text += ", " + std::to_string(device.memoryBytes >> 20) + " MiB";
    if (device.computeUnits > 0)
        text += ", " + std::to_string(device.computeUnits) + " compute units";
    if (device.subgroupSize > 0)
        text += ", subgroup " + std::to_string(device.subgroupSize);
    if (!device.computeCapability.empty())
        text += ", compute capability " + device.computeCapability;
    if (!device.features.empty())
        text += ", " + device.features;
    if (device.isSoftware)
        text += ", software";
    if (device.reproducibility != Reproducibility::Untested)
        text += ", reproducibility " + std::string(reproducibilityName(device.reproducibility));
    return text;
}

// What fast mode does on a device, as far as is known before it is opened; a backend
// opened in fast mode refines it.
std::string fastModeSummary(const DeviceInfo &device)
{
    std::string text;
    switch (device.backend) {
    case BackendKind::Cpu:
        cpuFastGemmAvailable(&text);
        break;
    case BackendKind::Vulkan:
        text = "native fma() in every shader, also where exact mode emulates fma; no exact-mode check at open";
        break;
    case BackendKind::Cuda:
        text = "GEMM, Gemm and MatMul through cuBLAS SGEMM (fp32), loaded at open; exact kernels without libcublas";
        break;
    }
    return text;
}

// Higher is better; 0 means never chosen.
int preference(const DeviceInfo &device)
{
    if (!device.available)
        return 0;
    switch (device.backend) {
    case BackendKind::Cuda:
        return 5;
    case BackendKind::Vulkan:
        if (device.isSoftware)
            return 1; // lavapipe: slower than our own CPU kernels
        return device.isIntegrated ? 3 : 4;
    case BackendKind::Cpu:
        return 2;
    }
    return 0;
}

} // namespace

Engine::Engine(LogCallback log, SelfTest selfTest) : m_log(std::move(log))
{
    m_devices.push_back(probeCpuDevice());
    for (auto &device : probeVulkanDevices())
        m_devices.push_back(std::move(device));
    for (auto &device : probeCudaDevices())
        m_devices.push_back(std::move(device));
    for (auto &device : m_devices)
        device.fastMode = fastModeSummary(device);
    if (selfTest == SelfTest::Run) {
        for (auto &device : m_devices)
            classifyReproducibility(device);
    }

    if (!m_log)
        return;
    for (const auto &device : m_devices) {
        if (device.available)
            m_log(LogLevel::Info, "found " + describe(device));
        else
            m_log(LogLevel::Warning, std::string(backendName(device.backend)) + " unavailable: "
                                         + device.unavailableReason);
    }
}

Engine::~Engine() = default;

void Engine::classifyReproducibility(DeviceInfo &device) const
{
    if (!device.available)
        return;
    std::string failure;
    std::string error;
    if (auto backend = open(device.id, &error)) {
        std::string digest;
        if (Status s = runDeterminismSelfTest(*backend, &digest); !s)
            failure = s.message();
        else if (digest != kDeterminismDigest)
            failure = "results differ from the CPU reference (digest " + digest.substr(0, 16) + "…, expected "
                + std::string(kDeterminismDigest.substr(0, 16)) + "…)";
    } else {
        failure = error;
    }
    if (failure.empty()) {
        device.reproducibility = Reproducibility::Exact;
        return;
    }
    device.reproducibility = Reproducibility::Failed;
    device.available = false;
    device.unavailableReason = "failed the determinism self-test: " + failure;
}

const DeviceInfo *Engine::bestDevice() const
{
    return bestOf(m_devices);
}

const DeviceInfo *Engine::bestOf(const std::vector<DeviceInfo> &devices)
{
    const DeviceInfo *best = nullptr;
    for (const auto &device : devices) {
        // Strictly greater: among equals the first enumerated wins.
        if (preference(device) > (best ? preference(*best) : 0))
            best = &device;
    }
    return best;
}

const DeviceInfo *Engine::firstAvailable(BackendKind kind) const
{
    for (const auto &device : m_devices) {
        if (device.backend == kind && device.available)
            return &device;
    }
    return nullptr;
}

const DeviceInfo *Engine::findDevice(std::string_view id) const
{
    for (const auto &device : m_devices) {
        if (device.id == id)
            return &device;
    }
    return nullptr;
}

std::unique_ptr<Backend> Engine::open(std::string_view deviceId, std::string *error) const
{
    return open(deviceId, BackendOptions{}, error);
}

std::unique_ptr<Backend> Engine::open(std::string_view deviceId, const BackendOptions &options,
                                      std::string *error) const
{
    auto fail = [&](std::string message) -> std::unique_ptr<Backend> {
        if (m_log)
            m_log(LogLevel::Error, message);
        if (error)
            *error = std::move(message);
        return nullptr;
    };
    const DeviceInfo *device = findDevice(deviceId);
    if (!device)
        return fail("unknown device \"" + std::string(deviceId) + "\"");
    if (!device->available)
        return fail("device " + device->id + " is unavailable: " + device->unavailableReason);

    std::string openError;
    std::unique_ptr<Backend> backend;
    switch (device->backend) {
    case BackendKind::Cpu:
        backend = std::make_unique<CpuBackend>(*device, options.mode);
        break;
    case BackendKind::Vulkan:
        backend = openVulkanBackend(*device, options.mode, &openError);
        break;
    case BackendKind::Cuda:
        backend = openCudaBackend(*device, options.mode, &openError);
        break;
    }
    if (!backend)
        return fail("cannot open " + device->id + ": " + openError);
    if (options.mode == ExecutionMode::Fast) {
        if (Status s = checkFastMode(*backend); !s)
            return fail("cannot open " + device->id + " in fast mode: " + s.message());
    }
    if (m_log) {
        std::string text = "opened " + describe(backend->device()); // may add e.g. "emulated fma"
        if (backend->mode() == ExecutionMode::Fast)
            text += "; fast mode: " + backend->device().fastMode;
        m_log(LogLevel::Info, text);
    }
    return backend;
}

} // namespace tributary::engine
