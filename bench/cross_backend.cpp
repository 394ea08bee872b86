#include "bench/cross_backend.h"

#include <string>

namespace tributary::bench {

namespace {

bool isNvidiaVulkan(const engine::DeviceInfo &device)
{
    return device.backend == engine::BackendKind::Vulkan && device.available && !device.isSoftware
        && device.vendor == "NVIDIA";
}

bool isCuda(const engine::DeviceInfo &device)
{
    return device.backend == engine::BackendKind::Cuda && device.available;
}

// The row of `results` measured on `deviceId` at `shape`, or null.
const BenchResult *findRow(
    std::span<const BenchResult> results, const std::string &deviceId, const std::string &shape)
{
    for (const BenchResult &row : results) {
        if (row.deviceId == deviceId && row.shape == shape)
            return &row;
    }
    return nullptr;
}

} // namespace

int pairedCudaDevice(std::span<const engine::DeviceInfo> devices, std::size_t vulkanIndex)
{
    if (vulkanIndex >= devices.size() || !isNvidiaVulkan(devices[vulkanIndex]))
        return -1;
    const std::string &name = devices[vulkanIndex].name;
    int sameNameBefore = 0; // Vulkan devices named `name` listed before this one
    for (std::size_t i = 0; i < vulkanIndex; ++i)
        sameNameBefore += isNvidiaVulkan(devices[i]) && devices[i].name == name ? 1 : 0;
    for (std::size_t i = 0; i < devices.size(); ++i) {
        if (isCuda(devices[i]) && devices[i].name == name && sameNameBefore-- == 0)
            return static_cast<int>(i);
    }
    return -1;
}

std::vector<BenchResult> vulkanAgainstCudaRows(
    std::span<const engine::DeviceInfo> devices, std::span<const BenchResult> results)
{
    std::vector<BenchResult> rows;
    for (std::size_t v = 0; v < devices.size(); ++v) {
        const int c = pairedCudaDevice(devices, v);
        if (c < 0)
            continue;
        const std::string &cudaId = devices[static_cast<std::size_t>(c)].id;
        for (const BenchResult &vulkan : results) {
            if (vulkan.deviceId != devices[v].id)
                continue;
            const BenchResult *cuda = findRow(results, cudaId, vulkan.shape);
            if (!cuda || cuda->seconds <= 0 || cuda->gflops <= 0)
                continue;
            BenchResult row = vulkan;
            row.reference = kCudaExactReference;
            row.referenceSeconds = cuda->seconds;
            row.referenceGflops = cuda->gflops;
            row.referenceKernelGflops.reset();
            row.ratio = vulkan.gflops / cuda->gflops;
            row.correct = vulkan.correct && cuda->correct;
            if (!cuda->correct)
                row.checkDetail = cudaId + " differs from the CPU backend: " + cuda->checkDetail;
            else if (!vulkan.correct)
                row.checkDetail = vulkan.deviceId + " differs from the CPU backend: " + vulkan.checkDetail;
            rows.push_back(std::move(row));
        }
    }
    return rows;
}

} // namespace tributary::bench
