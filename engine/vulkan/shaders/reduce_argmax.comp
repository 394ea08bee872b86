#version 450
// ArgMax (engine/ops/reduce.h): one invocation per slice; the i64 result is written as two
// words (little-endian). Built plain and with SOFT_FMA (vulkan.cmake).
#include "kernels/glsl_math_prelude.h"

layout(std430, set = 0, binding = 0) readonly buffer X { float x[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Y { uint y[]; };

layout(push_constant) uniform Push {
    uint slices;
    uint axisLength;
    uint inner;
    uint selectLast;
} push;

void main()
{
    const uint s = flatInvocation();
    if (s >= push.slices)
        return;
    const uint base = (s / push.inner) * push.axisLength * push.inner + s % push.inner;
    float m = x[base];
    uint best = 0u;
    for (uint k = 1u; k < push.axisLength; ++k) {
        const float v = x[base + k * push.inner];
        const bool take = push.selectLast != 0u ? (v >= m || em_isnan(v)) : (v > m || (em_isnan(v) && !em_isnan(m)));
        if (take) {
            m = v;
            best = k;
        }
    }
    y[2u * s] = best;
    y[2u * s + 1u] = 0u;
}
