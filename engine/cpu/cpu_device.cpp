#include "engine/cpu/cpu_device.h"

#include <fstream>
#include <string>
#include <thread>

#include <unistd.h>

namespace tributary::engine {

namespace {

// Value of the first "key : value" line of /proc/cpuinfo with this key, or "".
std::string cpuinfoValue(const std::string &key)
{
    std::ifstream in("/proc/cpuinfo");
    std::string line;
    while (std::getline(in, line)) {
        const auto colon = line.find(':');
        if (colon == std::string::npos)
            continue;
        std::string name = line.substr(0, colon);
        while (!name.empty() && (name.back() == ' ' || name.back() == '\t'))
            name.pop_back();
        if (name != key)
            continue;
        const auto start = line.find_first_not_of(" \t", colon + 1);
        return start == std::string::npos ? std::string() : line.substr(start);
    }
    return {};
}

std::string vendorName(const std::string &vendorId)
{
    if (vendorId == "GenuineIntel")
        return "Intel";
    if (vendorId == "AuthenticAMD")
        return "AMD";
    return vendorId.empty() ? "unknown" : vendorId;
}

std::string isaFeatures()
{
    std::string features;
#if defined(__x86_64__) || defined(__i386__)
    auto add = [&](bool supported, const char *name) {
        if (!supported)
            return;
        if (!features.empty())
            features += ' ';
        features += name;
    };
    add(__builtin_cpu_supports("sse4.2"), "sse4.2");
    add(__builtin_cpu_supports("avx"), "avx");
    add(__builtin_cpu_supports("avx2"), "avx2");
    add(__builtin_cpu_supports("fma"), "fma");
    add(__builtin_cpu_supports("avx512f"), "avx512f");
#endif
    return features;
}

} // namespace

DeviceInfo probeCpuDevice()
{
    DeviceInfo info;
    info.id = "cpu:0";
    info.backend = BackendKind::Cpu;
    info.name = cpuinfoValue("model name");
    if (info.name.empty())
        info.name = "CPU";
    info.vendor = vendorName(cpuinfoValue("vendor_id"));
    info.computeUnits = static_cast<int>(std::thread::hardware_concurrency());
    if (info.computeUnits <= 0)
        info.computeUnits = 1;
    const long pages = sysconf(_SC_PHYS_PAGES);
    const long pageSize = sysconf(_SC_PAGE_SIZE);
    if (pages > 0 && pageSize > 0)
        info.memoryBytes = static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(pageSize);
    info.features = isaFeatures();
    info.available = true;
    return info;
}

} // namespace tributary::engine
