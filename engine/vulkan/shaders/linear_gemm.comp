#version 450
// Batched, strided GEMM with an epilogue: the linear family's Gemm, MatMul and the GEMM
// stages of Conv2d and its backward ops (engine/ops/linear.h). For batch z (workgroup z)
// with element offsets o = offsets[4z .. 4z+3] (A, B, Y, Add):
//   acc = 0; for p = 0 .. k-1 in order: acc = fma(A[oA + i·aRow + p·aCol], B[oB + p·bRow + j·bCol], acc)
//   r = (alpha == 1 ? acc : alpha·acc); with an added term: r = r + (beta == 1 ? t : beta·t),
//   t = Add[oAdd + i·addRow + j·addCol]
//   Y[oY + i·yRow + j] = r
// Tiling splits i and j only; every thread walks p in order, so the bits equal the CPU's.
// No subgroup operations, no atomics.
#extension GL_GOOGLE_include_directive : require

#ifdef SOFT_FMA
#include "soft_fma.glsl"
#define SCALAR uint
#define ZERO 0u
#define FMA(x, y, acc) softFma(x, y, acc)
#define TO_FLOAT(v) uintBitsToFloat(v)
#define FROM_FLOAT(v) floatBitsToUint(v)
#define PRECISE
#else
#define SCALAR float
#define ZERO 0.0
#define FMA(x, y, acc) fma(x, y, acc)
#define TO_FLOAT(v) (v)
#define FROM_FLOAT(v) (v)
#define PRECISE precise
#endif

layout(local_size_x = 16, local_size_y = 16, local_size_z = 1) in;
const uint TM = 4; // rows per thread
const uint TN = 4; // columns per thread
const uint BK = 16;
const uint WG_X = 16;
const uint WG_Y = 16;
const uint BM = WG_Y * TM;
const uint BN = WG_X * TN;
const uint THREADS = WG_X * WG_Y;

layout(std430, set = 0, binding = 0) readonly buffer MatrixA { SCALAR a[]; };
layout(std430, set = 0, binding = 1) readonly buffer MatrixB { SCALAR b[]; };
layout(std430, set = 0, binding = 2) writeonly buffer MatrixY { SCALAR y[]; };
layout(std430, set = 0, binding = 3) readonly buffer Added { float added[]; };
layout(std430, set = 0, binding = 4) readonly buffer Offsets { uint offsets[]; };

layout(push_constant) uniform Push {
    uint m;
    uint n;
    uint k;
    uint aRow;
    uint aCol;
    uint bRow;
    uint bCol;
    uint yRow;
    uint addRow;
    uint addCol;
    float alpha;
    float beta;
    uint hasAdded;
} pc;

shared SCALAR tileA[BK * BM]; // [p][row]
shared SCALAR tileB[BK * BN]; // [p][column]

void main()
{
    const uint tx = gl_LocalInvocationID.x;
    const uint ty = gl_LocalInvocationID.y;
    const uint tid = ty * WG_X + tx;
    const uint row0 = gl_WorkGroupID.y * BM;
    const uint col0 = gl_WorkGroupID.x * BN;
    const uint batch = gl_WorkGroupID.z;
    const uint offA = offsets[4 * batch];
    const uint offB = offsets[4 * batch + 1];
    const uint offY = offsets[4 * batch + 2];
    const uint offAdd = offsets[4 * batch + 3];

    PRECISE SCALAR acc[TM * TN];
    for (uint e = 0; e < TM * TN; ++e)
        acc[e] = ZERO;

    for (uint p0 = 0; p0 < pc.k; p0 += BK) {
        for (uint e = tid; e < BM * BK; e += THREADS) {
            const uint r = e / BK;
            const uint p = e % BK;
            const uint gr = row0 + r;
            const uint gp = p0 + p;
            tileA[p * BM + r] = (gr < pc.m && gp < pc.k) ? a[offA + gr * pc.aRow + gp * pc.aCol] : ZERO;
        }
        for (uint e = tid; e < BK * BN; e += THREADS) {
            const uint p = e / BN;
            const uint col = e % BN;
            const uint gp = p0 + p;
            const uint gc = col0 + col;
            tileB[p * BN + col] = (gp < pc.k && gc < pc.n) ? b[offB + gp * pc.bRow + gc * pc.bCol] : ZERO;
        }
        barrier();

        const uint kc = min(BK, pc.k - p0);
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
        if (r >= pc.m)
            continue;
        for (uint j = 0; j < TN; ++j) {
            const uint col = col0 + tx + j * WG_X;
            if (col >= pc.n)
                continue;
            precise float v = TO_FLOAT(acc[i * TN + j]);
            if (pc.alpha != 1.0)
                v = pc.alpha * v;
            if (pc.hasAdded != 0u) {
                precise float t = added[offAdd + r * pc.addRow + col * pc.addCol];
                if (pc.beta != 1.0)
                    t = pc.beta * t;
                v = v + t;
            }
            y[offY + r * pc.yRow + col] = FROM_FLOAT(v);
        }
    }
}
