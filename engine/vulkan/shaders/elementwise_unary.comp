#version 450
// Unary elementwise ops (engine/ops/elementwise.h): y[i] = f(x[i]). Built plain and
// with SOFT_FMA (vulkan.cmake).
#include "kernels/glsl_math_prelude.h"

layout(std430, set = 0, binding = 0) readonly buffer X { float x[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Y { float y[]; };

layout(push_constant) uniform Push {
    uint count;
    uint op; // 0 Neg, 1 Relu, 2 Gelu, 3 Tanh, 4 Sigmoid, 5 Exp, 6 Log, 7 Sqrt
} push;

void main()
{
    const uint i = flatInvocation();
    if (i >= push.count)
        return;
    precise float v = x[i];
    precise float r;
    switch (push.op) {
    case 0u: r = uintBitsToFloat(floatBitsToUint(v) ^ 0x80000000u); break;
    case 1u: r = v > 0.0f ? v : (em_isnan(v) ? v : 0.0f); break;
    case 2u: r = exact_gelu(v); break;
    case 3u: r = exact_tanh(v); break;
    case 4u: r = exact_sigmoid(v); break;
    case 5u: r = exact_exp(v); break;
    case 6u: r = exact_log(v); break;
    default: r = exact_sqrt(v); break;
    }
    y[i] = r;
}
