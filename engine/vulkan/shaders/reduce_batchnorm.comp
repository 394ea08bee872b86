#version 450
// BatchNorm, inference (engine/ops/reduce.h): one invocation per element.
// Built plain and with SOFT_FMA (vulkan.cmake).
#include "kernels/glsl_math_prelude.h"

layout(std430, set = 0, binding = 0) readonly buffer X { float x[]; };
layout(std430, set = 0, binding = 1) readonly buffer Scale { float scale[]; };
layout(std430, set = 0, binding = 2) readonly buffer Bias { float bias[]; };
layout(std430, set = 0, binding = 3) readonly buffer Mean { float mean[]; };
layout(std430, set = 0, binding = 4) readonly buffer Var { float var[]; };
layout(std430, set = 0, binding = 5) writeonly buffer Y { float y[]; };

layout(push_constant) uniform Push {
    uint count;
    uint channels;
    uint spatial;
    float epsilon;
} push;

void main()
{
    const uint i = flatInvocation();
    if (i >= push.count)
        return;
    const uint c = (i / push.spatial) % push.channels;
    precise float v = var[c] + push.epsilon;
    precise float factor = scale[c] * exact_rsqrt(v);
    precise float r = (x[i] - mean[c]) * factor + bias[c];
    y[i] = r;
}
