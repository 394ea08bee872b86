#pragma once

// VulkanDispatch: one compute shader dispatch, as the op kernels in vulkan/ops/ describe
// it to VulkanBackend::dispatch().
//
//   const std::uint32_t spec[] = {256};                    // constant_id = 0
//   const Tensor buffers[] = {x, y};                        // set 0, bindings 0 and 1
//   Push push{count};                                       // ≤ 128 bytes
//   return backend.dispatch({"elementwise_unary", spec, buffers, asBytes(push), groupsFor(count, 256)});
//
// Shaders are the files engine/vulkan/shaders/<name>.comp, compiled by glslc at build
// time (with engine/ on the include path, so `#include "kernels/exact_math.h"` works)
// and embedded. Each is also built with -DSOFT_FMA; a dispatch with usesFma = true runs
// that variant on devices whose fma() is not exact (Mesa lavapipe rounds twice).

#include "engine/tensor.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace tributary::engine {

struct VulkanDispatch {
    std::string_view shader;                               // file stem in vulkan/shaders/
    std::span<const std::uint32_t> specializationConstants; // constant_id 0..n-1, 4 bytes each
    std::span<const Tensor> buffers;                       // storage buffers, set 0, bindings 0..n-1
    std::span<const std::byte> pushConstants;              // at most 128 bytes
    std::array<std::uint32_t, 3> groupCount{1, 1, 1};
    bool usesFma = false;
};

// Every device allows 65535 workgroups per axis (lavapipe allows no more): a 1-D grid
// over more threads than 65535 groups hold is spread over x and y. The shader then
// computes its flat index as
//   const uint i = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x;
// and returns when i >= count (the last row of groups overshoots).
constexpr std::uint32_t kMaxGroupsPerAxis = 65535;

constexpr std::array<std::uint32_t, 3> groupsFor(std::uint64_t count, std::uint32_t groupSize)
{
    const std::uint64_t groups = (count + groupSize - 1) / groupSize;
    if (groups <= kMaxGroupsPerAxis)
        return {static_cast<std::uint32_t>(groups), 1, 1};
    return {kMaxGroupsPerAxis, static_cast<std::uint32_t>((groups + kMaxGroupsPerAxis - 1) / kMaxGroupsPerAxis), 1};
}

template<typename T>
std::span<const std::byte> asBytes(const T &value)
{
    return std::as_bytes(std::span<const T, 1>(&value, 1));
}

} // namespace tributary::engine
