#pragma once

// Vulkan against CUDA on the same NVIDIA GPU: the engine's two GPU backends on one card,
// compared op by op. Both are exact mode and both are checked bitwise against the CPU
// backend, so their results are the same bits and only their speed differs.
//
// Each op benchmark collects the rows it reported and, after every target has run, calls
// vulkanAgainstCudaRows() and reports what it returns: for every Vulkan device paired with
// a CUDA device, one row per shape measured on both, reference "cuda-exact".

#include "bench/bench_result.h"

#include "engine/device_info.h"

#include <span>
#include <vector>

namespace tributary::bench {

// The `reference` of the comparison rows: the engine's CUDA backend in exact mode.
inline constexpr const char *kCudaExactReference = "cuda-exact";

// The index in `devices` of the CUDA device that is the same GPU as devices[vulkanIndex],
// or -1. Pairs only an available, hardware Vulkan device of vendor NVIDIA with an
// available CUDA device of the same name. DeviceInfo carries no UUID, so identical cards
// are paired in order: the k-th Vulkan device named X with the k-th CUDA device named X
// (Vulkan and CUDA both list NVIDIA GPUs in PCI order by default).
int pairedCudaDevice(std::span<const engine::DeviceInfo> devices, std::size_t vulkanIndex);

// The comparison rows for `results` (rows of one op, each naming its device by deviceId)
// measured on `devices` (the targets' devices): for each Vulkan device with a paired CUDA
// device and each shape both measured, the Vulkan row with reference "cuda-exact" and the
// CUDA row's seconds and GFLOP/s as the reference. `correct` is true only when both rows
// passed their checks against the CPU backend.
std::vector<BenchResult> vulkanAgainstCudaRows(
    std::span<const engine::DeviceInfo> devices, std::span<const BenchResult> results);

} // namespace tributary::bench
