#version 450
// Test shader of the Vulkan infrastructure (tests/engine/gpu_infra): data[i] += amount
// for i < count, in integers. Run many times in a row on one buffer, it shows that
// dispatches are ordered and batched correctly (the result counts them).

layout(local_size_x_id = 0) in;

layout(std430, set = 0, binding = 0) buffer Data { uint data[]; };

layout(push_constant) uniform Push {
    uint count;
    uint amount;
} push;

void main()
{
    // A 2-D grid of groups when there are more than 65535 (groupsFor in vulkan_dispatch.h).
    const uint i = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x;
    if (i < push.count)
        data[i] += push.amount;
}
