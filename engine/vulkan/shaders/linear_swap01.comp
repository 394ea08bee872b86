#version 450
// Swaps the first two axes of a [A, B, C] tensor: y[b][a][c] = x[a][b][c] (32-bit words,
// copied as they are). Conv2dBackwardWeight uses it to lay dY out as [M, N, oH·oW].

layout(local_size_x = 64) in;

layout(std430, set = 0, binding = 0) readonly buffer Input { uint x[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Output { uint y[]; };

layout(push_constant) uniform Push {
    uint a, b, c;
    uint total;
} pc;

void main()
{
    const uint e = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x;
    if (e >= pc.total)
        return;
    const uint ci = e % pc.c;
    const uint bi = (e / pc.c) % pc.b;
    const uint ai = e / (pc.c * pc.b);
    y[(bi * pc.a + ai) * pc.c + ci] = x[e];
}
