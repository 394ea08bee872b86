#version 450
// Layout ops (engine/ops/layout.h): one strided copy of planLayoutCopies(). Elements are
// moved as 32-bit words (one for f32/i32, two for i64), never as floats, so every bit,
// NaN payloads included, arrives unchanged. The host coalesces each copy to at most 8
// dimensions and checks that every word index fits in 32 bits.

layout(local_size_x_id = 0) in;

layout(std430, set = 0, binding = 0) readonly buffer Source { uint src[]; };
layout(std430, set = 0, binding = 1) buffer Destination { uint dst[]; };

layout(push_constant) uniform Push {
    uint count;     // elements to copy
    uint rank;      // 1..8
    uint words;     // 32-bit words per element: 1 or 2
    uint srcOffset; // in elements
    uint dstOffset; // in elements
    uint dims[8];
    int srcStrides[8]; // in elements; negative for a Slice with a negative step
    uint dstStrides[8];
} push;

void main()
{
    const uint i = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x;
    if (i >= push.count)
        return;
    uint rest = i;
    int s = int(push.srcOffset);
    uint d = push.dstOffset;
    for (int k = int(push.rank) - 1; k >= 0; --k) {
        const uint index = rest % push.dims[k];
        rest = rest / push.dims[k];
        s += int(index) * push.srcStrides[k];
        d += index * push.dstStrides[k];
    }
    const uint sw = uint(s) * push.words;
    const uint dw = d * push.words;
    for (uint w = 0u; w < push.words; ++w)
        dst[dw + w] = src[sw + w];
}
