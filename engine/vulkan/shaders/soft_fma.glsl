// softFma: IEEE binary32 fused multiply-add, round to nearest even, with subnormals, in
// 32-bit integer arithmetic only. Vulkan lets fma() round twice and lets drivers flush
// subnormals; this is the fallback for devices that do either (Mesa lavapipe rounds
// twice). Operands and result are float bit patterns. Any NaN gives the default quiet
// NaN 0x7fc00000 (NaN payloads are not part of exact mode).
//
// Method (as in Berkeley SoftFloat's f32_mulAdd): the exact 48-bit product and the
// addend become 64-bit significands (uvec2: x = low word, y = high word) with their top
// bit at bit 61, the smaller one is shifted right with a sticky ("jam") bit, they are
// added or subtracted exactly, and the sum is rounded once.

uvec2 shl64(uvec2 v, int n) // 0 <= n <= 63
{
    if (n == 0)
        return v;
    if (n >= 32)
        return uvec2(0u, v.x << uint(n - 32));
    return uvec2(v.x << uint(n), (v.y << uint(n)) | (v.x >> uint(32 - n)));
}

uvec2 shr64(uvec2 v, int n) // 0 <= n <= 63
{
    if (n == 0)
        return v;
    if (n >= 32)
        return uvec2(v.y >> uint(n - 32), 0u);
    return uvec2((v.x >> uint(n)) | (v.y << uint(32 - n)), v.y >> uint(n));
}

// True when any of the low n bits of v is set (0 <= n <= 64).
bool lowBitsSet(uvec2 v, int n)
{
    if (n <= 0)
        return false;
    if (n >= 64)
        return (v.x | v.y) != 0u;
    if (n >= 32)
        return v.x != 0u || (n > 32 && (v.y & ((1u << uint(n - 32)) - 1u)) != 0u);
    return (v.x & ((1u << uint(n)) - 1u)) != 0u;
}

// Shift right by n >= 0, or-ing every bit shifted out into bit 0.
uvec2 shrJam64(uvec2 v, int n)
{
    if (n == 0)
        return v;
    if (n >= 64)
        return uvec2((v.x | v.y) != 0u ? 1u : 0u, 0u);
    uvec2 r = shr64(v, n);
    if (lowBitsSet(v, n))
        r.x |= 1u;
    return r;
}

uvec2 add64(uvec2 a, uvec2 b)
{
    uint carry;
    const uint lo = uaddCarry(a.x, b.x, carry);
    return uvec2(lo, a.y + b.y + carry);
}

uvec2 sub64(uvec2 a, uvec2 b) // a >= b
{
    uint borrow;
    const uint lo = usubBorrow(a.x, b.x, borrow);
    return uvec2(lo, a.y - b.y - borrow);
}

bool greaterEqual64(uvec2 a, uvec2 b)
{
    return a.y > b.y || (a.y == b.y && a.x >= b.x);
}

int msb64(uvec2 v) // -1 for zero
{
    return v.y != 0u ? 32 + findMSB(v.y) : findMSB(v.x);
}

uint softFma(uint a, uint b, uint c)
{
    const uint kNaN = 0x7fc00000u;
    const uint kInf = 0x7f800000u;
    const uint sa = a >> 31, sb = b >> 31, sc = c >> 31;
    int ea = int((a >> 23) & 0xffu), eb = int((b >> 23) & 0xffu), ec = int((c >> 23) & 0xffu);
    uint ma = a & 0x7fffffu, mb = b & 0x7fffffu, mc = c & 0x7fffffu;
    const uint sp = sa ^ sb;

    if ((ea == 255 && ma != 0u) || (eb == 255 && mb != 0u) || (ec == 255 && mc != 0u))
        return kNaN;
    const bool aZero = ea == 0 && ma == 0u;
    const bool bZero = eb == 0 && mb == 0u;
    const bool cZero = ec == 0 && mc == 0u;
    if (ea == 255 || eb == 255) {
        if (aZero || bZero || (ec == 255 && sc != sp))
            return kNaN; // inf · 0, or inf - inf
        return (sp << 31) | kInf;
    }
    if (ec == 255)
        return c;
    if (aZero || bZero) // exact zero product: the sum is c, and -0 only if both are -0
        return cZero ? ((sp & sc) << 31) : c;

    // value = m · 2^(e - 150), with the implicit bit for normals and e = 1 for subnormals.
    if (ea == 0) ea = 1; else ma |= 0x800000u;
    if (eb == 0) eb = 1; else mb |= 0x800000u;
    if (ec == 0) ec = 1; else mc |= 0x800000u;

    uvec2 product;
    umulExtended(ma, mb, product.y, product.x);
    int shift = 61 - msb64(product);
    product = shl64(product, shift);
    int eProduct = ea + eb - 300 - shift;

    uvec2 sum = product;
    int eSum = eProduct;
    uint sSum = sp;
    if (!cZero) {
        uvec2 addend = uvec2(mc, 0u);
        shift = 61 - msb64(addend);
        addend = shl64(addend, shift);
        const int eAddend = ec - 150 - shift;
        if (eProduct >= eAddend) {
            addend = shrJam64(addend, eProduct - eAddend);
        } else {
            product = shrJam64(product, eAddend - eProduct);
            eSum = eAddend;
        }
        if (sp == sc) {
            sum = add64(product, addend);
        } else if (greaterEqual64(product, addend)) {
            sum = sub64(product, addend);
        } else {
            sum = sub64(addend, product);
            sSum = sc;
        }
        if ((sum.x | sum.y) == 0u)
            return 0u; // exact cancellation gives +0 when rounding to nearest
    }

    // Put the top bit at 62: the value is then M · 2^(eSum + 39) with M = sum >> 39.
    const int top = msb64(sum);
    sum = shl64(sum, 62 - top);
    eSum -= 62 - top;
    int exponent = eSum + 189; // biased exponent of a normal result
    if (exponent >= 255)
        return (sSum << 31) | kInf;
    int drop = 39;
    if (exponent < 1) { // subnormal: fewer significand bits, fixed scale 2^-149
        drop += 1 - exponent;
        exponent = 0;
    }
    if (drop >= 64)
        return sSum << 31; // below half the smallest subnormal
    uint significand = shr64(sum, drop).x;
    const bool roundBit = (shr64(sum, drop - 1).x & 1u) != 0u;
    if (roundBit && (lowBitsSet(sum, drop - 1) || (significand & 1u) != 0u))
        significand += 1u;
    // Adding the significand (implicit bit included) to (exponent - 1) << 23 carries a
    // rounding overflow into the exponent, up to infinity, and turns a subnormal that
    // rounds up to 2^-126 into the smallest normal.
    const uint bits = exponent >= 1 ? (uint(exponent - 1) << 23) + significand : significand;
    return (sSum << 31) | min(bits, kInf);
}
