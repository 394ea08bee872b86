#include "engine/device_info.h"

namespace tributary::engine {

std::string_view backendName(BackendKind kind)
{
    switch (kind) {
    case BackendKind::Cpu:
        return "cpu";
    case BackendKind::Vulkan:
        return "vulkan";
    case BackendKind::Cuda:
        return "cuda";
    }
    return "unknown";
}

bool parseBackendName(std::string_view name, BackendKind *kind)
{
    for (BackendKind candidate : {BackendKind::Cpu, BackendKind::Vulkan, BackendKind::Cuda}) {
        if (name == backendName(candidate)) {
            if (kind)
                *kind = candidate;
            return true;
        }
    }
    return false;
}

std::string_view reproducibilityName(Reproducibility value)
{
    switch (value) {
    case Reproducibility::Untested: return "untested";
    case Reproducibility::Exact: return "exact";
    case Reproducibility::Failed: return "failed";
    }
    return "unknown";
}

} // namespace tributary::engine
