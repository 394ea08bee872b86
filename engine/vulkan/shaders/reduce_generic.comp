#version 450
// ReduceSum / ReduceMean / ReduceMax and SumToShape (engine/ops/reduce.h): one invocation
// per output, the canonical order (chunks of 32 summed left to right, then the chunk sums
// left to right; max left to right). Modes 3 and 4 sum left to right without chunks: the
// second pass after reduce_chunks.comp, which adds up the chunk sums. The host coalesces
// the kept and the reduced dims to at most 4 each. Built plain and with SOFT_FMA (vulkan.cmake).
#include "kernels/glsl_math_prelude.h"

layout(std430, set = 0, binding = 0) readonly buffer X { float x[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Y { float y[]; };

layout(push_constant) uniform Push {
    uint outCount;
    uint n;      // reduced positions per output
    uint mode;   // 0 sum, 1 sum * scale, 2 max, 3 plain left-to-right sum, 4 the same * scale
    uint keptRank;
    uint reducedRank;
    float scale; // 1/n for the mean (host)
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
    const uint o = flatInvocation();
    if (o >= push.outCount)
        return;
    uint rest = o;
    uint base = 0u;
    for (int d = int(push.keptRank) - 1; d >= 0; --d) {
        base += (rest % push.keptDims[d]) * push.keptStrides[d];
        rest = rest / push.keptDims[d];
    }
    precise float r;
    if (push.mode == 2u) {
        r = push.n == 0u ? uintBitsToFloat(0xff800000u) : x[base + reducedOffset(0u)];
        for (uint i = 1u; i < push.n; ++i)
            r = canonicalMaxStep(r, x[base + reducedOffset(i)]);
    } else if (push.mode >= 3u) {
        precise float total = push.n == 0u ? 0.0f : x[base + reducedOffset(0u)];
        for (uint i = 1u; i < push.n; ++i)
            total = total + x[base + reducedOffset(i)];
        r = push.mode == 4u ? total * push.scale : total;
    } else {
        precise float total = 0.0f;
        for (uint c = 0u; c < push.n; c += 32u) {
            const uint end = min(push.n, c + 32u);
            precise float s = x[base + reducedOffset(c)];
            for (uint i = c + 1u; i < end; ++i)
                s = s + x[base + reducedOffset(i)];
            total = c == 0u ? s : total + s;
        }
        r = push.mode == 1u ? total * push.scale : total;
    }
    y[o] = r;
}
