#version 450
// AdamWUpdate (engine/ops/optimizer.h): one invocation per parameter; the bias
// corrections and decay come from the host (adamWConstants). Outputs may alias inputs.
// Built plain and with SOFT_FMA (vulkan.cmake).
#include "kernels/glsl_math_prelude.h"

layout(std430, set = 0, binding = 0) buffer Param { float param[]; };
layout(std430, set = 0, binding = 1) buffer Grad { float grad[]; };
layout(std430, set = 0, binding = 2) buffer M { float m[]; };
layout(std430, set = 0, binding = 3) buffer V { float v[]; };
layout(std430, set = 0, binding = 4) buffer ParamOut { float paramOut[]; };
layout(std430, set = 0, binding = 5) buffer MOut { float mOut[]; };
layout(std430, set = 0, binding = 6) buffer VOut { float vOut[]; };

layout(push_constant) uniform Push {
    uint count;
    float beta1;
    float beta2;
    float epsilon;
    float decay;
    float c1;
    float c2;
    float stepSize;
    float invSqrtBc2;
} push;

void main()
{
    const uint i = flatInvocation();
    if (i >= push.count)
        return;
    precise float g = grad[i];
    precise float p = param[i] * push.decay;
    precise float m1 = push.beta1 * m[i] + push.c1 * g;
    precise float v1 = push.beta2 * v[i] + push.c2 * (g * g);
    precise float denom = exact_sqrt(v1) * push.invSqrtBc2 + push.epsilon;
    precise float p1 = p - push.stepSize * exact_div(m1, denom);
    mOut[i] = m1;
    vOut[i] = v1;
    paramOut[i] = p1;
}
