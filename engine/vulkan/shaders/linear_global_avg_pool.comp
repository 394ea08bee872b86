#version 450
// GlobalAvgPool (engine/ops/linear.h): one thread per plane of count values; the
// canonical sum (chunks of 32 summed left to right from their first element, then the
// chunk sums likewise) times the host's float(1.0 / count).

layout(local_size_x = 64) in;

layout(std430, set = 0, binding = 0) readonly buffer Input { float x[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Output { float y[]; };

layout(push_constant) uniform Push {
    uint planes;
    uint count;
    float reciprocal;
} pc;

const uint CHUNK = 32;

void main()
{
    const uint plane = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x;
    if (plane >= pc.planes)
        return;
    const uint base = plane * pc.count;
    precise float total = 0.0;
    for (uint c0 = 0; c0 < pc.count; c0 += CHUNK) {
        const uint c1 = min(pc.count, c0 + CHUNK);
        precise float chunk = x[base + c0];
        for (uint i = c0 + 1; i < c1; ++i)
            chunk = chunk + x[base + i];
        total = c0 == 0 ? chunk : total + chunk;
    }
    precise float r = total * pc.reciprocal;
    y[plane] = r;
}
