#version 450
// Binary elementwise ops with broadcasting (engine/ops/elementwise.h). The host coalesces
// the output shape to at most 6 dims; a and b give each input's element stride along them
// (0 where it is broadcast). Built plain and with SOFT_FMA (vulkan.cmake).
#include "kernels/glsl_math_prelude.h"

layout(std430, set = 0, binding = 0) readonly buffer A { float a[]; };
layout(std430, set = 0, binding = 1) readonly buffer B { float b[]; };
layout(std430, set = 0, binding = 2) writeonly buffer Y { float y[]; };

layout(push_constant) uniform Push {
    uint count;
    uint op; // 0 Add, 1 Sub, 2 Mul, 3 Div, 4 ReluBackward, 5 GeluBackward, 6 TanhBackward, 7 SigmoidBackward
    uint rank;
    uint dims[6];
    uint strideA[6];
    uint strideB[6];
} push;

void main()
{
    const uint i = flatInvocation();
    if (i >= push.count)
        return;
    uint rest = i;
    uint offA = 0u;
    uint offB = 0u;
    for (int d = int(push.rank) - 1; d >= 0; --d) {
        const uint index = rest % push.dims[d];
        rest = rest / push.dims[d];
        offA += index * push.strideA[d];
        offB += index * push.strideB[d];
    }
    precise float u = a[offA];
    precise float v = b[offB];
    precise float r;
    switch (push.op) {
    case 0u: r = u + v; break;
    case 1u: r = u - v; break;
    case 2u: r = u * v; break;
    case 3u: r = exact_div(u, v); break;
    case 4u: r = v > 0.0f ? u : 0.0f; break;
    case 5u: r = u * exact_gelu_derivative(v); break;
    case 6u: r = u * (1.0f - v * v); break;
    default: r = u * (v * (1.0f - v)); break;
    }
    y[i] = r;
}
