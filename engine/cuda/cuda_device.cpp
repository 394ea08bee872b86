#include "engine/cuda/cuda_device.h"

#include <cuda_runtime_api.h>

#include <string>

namespace tributary::engine {

namespace {

// The oldest GPU generation the kernels are compiled for (Turing); PTX covers newer ones.
constexpr int kMinimumMajor = 7;
constexpr int kMinimumMinor = 5;

DeviceInfo unavailable(std::string reason)
{
    DeviceInfo info;
    info.id = "cuda";
    info.backend = BackendKind::Cuda;
    info.name = "CUDA";
    info.available = false;
    info.unavailableReason = std::move(reason);
    return info;
}

std::string cudaVersionText(int version)
{
    return std::to_string(version / 1000) + "." + std::to_string((version % 1000) / 10);
}

} // namespace

std::vector<DeviceInfo> probeCudaDevices()
{
    int count = 0;
    const cudaError_t error = cudaGetDeviceCount(&count);
    int driverVersion = 0;
    cudaDriverGetVersion(&driverVersion); // 0 when no driver is installed
    if (error == cudaErrorInsufficientDriver) {
        if (driverVersion == 0)
            return {unavailable("no NVIDIA driver found")};
        int runtimeVersion = 0;
        cudaRuntimeGetVersion(&runtimeVersion);
        return {unavailable("NVIDIA driver too old: it supports CUDA " + cudaVersionText(driverVersion)
                            + ", this build needs " + cudaVersionText(runtimeVersion))};
    }
    if (error == cudaErrorNoDevice || (error == cudaSuccess && count == 0))
        return {unavailable("no CUDA device found")};
    if (error != cudaSuccess)
        return {unavailable(cudaGetErrorString(error))};

    std::vector<DeviceInfo> devices;
    for (int ordinal = 0; ordinal < count; ++ordinal) {
        DeviceInfo info;
        info.id = "cuda:" + std::to_string(ordinal);
        info.backend = BackendKind::Cuda;
        info.vendor = "NVIDIA";
        info.driverVersion = "CUDA " + cudaVersionText(driverVersion);
        cudaDeviceProp properties{};
        if (const cudaError_t e = cudaGetDeviceProperties(&properties, ordinal); e != cudaSuccess) {
            info.name = "CUDA device " + std::to_string(ordinal);
            info.unavailableReason = cudaGetErrorString(e);
            devices.push_back(std::move(info));
            continue;
        }
        info.name = properties.name;
        info.memoryBytes = properties.totalGlobalMem;
        info.computeUnits = properties.multiProcessorCount;
        info.subgroupSize = properties.warpSize;
        info.computeCapability = std::to_string(properties.major) + "." + std::to_string(properties.minor);
        info.isIntegrated = properties.integrated != 0;
        info.pciBusId = pciBusIdText(unsigned(properties.pciDomainID), unsigned(properties.pciBusID),
                                     unsigned(properties.pciDeviceID), 0);
        info.features = "sm_" + std::to_string(properties.major) + std::to_string(properties.minor);
        if (properties.major < kMinimumMajor || (properties.major == kMinimumMajor && properties.minor < kMinimumMinor)) {
            info.unavailableReason = "compute capability " + info.computeCapability + " is older than the oldest supported ("
                                     + std::to_string(kMinimumMajor) + "." + std::to_string(kMinimumMinor) + ")";
        } else {
            info.available = true;
        }
        devices.push_back(std::move(info));
    }
    return devices;
}

} // namespace tributary::engine
