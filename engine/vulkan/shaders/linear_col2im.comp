#version 450
// Conv2dBackwardInput's col2im (engine/ops/linear.h): for each dX[n][g·cg + c][h][w],
//   s = 0.0; for kh, kw increasing: if a window (oh, ow) reaches (h, w) through (kh, kw):
//   s = s + cols[n·groups + g][(c, kh, kw)][(oh, ow)];   dX = s
// One thread per element of dX.

layout(local_size_x = 64) in;

layout(std430, set = 0, binding = 0) readonly buffer Columns { float cols[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Output { float dx[]; };

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
    const uint wi = e % pc.w;
    const uint hi = (e / pc.w) % pc.h;
    const uint channel = (e / (pc.w * pc.h)) % pc.c;
    const uint n = e / (pc.w * pc.h * pc.c);
    const uint g = channel / pc.cg;
    const uint c = channel % pc.cg;
    const uint plane = pc.oh * pc.ow;
    const uint base = (n * pc.groups + g) * pc.cg * pc.kh * pc.kw * plane;
    precise float s = 0.0;
    for (uint kh = 0; kh < pc.kh; ++kh) {
        const int th = int(hi + pc.padTop) - int(kh * pc.dilationH);
        if (th < 0 || uint(th) % pc.strideH != 0u || uint(th) / pc.strideH >= pc.oh)
            continue;
        const uint oh = uint(th) / pc.strideH;
        for (uint kw = 0; kw < pc.kw; ++kw) {
            const int tw = int(wi + pc.padLeft) - int(kw * pc.dilationW);
            if (tw < 0 || uint(tw) % pc.strideW != 0u || uint(tw) / pc.strideW >= pc.ow)
                continue;
            const uint ow = uint(tw) / pc.strideW;
            s = s + cols[base + ((c * pc.kh + kh) * pc.kw + kw) * plane + oh * pc.ow + ow];
        }
    }
    dx[e] = s;
}
