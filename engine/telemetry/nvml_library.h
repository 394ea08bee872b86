#pragma once

// NvmlLibrary: NVIDIA's management library (libnvidia-ml.so.1), loaded with dlopen at run
// time, as OBS and ollama do: Tributary never links it, so it starts on machines without
// an NVIDIA driver and simply has no NVIDIA telemetry there.
//
//   std::string reason;
//   if (auto nvml = NvmlLibrary::load(&reason)) {
//       DeviceTelemetry t;
//       if (nvml->read(0, &t)) ... t.temperatureC ...
//   } else {
//       log("no NVIDIA telemetry: " + reason);   // e.g. "libnvidia-ml.so.1 not found"
//   }
//
// Thread-safe: NVML's queries are, and this class has no mutable state after load().

#include "engine/status.h"
#include "engine/telemetry/device_telemetry.h"

#include <memory>
#include <string>
#include <vector>

namespace tributary::engine {

class NvmlLibrary {
public:
    // Loads and initialises NVML; null (with *reason set) when it is absent or fails.
    static std::unique_ptr<NvmlLibrary> load(std::string *reason);
    ~NvmlLibrary();

    NvmlLibrary(const NvmlLibrary &) = delete;
    NvmlLibrary &operator=(const NvmlLibrary &) = delete;

    int deviceCount() const;
    // NVML's index of the GPU at PCI address `busId` ("0000:01:00.0"), or -1 when NVML has
    // no such GPU (another vendor's card) or the driver cannot look it up.
    int indexOfPciBusId(const std::string &busId) const;
    // Reads what the driver reports for device `index` (NVML's order, which is CUDA's
    // PCI bus order when CUDA_DEVICE_ORDER=PCI_BUS_ID). Fails only for a bad index or a
    // lost device; unsupported readings are simply left unset.
    Status read(int index, DeviceTelemetry *out) const;

    // The processes with a compute or graphics context on device `index`, this process
    // included (the caller filters itself out). Fails when the driver has no process
    // list (drivers before R470) or the device is lost.
    Status processes(int index, std::vector<GpuProcess> *out) const;

private:
    struct Api;
    explicit NvmlLibrary(std::unique_ptr<Api> api);
    // NVML's handle of device `index` (an nvmlDevice_t), or an error naming the index.
    Status handle(int index, void **device) const;

    std::unique_ptr<Api> m_api;
};

} // namespace tributary::engine
