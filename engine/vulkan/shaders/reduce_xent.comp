#version 450
// SoftmaxCrossEntropy (per-row losses; the host then sums them with reduce_generic) and
// SoftmaxCrossEntropyBackward (engine/ops/reduce.h): one invocation per row. Labels are
// i64 (two words, little-endian) or i32. Built plain and with SOFT_FMA (vulkan.cmake).
#include "kernels/glsl_math_prelude.h"

layout(std430, set = 0, binding = 0) readonly buffer Logits { float x[]; };
layout(std430, set = 0, binding = 1) readonly buffer Labels { uint labels[]; };
layout(std430, set = 0, binding = 2) writeonly buffer Out { float result[]; };

layout(push_constant) uniform Push {
    uint rows;
    uint classes;
    uint backward;
    uint labels64;
    float invN;
} push;

void main()
{
    const uint r = flatInvocation();
    if (r >= push.rows)
        return;
    const uint base = r * push.classes;
    bool valid;
    uint label;
    if (push.labels64 != 0u) {
        label = labels[2u * r];
        valid = labels[2u * r + 1u] == 0u && label < push.classes;
    } else {
        label = labels[r];
        valid = label < push.classes; // a negative i32 is a huge uint
    }
    precise float m = x[base];
    for (uint k = 1u; k < push.classes; ++k)
        m = canonicalMaxStep(m, x[base + k]);
    precise float total = 0.0f;
    for (uint c = 0u; c < push.classes; c += 32u) {
        const uint end = min(push.classes, c + 32u);
        precise float part = exact_exp(x[base + c] - m);
        for (uint k = c + 1u; k < end; ++k) {
            precise float e = exact_exp(x[base + k] - m);
            part = part + e;
        }
        total = c == 0u ? part : total + part;
    }
    if (push.backward != 0u) {
        for (uint k = 0u; k < push.classes; ++k) {
            precise float e = exact_exp(x[base + k] - m);
            precise float softmax = exact_div(e, total);
            precise float d = valid ? softmax - (k == label ? 1.0f : 0.0f) : em_nan();
            precise float g = d * push.invN;
            result[base + k] = g;
        }
    } else {
        precise float l = valid ? exact_log(total) - (x[base + label] - m) : em_nan();
        result[r] = l;
    }
}
