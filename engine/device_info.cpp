#include "engine/device_info.h"

#include <cstdio>

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

std::string pciBusIdText(unsigned domain, unsigned bus, unsigned device, unsigned function)
{
    char text[32];
    std::snprintf(text, sizeof text, "%04x:%02x:%02x.%x", domain, bus & 0xffu, device & 0x1fu, function & 0x7u);
    return text;
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
