#version 450
// MaxPool2dBackward (mode 0) and AvgPool2dBackward (mode 1), engine/ops/linear.h: one
// thread per element of dX, gathering over the windows that cover it in increasing
// (oh, ow) order from s = 0.0:
//   max: s = s + dY[oh][ow] when the window's first maximum (as MaxPool2d picks it) is here
//   avg: s = s + (dY[oh][ow] · reciprocals[oh·oW + ow])

layout(local_size_x = 64) in;

layout(std430, set = 0, binding = 0) readonly buffer Gradient { float dy[]; };
layout(std430, set = 0, binding = 1) readonly buffer Input { float x[]; };
layout(std430, set = 0, binding = 2) writeonly buffer Output { float dx[]; };
layout(std430, set = 0, binding = 3) readonly buffer Reciprocals { float reciprocals[]; };

layout(push_constant) uniform Push {
    uint h, w, kh, kw;
    uint oh, ow, strideH, strideW;
    uint padTop, padLeft;
    uint mode;
    uint total;
} pc;

// The offset h·W + w of window (oh, ow)'s first maximum within plane `base`.
uint argmax(uint base, uint oh, uint ow)
{
    const int h0 = int(oh * pc.strideH) - int(pc.padTop);
    const int w0 = int(ow * pc.strideW) - int(pc.padLeft);
    const int hBegin = max(h0, 0);
    const int hEnd = min(h0 + int(pc.kh), int(pc.h));
    const int wBegin = max(w0, 0);
    const int wEnd = min(w0 + int(pc.kw), int(pc.w));
    uint best = uint(hBegin) * pc.w + uint(wBegin);
    float m = x[base + best];
    for (int hh = hBegin; hh < hEnd; ++hh) {
        for (int ww = wBegin; ww < wEnd; ++ww) {
            const uint at = uint(hh) * pc.w + uint(ww);
            const float v = x[base + at];
            if (v > m || isnan(v)) {
                m = v;
                best = at;
            }
        }
    }
    return best;
}

void main()
{
    const uint e = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x;
    if (e >= pc.total)
        return;
    const uint wi = e % pc.w;
    const uint hi = (e / pc.w) % pc.h;
    const uint plane = e / (pc.w * pc.h);
    const uint base = plane * pc.h * pc.w;
    const uint here = hi * pc.w + wi;
    // Windows with oh·sH - padTop <= hi <= oh·sH - padTop + kH - 1.
    const int top = int(hi + pc.padTop);
    const int left = int(wi + pc.padLeft);
    const int ohFirst = max(0, (top - int(pc.kh) + int(pc.strideH)) / int(pc.strideH));
    const int ohLast = min(int(pc.oh) - 1, top / int(pc.strideH));
    const int owFirst = max(0, (left - int(pc.kw) + int(pc.strideW)) / int(pc.strideW));
    const int owLast = min(int(pc.ow) - 1, left / int(pc.strideW));
    precise float s = 0.0;
    for (int oh = ohFirst; oh <= ohLast; ++oh) {
        for (int ow = owFirst; ow <= owLast; ++ow) {
            const uint o = uint(oh) * pc.ow + uint(ow);
            const float g = dy[plane * pc.oh * pc.ow + o];
            if (pc.mode == 0u) {
                if (argmax(base, uint(oh), uint(ow)) == here)
                    s = s + g;
            } else {
                precise float t = g * reciprocals[o];
                s = s + t;
            }
        }
    }
    dx[e] = s;
}
