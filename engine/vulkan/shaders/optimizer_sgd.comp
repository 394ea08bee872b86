#version 450
// SgdUpdate (engine/ops/optimizer.h): one invocation per parameter. Outputs may alias the
// inputs (each invocation reads its element before writing it). Built plain and with
// SOFT_FMA (vulkan.cmake).
#include "kernels/glsl_math_prelude.h"

layout(std430, set = 0, binding = 0) buffer Param { float param[]; };
layout(std430, set = 0, binding = 1) buffer Grad { float grad[]; };
layout(std430, set = 0, binding = 2) buffer Velocity { float velocity[]; };
layout(std430, set = 0, binding = 3) buffer ParamOut { float paramOut[]; };
layout(std430, set = 0, binding = 4) buffer VelocityOut { float velocityOut[]; };

layout(push_constant) uniform Push {
    uint count;
    uint nesterov;
    float learningRate;
    float momentum;
    float weightDecay;
} push;

void main()
{
    const uint i = flatInvocation();
    if (i >= push.count)
        return;
    precise float p = param[i];
    precise float g = grad[i];
    if (push.weightDecay != 0.0f)
        g = g + push.weightDecay * p;
    precise float v = velocity[i];
    precise float d = g;
    if (push.momentum != 0.0f) {
        v = push.momentum * v + g;
        d = push.nesterov != 0u ? g + push.momentum * v : v;
    }
    precise float p1 = p - push.learningRate * d;
    velocityOut[i] = v;
    paramOut[i] = p1;
}
