#version 450
// MaxPool2d (mode 0) and AvgPool2d (mode 1), engine/ops/linear.h: one thread per output.
// Max: the first valid value, replaced by each later one that is greater or NaN, in
// (kh, kw) order. Avg: the valid values summed in (kh, kw) order from the first, times the
// window's reciprocal count (computed on the host: reciprocals[oh·oW + ow]).

layout(local_size_x = 64) in;

layout(std430, set = 0, binding = 0) readonly buffer Input { float x[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Output { float y[]; };
layout(std430, set = 0, binding = 2) readonly buffer Reciprocals { float reciprocals[]; };

layout(push_constant) uniform Push {
    uint h, w, kh, kw;
    uint oh, ow, strideH, strideW;
    uint padTop, padLeft;
    uint mode;
    uint total;
} pc;

void main()
{
    const uint e = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x;
    if (e >= pc.total)
        return;
    const uint ow = e % pc.ow;
    const uint oh = (e / pc.ow) % pc.oh;
    const uint plane = e / (pc.ow * pc.oh);
    const int h0 = int(oh * pc.strideH) - int(pc.padTop);
    const int w0 = int(ow * pc.strideW) - int(pc.padLeft);
    const int hBegin = max(h0, 0);
    const int hEnd = min(h0 + int(pc.kh), int(pc.h));
    const int wBegin = max(w0, 0);
    const int wEnd = min(w0 + int(pc.kw), int(pc.w));
    const uint base = plane * pc.h * pc.w;
    precise float r = x[base + uint(hBegin) * pc.w + uint(wBegin)];
    bool first = true;
    for (int hh = hBegin; hh < hEnd; ++hh) {
        for (int ww = wBegin; ww < wEnd; ++ww) {
            if (first) {
                first = false;
                continue;
            }
            const float v = x[base + uint(hh) * pc.w + uint(ww)];
            if (pc.mode == 0u) {
                if (v > r || isnan(v))
                    r = v;
            } else {
                r = r + v;
            }
        }
    }
    if (pc.mode != 0u)
        r = r * reciprocals[oh * pc.ow + ow];
    y[e] = r;
}
