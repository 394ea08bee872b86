#version 450
// Test shader of the Vulkan infrastructure (tests/engine/gpu_infra): dst[i] = src[i]
// for i < count, 32-bit words copied as they are.

layout(local_size_x = 64) in;

layout(std430, set = 0, binding = 0) readonly buffer Source { uint src[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Destination { uint dst[]; };

layout(push_constant) uniform Push {
    uint count;
} push;

void main()
{
    // A 2-D grid of groups when there are more than 65535 (groupsFor in vulkan_dispatch.h).
    const uint i = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x;
    if (i < push.count)
        dst[i] = src[i];
}
