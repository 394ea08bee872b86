#version 450
// Conv2d's im2col (engine/ops/linear.h): cols[g][(c, kh, kw)][(n, oh, ow)] =
// X[n][g·cg + c][oh·sH - padTop + kh·dH][ow·sW - padLeft + kw·dW], +0.0 outside the image.
// A copy of 32-bit words: no arithmetic on the values. One thread per element of cols.

layout(local_size_x = 64) in;

layout(std430, set = 0, binding = 0) readonly buffer Input { uint x[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Columns { uint cols[]; };

layout(push_constant) uniform Push {
    uint n, c, h, w;
    uint kh, kw, oh, ow;
    uint groups, cg;
    uint strideH, strideW;
    uint padTop, padLeft;
    uint dilationH, dilationW;
    uint total;
} pc;

void main()
{
    const uint e = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x;
    if (e >= pc.total)
        return;
    const uint plane = pc.oh * pc.ow;
    const uint s = e % plane;
    const uint rest = e / plane;
    const uint n = rest % pc.n;
    const uint kIndex = rest / pc.n;
    const uint kernelSize = pc.cg * pc.kh * pc.kw;
    const uint k = kIndex % kernelSize;
    const uint g = kIndex / kernelSize;
    const uint kw = k % pc.kw;
    const uint kh = (k / pc.kw) % pc.kh;
    const uint c = k / (pc.kw * pc.kh);
    const int h = int((s / pc.ow) * pc.strideH + kh * pc.dilationH) - int(pc.padTop);
    const int w = int((s % pc.ow) * pc.strideW + kw * pc.dilationW) - int(pc.padLeft);
    uint v = 0u; // +0.0
    if (h >= 0 && h < int(pc.h) && w >= 0 && w < int(pc.w))
        v = x[((n * pc.c + g * pc.cg + c) * pc.h + uint(h)) * pc.w + uint(w)];
    cols[e] = v;
}
