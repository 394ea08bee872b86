#version 450
// The subnormal probe of exact_mode_check.h: sum[i] = a[i] + b[i], product[i] = a[i] * b[i]
// with plain float operations, as elementwise kernels compute them. A device that
// flushes subnormal inputs or results shows it here and is not used.

layout(local_size_x = 64) in;

layout(std430, set = 0, binding = 0) readonly buffer InputA { float a[]; };
layout(std430, set = 0, binding = 1) readonly buffer InputB { float b[]; };
layout(std430, set = 0, binding = 2) writeonly buffer Sum { float sum[]; };
layout(std430, set = 0, binding = 3) writeonly buffer Product { float product[]; };

layout(push_constant) uniform Push {
    uint count;
} push;

void main()
{
    const uint i = gl_GlobalInvocationID.x;
    if (i >= push.count)
        return;
    precise float s = a[i] + b[i];
    precise float p = a[i] * b[i];
    sum[i] = s;
    product[i] = p;
}
