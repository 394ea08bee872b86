#include "engine/telemetry/nvml_library.h"

#include <dlfcn.h>

namespace tributary::engine {

namespace {

// The few NVML declarations we use (nvml.h is not needed at build time). Values from
// NVML's public API, stable across driver versions.
using nvmlReturn_t = int;
using nvmlDevice_t = struct nvmlDevice_st *;
constexpr nvmlReturn_t kNvmlSuccess = 0;
constexpr unsigned kNvmlTemperatureGpu = 0;

struct NvmlUtilization {
    unsigned gpu;
    unsigned memory;
};

struct NvmlMemory {
    unsigned long long total;
    unsigned long long free;
    unsigned long long used;
};

// nvmlProcessInfo_v2_t, taken by the _v3 process queries (R510 and later drivers).
struct NvmlProcessInfo {
    unsigned pid;
    unsigned long long usedGpuMemory; // NVML_VALUE_NOT_AVAILABLE when unknown
    unsigned gpuInstanceId;
    unsigned computeInstanceId;
};
constexpr unsigned long long kNvmlValueNotAvailable = ~0ULL;
constexpr nvmlReturn_t kNvmlErrorInsufficientSize = 7;

} // namespace

struct NvmlLibrary::Api {
    void *handle = nullptr;
    nvmlReturn_t (*init)() = nullptr;
    nvmlReturn_t (*shutdown)() = nullptr;
    const char *(*errorString)(nvmlReturn_t) = nullptr;
    nvmlReturn_t (*deviceGetCount)(unsigned *) = nullptr;
    nvmlReturn_t (*deviceGetHandleByIndex)(unsigned, nvmlDevice_t *) = nullptr;
    nvmlReturn_t (*deviceGetTemperature)(nvmlDevice_t, unsigned, unsigned *) = nullptr;
    nvmlReturn_t (*deviceGetPowerUsage)(nvmlDevice_t, unsigned *) = nullptr;
    nvmlReturn_t (*deviceGetEnforcedPowerLimit)(nvmlDevice_t, unsigned *) = nullptr;
    nvmlReturn_t (*deviceGetUtilizationRates)(nvmlDevice_t, NvmlUtilization *) = nullptr;
    nvmlReturn_t (*deviceGetMemoryInfo)(nvmlDevice_t, NvmlMemory *) = nullptr;
    // Optional: matching a card by PCI address; without them, CUDA's index is used.
    nvmlReturn_t (*deviceGetHandleByPciBusId)(const char *, nvmlDevice_t *) = nullptr;
    nvmlReturn_t (*deviceGetIndex)(nvmlDevice_t, unsigned *) = nullptr;
    // Optional: older drivers lack them, and then there is no process list.
    nvmlReturn_t (*deviceGetComputeProcesses)(nvmlDevice_t, unsigned *, NvmlProcessInfo *) = nullptr;
    nvmlReturn_t (*deviceGetGraphicsProcesses)(nvmlDevice_t, unsigned *, NvmlProcessInfo *) = nullptr;
    bool initialised = false;

    ~Api()
    {
        if (initialised)
            shutdown();
        if (handle)
            dlclose(handle);
    }

    template<typename F>
    bool bind(F *function, const char *name)
    {
        *function = reinterpret_cast<F>(dlsym(handle, name));
        return *function != nullptr;
    }

    std::string describe(nvmlReturn_t result) const
    {
        return errorString ? errorString(result) : "NVML error " + std::to_string(result);
    }
};

std::unique_ptr<NvmlLibrary> NvmlLibrary::load(std::string *reason)
{
    auto api = std::make_unique<Api>();
    api->handle = dlopen("libnvidia-ml.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!api->handle) {
        *reason = "libnvidia-ml.so.1 not found (no NVIDIA driver)";
        return nullptr;
    }
    const bool bound = api->bind(&api->init, "nvmlInit_v2") && api->bind(&api->shutdown, "nvmlShutdown")
        && api->bind(&api->errorString, "nvmlErrorString") && api->bind(&api->deviceGetCount, "nvmlDeviceGetCount_v2")
        && api->bind(&api->deviceGetHandleByIndex, "nvmlDeviceGetHandleByIndex_v2")
        && api->bind(&api->deviceGetTemperature, "nvmlDeviceGetTemperature")
        && api->bind(&api->deviceGetPowerUsage, "nvmlDeviceGetPowerUsage")
        && api->bind(&api->deviceGetEnforcedPowerLimit, "nvmlDeviceGetEnforcedPowerLimit")
        && api->bind(&api->deviceGetUtilizationRates, "nvmlDeviceGetUtilizationRates")
        && api->bind(&api->deviceGetMemoryInfo, "nvmlDeviceGetMemoryInfo");
    if (!bound) {
        *reason = "libnvidia-ml.so.1 lacks a function Tributary needs (driver too old)";
        return nullptr;
    }
    api->bind(&api->deviceGetHandleByPciBusId, "nvmlDeviceGetHandleByPciBusId_v2");
    api->bind(&api->deviceGetIndex, "nvmlDeviceGetIndex");
    api->bind(&api->deviceGetComputeProcesses, "nvmlDeviceGetComputeRunningProcesses_v3");
    api->bind(&api->deviceGetGraphicsProcesses, "nvmlDeviceGetGraphicsRunningProcesses_v3");
    if (const nvmlReturn_t result = api->init(); result != kNvmlSuccess) {
        *reason = "NVML could not start: " + api->describe(result);
        return nullptr;
    }
    api->initialised = true;
    return std::unique_ptr<NvmlLibrary>(new NvmlLibrary(std::move(api)));
}

NvmlLibrary::NvmlLibrary(std::unique_ptr<Api> api) : m_api(std::move(api)) {}

NvmlLibrary::~NvmlLibrary() = default;

int NvmlLibrary::deviceCount() const
{
    unsigned count = 0;
    return m_api->deviceGetCount(&count) == kNvmlSuccess ? static_cast<int>(count) : 0;
}

int NvmlLibrary::indexOfPciBusId(const std::string &busId) const
{
    if (!m_api->deviceGetHandleByPciBusId || !m_api->deviceGetIndex || busId.empty())
        return -1;
    nvmlDevice_t device = nullptr;
    unsigned index = 0;
    if (m_api->deviceGetHandleByPciBusId(busId.c_str(), &device) != kNvmlSuccess
        || m_api->deviceGetIndex(device, &index) != kNvmlSuccess)
        return -1;
    return static_cast<int>(index);
}

Status NvmlLibrary::handle(int index, void **device) const
{
    if (index < 0)
        return Status::error("nvml: device index " + std::to_string(index) + " is negative");
    nvmlDevice_t found = nullptr;
    if (const nvmlReturn_t result = m_api->deviceGetHandleByIndex(static_cast<unsigned>(index), &found);
        result != kNvmlSuccess)
        return Status::error("nvml: device " + std::to_string(index) + ": " + m_api->describe(result));
    *device = found;
    return Status::ok();
}

Status NvmlLibrary::read(int index, DeviceTelemetry *out) const
{
    nvmlDevice_t device = nullptr;
    if (Status found = handle(index, reinterpret_cast<void **>(&device)); !found)
        return found;

    DeviceTelemetry telemetry;
    unsigned value = 0;
    if (m_api->deviceGetTemperature(device, kNvmlTemperatureGpu, &value) == kNvmlSuccess)
        telemetry.temperatureC = value;
    if (m_api->deviceGetPowerUsage(device, &value) == kNvmlSuccess)
        telemetry.powerW = value / 1000.0; // NVML reports milliwatts
    if (m_api->deviceGetEnforcedPowerLimit(device, &value) == kNvmlSuccess)
        telemetry.powerLimitW = value / 1000.0;
    NvmlUtilization utilization{};
    if (m_api->deviceGetUtilizationRates(device, &utilization) == kNvmlSuccess)
        telemetry.utilizationPercent = static_cast<int>(utilization.gpu);
    NvmlMemory memory{};
    if (m_api->deviceGetMemoryInfo(device, &memory) == kNvmlSuccess) {
        telemetry.memoryUsedBytes = memory.used;
        telemetry.memoryTotalBytes = memory.total;
    }
    *out = telemetry;
    return Status::ok();
}

Status NvmlLibrary::processes(int index, std::vector<GpuProcess> *out) const
{
    out->clear();
    if (!m_api->deviceGetComputeProcesses || !m_api->deviceGetGraphicsProcesses)
        return Status::error("nvml: this driver lists no GPU processes (needs R510 or later)");
    nvmlDevice_t device = nullptr;
    if (Status found = handle(index, reinterpret_cast<void **>(&device)); !found)
        return found;
    for (const bool graphics : { false, true }) {
        const auto query = graphics ? m_api->deviceGetGraphicsProcesses : m_api->deviceGetComputeProcesses;
        // Ask with room to spare; a list that grew in between is asked again, bigger.
        std::vector<NvmlProcessInfo> infos(64);
        for (int tries = 0; tries < 4; ++tries) {
            unsigned count = static_cast<unsigned>(infos.size());
            const nvmlReturn_t result = query(device, &count, infos.data());
            if (result == kNvmlErrorInsufficientSize) {
                infos.resize(std::size_t(count) + 16);
                continue;
            }
            if (result != kNvmlSuccess)
                return Status::error("nvml: device " + std::to_string(index) + " processes: " + m_api->describe(result));
            for (unsigned i = 0; i < count; ++i) {
                GpuProcess process;
                process.pid = infos[i].pid;
                if (infos[i].usedGpuMemory != kNvmlValueNotAvailable)
                    process.memoryUsedBytes = infos[i].usedGpuMemory;
                process.graphics = graphics;
                out->push_back(process);
            }
            break;
        }
    }
    return Status::ok();
}

} // namespace tributary::engine
