// glsl_math_prelude.h: the common start of the math families' compute shaders
// (engine/vulkan/shaders/{elementwise,reduce,optimizer}_*.comp). Include it right after
// `#version 450`. (IEEE subnormals are requested by the backend, which adds the
// DenormPreserve execution mode when it loads a shader on a device that supports it.) It
// sets the workgroup size from specialization constant 0, pulls in exact_math.h with `precise`
// locals, and gives the flat invocation index over groupsFor()'s 2-D grid.

#define TRIBUTARY_GLSL 1
#include "kernels/exact_math.h"

layout(local_size_x_id = 0) in;

uint flatInvocation()
{
    return gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x;
}

// The canonical max step (engine/ops/reduce.h): m = (v > m || isnan(v)) ? v : m.
float canonicalMaxStep(float m, float v)
{
    return (v > m || em_isnan(v)) ? v : m;
}
