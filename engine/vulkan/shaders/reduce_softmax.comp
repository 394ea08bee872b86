#version 450
// Softmax / LogSoftmax along one axis (engine/ops/reduce.h): one invocation per slice of
// `length` values `inner` apart. exp is recomputed in the last pass (same bits).
// Built plain and with SOFT_FMA (vulkan.cmake).
#include "kernels/glsl_math_prelude.h"

layout(std430, set = 0, binding = 0) readonly buffer X { float x[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Y { float y[]; };

layout(push_constant) uniform Push {
    uint slices;
    uint axisLength;
    uint inner;
    uint logSoftmax;
} push;

void main()
{
    const uint s = flatInvocation();
    if (s >= push.slices)
        return;
    const uint base = (s / push.inner) * push.axisLength * push.inner + s % push.inner;
    const uint step = push.inner;
    precise float m = x[base];
    for (uint k = 1u; k < push.axisLength; ++k)
        m = canonicalMaxStep(m, x[base + k * step]);
    precise float total = 0.0f;
    for (uint c = 0u; c < push.axisLength; c += 32u) {
        const uint end = min(push.axisLength, c + 32u);
        precise float part = exact_exp(x[base + c * step] - m);
        for (uint k = c + 1u; k < end; ++k) {
            precise float e = exact_exp(x[base + k * step] - m);
            part = part + e;
        }
        total = c == 0u ? part : total + part;
    }
    if (push.logSoftmax != 0u) {
        precise float logSum = exact_log(total);
        for (uint k = 0u; k < push.axisLength; ++k) {
            precise float v = (x[base + k * step] - m) - logSum;
            y[base + k * step] = v;
        }
    } else {
        for (uint k = 0u; k < push.axisLength; ++k) {
            precise float e = exact_exp(x[base + k * step] - m);
            y[base + k * step] = exact_div(e, total);
        }
    }
}
