#version 450
// LayerNorm (engine/ops/reduce.h): one invocation per row of n values. Absent Bias is
// flagged (its binding then holds any buffer); Mean and InvStdDev always have a buffer.
// Built plain and with SOFT_FMA (vulkan.cmake).
#include "kernels/glsl_math_prelude.h"

layout(std430, set = 0, binding = 0) readonly buffer X { float x[]; };
layout(std430, set = 0, binding = 1) readonly buffer Scale { float scale[]; };
layout(std430, set = 0, binding = 2) readonly buffer Bias { float bias[]; };
layout(std430, set = 0, binding = 3) writeonly buffer Y { float y[]; };
layout(std430, set = 0, binding = 4) writeonly buffer Mean { float meanOut[]; };
layout(std430, set = 0, binding = 5) writeonly buffer Inv { float invOut[]; };

layout(push_constant) uniform Push {
    uint rows;
    uint n;
    uint hasBias;
    float invN;
    float epsilon;
} push;

void main()
{
    const uint r = flatInvocation();
    if (r >= push.rows)
        return;
    const uint base = r * push.n;
    precise float total = 0.0f;
    for (uint c = 0u; c < push.n; c += 32u) {
        const uint end = min(push.n, c + 32u);
        precise float part = x[base + c];
        for (uint i = c + 1u; i < end; ++i)
            part = part + x[base + i];
        total = c == 0u ? part : total + part;
    }
    precise float mean = total * push.invN;
    precise float sq = 0.0f;
    for (uint c = 0u; c < push.n; c += 32u) {
        const uint end = min(push.n, c + 32u);
        precise float d0 = x[base + c] - mean;
        precise float part = d0 * d0;
        for (uint i = c + 1u; i < end; ++i) {
            precise float d = x[base + i] - mean;
            part = part + d * d;
        }
        sq = c == 0u ? part : sq + part;
    }
    precise float var = sq * push.invN;
    precise float inv = exact_rsqrt(var + push.epsilon);
    for (uint i = 0u; i < push.n; ++i) {
        precise float t = ((x[base + i] - mean) * inv) * scale[i];
        if (push.hasBias != 0u)
            t = t + bias[i];
        y[base + i] = t;
    }
    meanOut[r] = mean;
    invOut[r] = inv;
}
