#version 450
// First pass of a large reduction (engine/ops/reduce.h): one invocation per (output o,
// chunk c) writes the sum (left to right) or the canonical max of the chunk's up to 32
// values to partial[o * chunks + c]; reduce_generic.comp then combines each output's
// chunk results left to right. Built plain and with SOFT_FMA (vulkan.cmake).
#include "kernels/glsl_math_prelude.h"

layout(std430, set = 0, binding = 0) readonly buffer X { float x[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Partial { float partial[]; };

layout(push_constant) uniform Push {
    uint outCount;
    uint n;      // reduced positions per output
    uint chunks; // (n + 31) / 32
    uint keptRank;
    uint reducedRank;
    uint isMax;  // 1: max instead of sum
    uint keptDims[4];
    uint keptStrides[4];
    uint reducedDims[4];
    uint reducedStrides[4];
} push;

uint reducedOffset(uint index)
{
    uint rest = index;
    uint off = 0u;
    for (int d = int(push.reducedRank) - 1; d >= 0; --d) {
        off += (rest % push.reducedDims[d]) * push.reducedStrides[d];
        rest = rest / push.reducedDims[d];
    }
    return off;
}

void main()
{
    const uint t = flatInvocation();
    if (t >= push.outCount * push.chunks)
        return;
    const uint o = t / push.chunks;
    const uint c = (t % push.chunks) * 32u;
    uint rest = o;
    uint base = 0u;
    for (int d = int(push.keptRank) - 1; d >= 0; --d) {
        base += (rest % push.keptDims[d]) * push.keptStrides[d];
        rest = rest / push.keptDims[d];
    }
    const uint end = min(push.n, c + 32u);
    precise float s = x[base + reducedOffset(c)];
    for (uint i = c + 1u; i < end; ++i) {
        if (push.isMax != 0u)
            s = canonicalMaxStep(s, x[base + reducedOffset(i)]);
        else
            s = s + x[base + reducedOffset(i)];
    }
    partial[t] = s;
}
