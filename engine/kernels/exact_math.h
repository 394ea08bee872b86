// exact_math.h: division, square roots, exp, log, tanh, sigmoid, erf and GELU built from
// IEEE binary32 +, -, * (no fma), comparisons, int<->float conversions and bit operations
// only, so that the CPU, CUDA and Vulkan (GLSL) backends compute the same bits. The
// platform's versions are never used in exact mode: Vulkan leaves their precision
// unspecified and libm / CUDA differ from each other in the last bits.
//
// ONE source for three dialects. Include it
//   - from C++ (namespace tributary::engine::exact; compile with -ffp-contract=off, as the
//     engine is, so that a*b+c is never fused),
//   - from CUDA .cu files (__device__ functions; build with --fmad=false -ftz=false),
//   - from GLSL compute shaders: `#define TRIBUTARY_GLSL 1` then
//     `#include "kernels/exact_math.h"` (GL_GOOGLE_include_directive, -I engine). Every
//     float local is declared EM_P (`precise`), so no driver contracts a*b+c.
//
// Function bodies therefore use a C subset: no pointers, references only through EM_OUT,
// functional casts (float(i), int(x), em_u32(x)), constants written as the exact float
// value in decimal (17 digits: every parser rounds them to the same float).
//
// Accuracy, max error over 20 million inputs per function against long double
// (tests/engine/math/exact_math_test.cpp, label slow; the unit run asserts the same bounds
// on 200 000): exact_div / exact_reciprocal 0.75 ulp (correctly rounded for normal results
// except rare near-halfway cases; 0.75 from a double rounding into the subnormal range),
// exact_sqrt 0.5 (correctly rounded), exact_rsqrt 1.5, exact_exp 0.95, exact_log 0.83,
// exact_tanh 1.4, exact_sigmoid 2.4, exact_erf 3.3, exact_erfc 3.6, exact_gelu 4.9,
// exact_gelu_derivative 7.5 where |result| >= 0.1 and 1.3e-7 absolute everywhere (it
// cancels near its zero at x ≈ -0.75). Special values follow IEEE 754 / C99 Annex F: NaN
// in -> NaN out (payload unspecified), ±0 and ±inf handled, subnormal inputs and outputs
// kept, overflow -> ±inf, underflow -> ±0.

#ifndef TRIBUTARY_ENGINE_KERNELS_EXACT_MATH_H
#define TRIBUTARY_ENGINE_KERNELS_EXACT_MATH_H

#if defined(TRIBUTARY_GLSL)
#define EM_FN
#define EM_P precise
#define EM_OUT(T) out T
#define em_u32 uint
#define em_f2u(x) floatBitsToUint(x)
#define em_u2f(x) uintBitsToFloat(x)
#elif defined(__CUDACC__)
#define EM_FN __device__ __forceinline__
#define EM_P
#define EM_OUT(T) T &
typedef unsigned int em_u32;
#define em_f2u(x) __float_as_uint(x)
#define em_u2f(x) __uint_as_float(x)
#else
#include <bit>
#include <cstdint>
namespace tributary::engine::exact {
#define EM_FN inline
#define EM_P
#define EM_OUT(T) T &
using em_u32 = std::uint32_t;
#define em_f2u(x) std::bit_cast<::tributary::engine::exact::em_u32>(float(x))
#define em_u2f(x) std::bit_cast<float>(::tributary::engine::exact::em_u32(x))
#endif

// ---- bit helpers -------------------------------------------------------------------------

EM_FN bool em_isnan(float x)
{
    return (em_f2u(x) & 0x7fffffffu) > 0x7f800000u;
}

EM_FN float em_nan()
{
    return em_u2f(0x7fc00000u);
}

EM_FN float em_abs(float x)
{
    return em_u2f(em_f2u(x) & 0x7fffffffu);
}

// x with the sign bit of s (x's own sign bit replaced).
EM_FN float em_copysign(float x, float s)
{
    return em_u2f((em_f2u(x) & 0x7fffffffu) | (em_f2u(s) & 0x80000000u));
}

// y · 2^k with a single rounding, for normal y in [2^-50, 2^49] and any k: overflows to
// inf, rounds once into the subnormal range, underflows to 0.
EM_FN float em_ldexp(float y, int k)
{
    int kk = k < -200 ? -200 : (k > 300 ? 300 : k);
    EM_P float v = y;
    if (kk > 127) {
        v = v * 1.7014118346046923e+38f; // 2^127
        kk = kk - 127;
        if (kk > 127) {
            v = v * 1.7014118346046923e+38f;
            kk = 127;
        }
    }
    if (kk < -126) {
        // Exact step into a still-normal value, then one rounding by 2^-126.
        v = v * em_u2f(em_u32(kk + 126 + 127) << 23);
        kk = -126;
    }
    EM_P float r = v * em_u2f(em_u32(kk + 127) << 23);
    return r;
}

// |x| = m · 2^e with m in [1, 2), for finite nonzero x given as its absolute bits.
EM_FN float em_mant(em_u32 absBits, EM_OUT(int) e)
{
    em_u32 b = absBits;
    int ex = int(b >> 23);
    int bias = 127;
    if (ex == 0) {
        EM_P float t = em_u2f(b) * 16777216.0f; // 2^24: subnormal -> normal, exact
        b = em_f2u(t);
        ex = int(b >> 23);
        bias = 127 + 24;
    }
    e = ex - bias;
    return em_u2f((b & 0x7fffffu) | 0x3f800000u);
}

// a · b = p + e exactly (Dekker's product by Veltkamp splitting; no fma). |a|, |b| must be
// far from overflow (the callers pass values within a few binades of 1).
EM_FN void em_two_prod(float a, float b, EM_OUT(float) p, EM_OUT(float) e)
{
    EM_P float ca = 4097.0f * a;
    EM_P float ah = ca - (ca - a);
    EM_P float al = a - ah;
    EM_P float cb = 4097.0f * b;
    EM_P float bh = cb - (cb - b);
    EM_P float bl = b - bh;
    EM_P float pp = a * b;
    EM_P float ee = (((ah * bh - pp) + ah * bl) + al * bh) + al * bl;
    p = pp;
    e = ee;
}

// ma / mb for ma, mb in [1, 2): Newton reciprocal, then one correction with the exact
// residual, which makes the quotient correctly rounded except in near-halfway cases.
EM_FN float em_div_mant(float ma, float mb)
{
    EM_P float r = 1.4117647409439087f - 0.47058823704719543f * mb; // 24/17 - 8/17·mb
    r = r * (2.0f - mb * r);
    r = r * (2.0f - mb * r);
    r = r * (2.0f - mb * r);
    EM_P float q = ma * r;
    EM_P float p;
    EM_P float pe;
    em_two_prod(q, mb, p, pe);
    EM_P float res = (ma - p) - pe; // ma - p is exact (Sterbenz)
    EM_P float q1 = q + res * r;
    return q1;
}

// ---- division, reciprocal, square roots --------------------------------------------------

EM_FN float exact_div(float a, float b)
{
    em_u32 ua = em_f2u(a);
    em_u32 ub = em_f2u(b);
    em_u32 sign = (ua ^ ub) & 0x80000000u;
    em_u32 aa = ua & 0x7fffffffu;
    em_u32 ab = ub & 0x7fffffffu;
    if (aa > 0x7f800000u || ab > 0x7f800000u)
        return em_nan();
    if (aa == 0x7f800000u)
        return ab == 0x7f800000u ? em_nan() : em_u2f(sign | 0x7f800000u);
    if (ab == 0x7f800000u)
        return em_u2f(sign);
    if (ab == 0u)
        return aa == 0u ? em_nan() : em_u2f(sign | 0x7f800000u);
    if (aa == 0u)
        return em_u2f(sign);
    int ea;
    int eb;
    EM_P float ma = em_mant(aa, ea);
    EM_P float mb = em_mant(ab, eb);
    EM_P float q = em_div_mant(ma, mb); // in (0.5, 2)
    EM_P float r = em_ldexp(q, ea - eb);
    return em_u2f(em_f2u(r) | sign);
}

EM_FN float exact_reciprocal(float x)
{
    return exact_div(1.0f, x);
}

EM_FN float exact_sqrt(float x)
{
    em_u32 u = em_f2u(x);
    if ((u & 0x7fffffffu) == 0u)
        return x; // ±0
    if (u > 0x7f800000u)
        return em_nan(); // NaN or negative
    if (u == 0x7f800000u)
        return x; // +inf
    int e;
    EM_P float m = em_mant(u, e);
    if ((e & 1) != 0) {
        m = m * 2.0f; // m in [1, 4), e even
        e = e - 1;
    }
    // y ≈ 1/sqrt(m) by Newton from a linear start; s = m·y; one correction with the exact
    // residual m - s² gives a (nearly always) correctly rounded sqrt(m).
    EM_P float y = 1.1571428775787354f - 0.19285714626312256f * m;
    y = y * (1.5f - 0.5f * m * y * y);
    y = y * (1.5f - 0.5f * m * y * y);
    y = y * (1.5f - 0.5f * m * y * y);
    y = y * (1.5f - 0.5f * m * y * y);
    EM_P float s = m * y;
    EM_P float p;
    EM_P float pe;
    em_two_prod(s, s, p, pe);
    EM_P float res = (m - p) - pe;
    EM_P float s1 = s + res * (0.5f * y);
    EM_P float r = s1 * em_u2f(em_u32((e >> 1) + 127) << 23);
    return r;
}

EM_FN float exact_rsqrt(float x)
{
    return exact_reciprocal(exact_sqrt(x));
}

// ---- exp and log --------------------------------------------------------------------------

// exp(x) = y · 2^k with y in [0.7, 1.42], for x in [-400, 400] (callers clamp).
EM_FN float em_exp_parts(float x, EM_OUT(int) k)
{
    EM_P float t = x * 1.4426950216293335f + 12582912.0f; // round(x·log2 e), ties to even
    EM_P float kf = t - 12582912.0f;
    k = int(kf);
    // Cody-Waite: ln 2 = hi + lo, hi with 15 significant bits so kf·hi is exact.
    EM_P float r = (x - kf * 0.693145751953125f) - kf * 1.4286067653e-06f;
    EM_P float q = r * r
        * (0.5f
           + r
               * (0.1666666716337204f
                  + r
                      * (0.041666667908430099f
                         + r
                             * (0.0083333337679505348f
                                + r
                                    * (0.0013888889225199819f
                                       + r * (0.00019841270113829523f + r * 2.4801587642286904e-05f))))));
    EM_P float y = 1.0f + (r + q);
    return y;
}

EM_FN float exact_exp(float x)
{
    if (em_isnan(x))
        return x + x;
    EM_P float c = x < -110.0f ? -110.0f : (x > 100.0f ? 100.0f : x);
    int k;
    EM_P float y = em_exp_parts(c, k);
    return em_ldexp(y, k);
}

EM_FN float exact_log(float x)
{
    em_u32 u = em_f2u(x);
    if ((u & 0x7fffffffu) == 0u)
        return em_u2f(0xff800000u); // log(±0) = -inf
    if (u > 0x7f800000u)
        return em_nan(); // NaN or negative
    if (u == 0x7f800000u)
        return x;
    int e;
    EM_P float m = em_mant(u, e);
    if (m > 1.4142135381698608f) {
        m = m * 0.5f;
        e = e + 1;
    }
    // fdlibm's scheme: f = m - 1 (exact), s = f / (2 + f), log(1 + f) = 2·atanh(s)
    // = f - hfsq + s·(hfsq + R), R = Σ 2/(2i+1)·s^(2i).
    EM_P float f = m - 1.0f;
    EM_P float s = exact_div(f, 2.0f + f);
    EM_P float z = s * s;
    EM_P float R = z
        * (0.66666668653488159f
           + z
               * (0.40000000596046448f
                  + z * (0.28571429848670959f + z * (0.22222222387790680f + z * 0.18181818723678589f))));
    EM_P float hfsq = 0.5f * f * f;
    EM_P float dk = float(e);
    EM_P float r = dk * 0.693138122558593750f - ((hfsq - (s * (hfsq + R) + dk * 9.0580006144591607e-06f)) - f);
    return r;
}

// ---- tanh, sigmoid -----------------------------------------------------------------------

EM_FN float exact_tanh(float x)
{
    if (em_isnan(x))
        return x + x;
    EM_P float a = em_abs(x);
    if (a < 0.000244140625f) // 2^-12: tanh(x) rounds to x (keeps ±0 and subnormals)
        return x;
    EM_P float r;
    if (a < 0.55f) {
        EM_P float s = a * a;
        EM_P float p = s
            * (-0.3333333432674408f
               + s
                   * (0.13333334028720856f
                      + s
                          * (-0.05396825447678566f
                             + s
                                 * (0.021869488060474396f
                                    + s
                                        * (-0.0088632358238101006f
                                           + s
                                               * (0.0035921279340982437f
                                                  + s
                                                      * (-0.0014558337861672044f
                                                         + s * (0.00059008726384490728f
                                                                + s * -0.00023688767396379262f))))))));
        r = a + a * p;
    } else if (a > 9.1f) {
        r = 1.0f;
    } else {
        EM_P float e = exact_exp(a + a);
        r = 1.0f - exact_div(2.0f, e + 1.0f);
    }
    return em_copysign(r, x);
}

EM_FN float exact_sigmoid(float x)
{
    if (em_isnan(x))
        return x + x;
    EM_P float r;
    if (x >= 0.0f) {
        EM_P float e = exact_exp(-x);
        r = exact_div(1.0f, 1.0f + e);
    } else {
        EM_P float e = exact_exp(x);
        r = exact_div(e, 1.0f + e);
    }
    return r;
}

// ---- erf, erfc, gelu ----------------------------------------------------------------------

// erf(x) for |x| < 1 (Taylor series to x^23, truncation < 1e-10).
EM_FN float em_erf_small(float x)
{
    EM_P float s = x * x;
    EM_P float p = s
        * (-0.37612637877464294f
           + s
               * (0.11283791810274124f
                  + s
                      * (-0.026866171509027481f
                         + s
                             * (0.0052239778451621532f
                                + s
                                    * (-0.00085483270231634378f
                                       + s
                                           * (0.00012055332626914605f
                                              + s
                                                  * (-1.4925650248187594e-05f
                                                     + s
                                                         * (1.6462114444948384e-06f
                                                            + s
                                                                * (-1.6365844146548625e-07f
                                                                   + s
                                                                       * (1.4807192805221803e-08f
                                                                          + s * -1.2290555240213052e-09f))))))))));
    EM_P float r = x * 1.128379225730896f + x * p;
    return r;
}

// g(z) = erfc(z)·exp(z²) for z in [0.5, 16], piecewise polynomials in t = (z - mid)/half
// (t is exact: mid and half are powers of two or small multiples).
EM_FN float em_erfcx_mid(float z)
{
    EM_P float r;
    if (z < 1.0f) {
        EM_P float t = (z - 0.75f) * 4.0f;
        r = -3.7659805229850463e-07f;
        r = r * t + 3.5638822737382725e-06f;
        r = r * t - 3.114512946922332e-05f;
        r = r * t + 0.00026085332501679659f;
        r = r * t - 0.0020286894869059324f;
        r = r * t + 0.014434892684221268f;
        r = r * t - 0.091993175446987152f;
        r = r * t + 0.50693762302398682f;
    } else if (z < 2.0f) {
        EM_P float t = (z - 1.5f) * 2.0f;
        r = 9.2429115738923429e-07f;
        r = r * t - 5.502442490978865e-06f;
        r = r * t + 2.9431450457195751e-05f;
        r = r * t - 0.0001605600118637085f;
        r = r * t + 0.00083609478315338492f;
        r = r * t - 0.0041164332069456577f;
        r = r * t + 0.019037758931517601f;
        r = r * t - 0.08181145042181015f;
        r = r * t + 0.32158541679382324f;
    } else if (z < 4.0f) {
        EM_P float t = z - 3.0f;
        r = 3.3415432199035422e-07f;
        r = r * t - 1.4332136970551801e-06f;
        r = r * t + 5.1003225962631404e-06f;
        r = r * t - 2.0783956642844714e-05f;
        r = r * t + 8.3574566815514117e-05f;
        r = r * t - 0.00032421661308035254f;
        r = r * t + 0.0012230353895574808f;
        r = r * t - 0.0044794147834181786f;
        r = r * t + 0.015884371474385262f;
        r = r * t - 0.054372262209653854f;
        r = r * t + 0.17900115251541138f;
    } else if (z < 8.0f) {
        EM_P float t = (z - 6.0f) * 0.5f;
        r = 9.1437959781615064e-07f;
        r = r * t - 3.1236502309184289e-06f;
        r = r * t + 8.0551626524538733e-06f;
        r = r * t - 2.6827494366443716e-05f;
        r = r * t + 9.0940920927096158e-05f;
        r = r * t - 0.00029695563716813922f;
        r = r * t + 0.00095804530428722501f;
        r = r * t - 0.0030595287680625916f;
        r = r * t + 0.0096577880904078484f;
        r = r * t - 0.030120709910988808f;
        r = r * t + 0.092776566743850708f;
    } else {
        EM_P float t = (z - 12.0f) * 0.25f;
        r = -2.812222987813584e-07f;
        r = r * t + 8.7913218749235966e-07f;
        r = r * t - 1.896184699035075e-06f;
        r = r * t + 5.8750897551362868e-06f;
        r = r * t - 1.9094719391432591e-05f;
        r = r * t + 5.8831788919633254e-05f;
        r = r * t - 0.00018019025446847081f;
        r = r * t + 0.00055157131282612681f;
        r = r * t - 0.0016829808009788394f;
        r = r * t + 0.0051178936846554279f;
        r = r * t - 0.015511451289057732f;
        r = r * t + 0.046854220330715179f;
    }
    return r;
}

// erfc(z) = m · 2^k for z >= 0.5, given z² = z2hi + z2lo exactly (so that exp(-z²) does
// not inherit the rounding of z², which would cost ~2z² ulp). Returns m in about
// [2^-5, 2]; z > 10.1 gives m·2^k far below the subnormal range.
EM_FN float em_erfc_parts(float z, float z2hi, float z2lo, EM_OUT(int) k)
{
    if (z > 10.1f) {
        k = -200;
        return 1.0f;
    }
    EM_P float e = em_exp_parts(-z2hi, k);
    EM_P float m = e * (1.0f - z2lo) * em_erfcx_mid(z);
    return m;
}

EM_FN float exact_erf(float x)
{
    if (em_isnan(x))
        return x + x;
    EM_P float a = em_abs(x);
    EM_P float r;
    if (a < 1.0f) {
        r = em_erf_small(a);
        if (a < 1.0e-30f) // keeps subnormals and ±0 rounding the same way everywhere
            r = a * 1.128379225730896f;
    } else if (a > 4.0f) {
        r = 1.0f;
    } else {
        EM_P float hi;
        EM_P float lo;
        em_two_prod(a, a, hi, lo);
        int k;
        EM_P float m = em_erfc_parts(a, hi, lo, k);
        r = 1.0f - em_ldexp(m, k);
    }
    return em_copysign(r, x);
}

EM_FN float exact_erfc(float x)
{
    if (em_isnan(x))
        return x + x;
    EM_P float a = em_abs(x);
    EM_P float c; // erfc(|x|)
    if (a < 0.5f) {
        c = 1.0f - em_erf_small(a);
    } else {
        EM_P float hi;
        EM_P float lo;
        em_two_prod(a, a, hi, lo);
        int k;
        EM_P float m = em_erfc_parts(a, hi, lo, k);
        c = em_ldexp(m, k);
    }
    EM_P float r = c;
    if (x < 0.0f)
        r = 2.0f - c;
    return r;
}

// Φ(x)·scale for the standard normal CDF Φ(x) = erfc(-x/√2)/2, as m · 2^k (so that GELU's
// tail x·Φ(x) rounds once). For x < 0 the tail is computed from erfc directly (no 1 - erf
// cancellation) with z² = x²/2 taken exactly from x.
EM_FN float em_phi_parts(float x, EM_OUT(int) k)
{
    EM_P float a = em_abs(x);
    EM_P float z = a * 0.70710676908493042f;
    EM_P float c;
    int kc = 0;
    if (z < 0.5f) {
        c = 1.0f - em_erf_small(z);
    } else if (a > 1.0e18f) {
        c = 0.0f;
        kc = -200;
    } else {
        EM_P float hi;
        EM_P float lo;
        em_two_prod(a, a, hi, lo);
        EM_P float hh = hi * 0.5f;
        EM_P float ll = lo * 0.5f;
        c = em_erfc_parts(z, hh, ll, kc);
    }
    // c·2^kc = erfc(|x|/√2)
    EM_P float r;
    if (x < 0.0f) {
        r = c * 0.5f;
        k = kc;
    } else {
        r = 1.0f - em_ldexp(c * 0.5f, kc);
        k = 0;
    }
    return r;
}

// Exact GELU: x·Φ(x) = x/2·(1 + erf(x/√2)).
EM_FN float exact_gelu(float x)
{
    if (em_isnan(x))
        return x + x;
    if (em_abs(x) < 1.0e-30f) {
        EM_P float h = x * 0.5f; // ±0 and subnormals: Φ(x) = 1/2 to far beyond float precision
        return h;
    }
    if (x > 10.0f)
        return x; // Φ(x) = 1 in float; also covers +inf
    if (x < -20.0f)
        return em_u2f(0x80000000u); // -0: |x·Φ(x)| < 2^-150; also covers -inf
    int k;
    EM_P float p = em_phi_parts(x, k);
    EM_P float m = x * p;
    // x in [-20, -1e-30] and p in about [2^-6, 1]: m is normal, one rounding below.
    return em_ldexp(m, k);
}

// The standard normal density φ(x) = exp(-x²/2)/√(2π), with x² taken exactly.
EM_FN float em_normal_pdf(float x)
{
    EM_P float a = em_abs(x);
    if (a > 20.0f)
        return 0.0f;
    EM_P float hi;
    EM_P float lo;
    em_two_prod(a, a, hi, lo);
    EM_P float hh = hi * 0.5f;
    EM_P float ll = lo * 0.5f;
    int k;
    EM_P float e = em_exp_parts(-hh, k);
    EM_P float m = e * (1.0f - ll) * 0.39894229173660278f;
    return em_ldexp(m, k);
}

// d/dx GELU(x) = Φ(x) + x·φ(x).
EM_FN float exact_gelu_derivative(float x)
{
    if (em_isnan(x))
        return x + x;
    if (x > 10.0f)
        return 1.0f; // φ(x)·x < 2^-70
    if (x < -20.0f)
        return -0.0f;
    int k;
    EM_P float p = em_phi_parts(x, k);
    EM_P float phi = em_ldexp(p, k);
    EM_P float r = phi + x * em_normal_pdf(x);
    return r;
}

#if !defined(TRIBUTARY_GLSL) && !defined(__CUDACC__)
} // namespace tributary::engine::exact
#endif

#endif // TRIBUTARY_ENGINE_KERNELS_EXACT_MATH_H
