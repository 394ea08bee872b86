#pragma once

// What a contributor's runtime watches on a GPU while it works: temperature, power and
// load. Values a driver does not report stay unset (std::nullopt), never zero.

#include <cstdint>
#include <optional>

namespace tributary::engine {

struct DeviceTelemetry {
    std::optional<double> temperatureC;
    std::optional<double> powerW;
    std::optional<double> powerLimitW;
    std::optional<int> utilizationPercent; // GPU core busy time over the driver's last sample period
    std::optional<std::uint64_t> memoryUsedBytes;
    std::optional<std::uint64_t> memoryTotalBytes;
};

// A process holding a context on the GPU: the contributor pauses while another program
// (a game, a renderer) uses the card.
struct GpuProcess {
    std::uint32_t pid = 0;
    std::optional<std::uint64_t> memoryUsedBytes; // unset where the driver does not say
    bool graphics = false; // a graphics context (a game, a compositor) rather than compute
};

} // namespace tributary::engine
