#version 450
// C[m×n] = A[m×k] · B[k×n], fp32 row-major, in exact mode: every C[i][j] is the chain
//   acc = 0; for p = 0 .. k-1 in order: acc = fma(A[i][p], B[p][j], acc)
// bitwise equal to the CPU backend. Tiling and threads split i and j only; p is walked
// in order in every thread. No subgroup operations and no atomics, so the result does
// not depend on the subgroup size or on scheduling.
//
// A workgroup computes a BM×BN tile of C (BM = local_size_y·TM, BN = local_size_x·TN),
// staging BK-deep slices of A and B in shared memory. Thread (x, y) owns rows
// y + i·local_size_y and columns x + j·local_size_x of the tile, so neighbouring threads
// read neighbouring shared-memory words and write neighbouring words of C.

// Variants (preprocessor flags, one SPIR-V module each):
//   (none)    fma(); IEEE subnormals are requested at load time where the device
//             supports float controls (spirvWithDenormPreserve in vulkan_shaders.h)
//   SOFT_FMA  softFma() on float bit patterns in integer arithmetic: exact on any
//             device, much slower; for devices whose fma() fails the open-time check

#ifdef SOFT_FMA
#extension GL_GOOGLE_include_directive : require
#include "soft_fma.glsl"
#define SCALAR uint
#define ZERO 0u
#define FMA(x, y, acc) softFma(x, y, acc)
#define PRECISE
#else
#define SCALAR float
#define ZERO 0.0
#define FMA(x, y, acc) fma(x, y, acc)
// precise: the compiler may not reassociate, contract or split these operations.
#define PRECISE precise
#endif

layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z = 1) in;
layout(constant_id = 2) const uint TM = 4; // rows of C per thread
layout(constant_id = 3) const uint TN = 4; // columns of C per thread
layout(constant_id = 4) const uint BK = 16; // depth of one shared-memory slice

layout(std430, set = 0, binding = 0) readonly buffer MatrixA { SCALAR a[]; };
layout(std430, set = 0, binding = 1) readonly buffer MatrixB { SCALAR b[]; };
layout(std430, set = 0, binding = 2) writeonly buffer MatrixC { SCALAR c[]; };

layout(push_constant) uniform Shape {
    uint m;
    uint n;
    uint k;
} shape;

const uint WG_X = gl_WorkGroupSize.x;
const uint WG_Y = gl_WorkGroupSize.y;
const uint BM = WG_Y * TM;
const uint BN = WG_X * TN;
const uint THREADS = WG_X * WG_Y;

shared SCALAR tileA[BK * BM]; // [p][row]
shared SCALAR tileB[BK * BN]; // [p][column]

void main()
{
    const uint tx = gl_LocalInvocationID.x;
    const uint ty = gl_LocalInvocationID.y;
    const uint tid = ty * WG_X + tx;
    const uint row0 = gl_WorkGroupID.y * BM;
    const uint col0 = gl_WorkGroupID.x * BN;

    PRECISE SCALAR acc[TM * TN];
    for (uint e = 0; e < TM * TN; ++e)
        acc[e] = ZERO;

    for (uint p0 = 0; p0 < shape.k; p0 += BK) {
        // Out-of-range elements are staged as zero but never used: the loop below runs
        // exactly the remaining kc steps, and edge rows/columns are not stored.
        for (uint e = tid; e < BM * BK; e += THREADS) {
            const uint r = e / BK;
            const uint p = e % BK;
            const uint gr = row0 + r;
            const uint gp = p0 + p;
            tileA[p * BM + r] = (gr < shape.m && gp < shape.k) ? a[gr * shape.k + gp] : ZERO;
        }
        for (uint e = tid; e < BK * BN; e += THREADS) {
            const uint p = e / BN;
            const uint col = e % BN;
            const uint gp = p0 + p;
            const uint gc = col0 + col;
            tileB[p * BN + col] = (gp < shape.k && gc < shape.n) ? b[gp * shape.n + gc] : ZERO;
        }
        barrier();

        const uint kc = min(BK, shape.k - p0);
        for (uint p = 0; p < kc; ++p) {
            SCALAR av[TM];
            SCALAR bv[TN];
            for (uint i = 0; i < TM; ++i)
                av[i] = tileA[p * BM + ty + i * WG_Y];
            for (uint j = 0; j < TN; ++j)
                bv[j] = tileB[p * BN + tx + j * WG_X];
            for (uint i = 0; i < TM; ++i) {
                for (uint j = 0; j < TN; ++j)
                    acc[i * TN + j] = FMA(av[i], bv[j], acc[i * TN + j]);
            }
        }
        barrier();
    }

    for (uint i = 0; i < TM; ++i) {
        const uint r = row0 + ty + i * WG_Y;
        if (r >= shape.m)
            continue;
        for (uint j = 0; j < TN; ++j) {
            const uint col = col0 + tx + j * WG_X;
            if (col < shape.n)
                c[r * shape.n + col] = acc[i * TN + j];
        }
    }
}
