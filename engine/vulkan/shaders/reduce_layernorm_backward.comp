#version 450
// LayerNormBackward (engine/ops/reduce.h). mode 0: one invocation per row writes dX;
// mode 1: one invocation per normalised position j writes dScale[j] and dBias[j] (sums
// over rows in order). Built plain and with SOFT_FMA (vulkan.cmake).
#include "kernels/glsl_math_prelude.h"

layout(std430, set = 0, binding = 0) readonly buffer DY { float dy[]; };
layout(std430, set = 0, binding = 1) readonly buffer X { float x[]; };
layout(std430, set = 0, binding = 2) readonly buffer Scale { float scale[]; };
layout(std430, set = 0, binding = 3) readonly buffer Mean { float mean[]; };
layout(std430, set = 0, binding = 4) readonly buffer Inv { float inv[]; };
layout(std430, set = 0, binding = 5) writeonly buffer DX { float dx[]; };
layout(std430, set = 0, binding = 6) writeonly buffer DScale { float dScale[]; };
layout(std430, set = 0, binding = 7) writeonly buffer DBias { float dBias[]; };

layout(push_constant) uniform Push {
    uint rows;
    uint n;
    uint mode;
    float invN;
} push;

float xhat(uint r, uint i)
{
    precise float v = (x[r * push.n + i] - mean[r]) * inv[r];
    return v;
}

float gradAt(uint r, uint i)
{
    precise float g = dy[r * push.n + i] * scale[i];
    return g;
}

void main()
{
    const uint t = flatInvocation();
    if (push.mode == 0u) {
        if (t >= push.rows)
            return;
        const uint r = t;
        precise float sa = 0.0f;
        precise float sb = 0.0f;
        for (uint c = 0u; c < push.n; c += 32u) {
            const uint end = min(push.n, c + 32u);
            precise float pa = gradAt(r, c);
            precise float pb = gradAt(r, c) * xhat(r, c);
            for (uint i = c + 1u; i < end; ++i) {
                pa = pa + gradAt(r, i);
                precise float q = gradAt(r, i) * xhat(r, i);
                pb = pb + q;
            }
            sa = c == 0u ? pa : sa + pa;
            sb = c == 0u ? pb : sb + pb;
        }
        precise float a = sa * push.invN;
        precise float b = sb * push.invN;
        for (uint i = 0u; i < push.n; ++i) {
            precise float v = inv[r] * ((gradAt(r, i) - a) - xhat(r, i) * b);
            dx[r * push.n + i] = v;
        }
    } else {
        if (t >= push.n)
            return;
        const uint j = t;
        precise float ss = 0.0f;
        precise float sbias = 0.0f;
        for (uint c = 0u; c < push.rows; c += 32u) {
            const uint end = min(push.rows, c + 32u);
            precise float ps = dy[c * push.n + j] * xhat(c, j);
            precise float pb = dy[c * push.n + j];
            for (uint r = c + 1u; r < end; ++r) {
                precise float q = dy[r * push.n + j] * xhat(r, j);
                ps = ps + q;
                pb = pb + dy[r * push.n + j];
            }
            ss = c == 0u ? ps : ss + ps;
            sbias = c == 0u ? pb : sbias + pb;
        }
        dScale[j] = ss;
        dBias[j] = sbias;
    }
}
