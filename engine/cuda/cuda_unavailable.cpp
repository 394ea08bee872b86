// Built when TRIBUTARY_CUDA is OFF or nvcc was not found at configure time.

#include "engine/cuda/cuda_device.h"

namespace tributary::engine {

namespace {

constexpr const char *kReason = "built without CUDA support";

} // namespace

std::vector<DeviceInfo> probeCudaDevices()
{
    DeviceInfo info;
    info.id = "cuda";
    info.backend = BackendKind::Cuda;
    info.name = "CUDA";
    info.available = false;
    info.unavailableReason = kReason;
    return {info};
}

std::unique_ptr<Backend> openCudaBackend(const DeviceInfo &, ExecutionMode, std::string *error)
{
    if (error)
        *error = kReason;
    return nullptr;
}

} // namespace tributary::engine
