// SHA-256 on the x86 SHA extensions: sha256rnds2 does two rounds, sha256msg1/msg2 the
// message schedule. The state is kept as the instructions want it, ABEF and CDGH.

#include "engine/sha256_blocks.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

namespace tributary::engine::detail {

namespace {

__attribute__((target("sha,sse4.1,ssse3"))) void sha256BlocksShaNi(
    std::uint32_t *state, const std::uint8_t *blocks, std::size_t count)
{
    // Big-endian words from the block's bytes.
    const __m128i byteSwap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);

    __m128i dcba = _mm_loadu_si128(reinterpret_cast<const __m128i *>(&state[0]));
    __m128i hgfe = _mm_loadu_si128(reinterpret_cast<const __m128i *>(&state[4]));
    const __m128i cdab = _mm_shuffle_epi32(dcba, 0xB1);
    const __m128i efgh = _mm_shuffle_epi32(hgfe, 0x1B);
    __m128i abef = _mm_alignr_epi8(cdab, efgh, 8);
    __m128i cdgh = _mm_blend_epi16(efgh, cdab, 0xF0);

    for (; count > 0; --count, blocks += 64) {
        const __m128i abefBefore = abef;
        const __m128i cdghBefore = cdgh;
        __m128i words[4];
        for (int group = 0; group < 16; ++group) { // four rounds each
            __m128i &current = words[group % 4];
            if (group < 4)
                current = _mm_shuffle_epi8(
                    _mm_loadu_si128(reinterpret_cast<const __m128i *>(blocks + 16 * group)), byteSwap);
            __m128i message = _mm_add_epi32(current,
                _mm_loadu_si128(reinterpret_cast<const __m128i *>(&kSha256RoundConstants[4 * group])));
            cdgh = _mm_sha256rnds2_epu32(cdgh, abef, message);
            if (group >= 3 && group <= 14) { // finish the words of the next group
                __m128i &next = words[(group + 1) % 4];
                const __m128i previous = words[(group + 3) % 4];
                next = _mm_sha256msg2_epu32(_mm_add_epi32(next, _mm_alignr_epi8(current, previous, 4)), current);
            }
            message = _mm_shuffle_epi32(message, 0x0E);
            abef = _mm_sha256rnds2_epu32(abef, cdgh, message);
            if (group >= 1 && group <= 12) { // start the words three groups on
                __m128i &earlier = words[(group + 3) % 4];
                earlier = _mm_sha256msg1_epu32(earlier, current);
            }
        }
        abef = _mm_add_epi32(abef, abefBefore);
        cdgh = _mm_add_epi32(cdgh, cdghBefore);
    }

    const __m128i feba = _mm_shuffle_epi32(abef, 0x1B);
    const __m128i dchg = _mm_shuffle_epi32(cdgh, 0xB1);
    dcba = _mm_blend_epi16(feba, dchg, 0xF0);
    hgfe = _mm_alignr_epi8(dchg, feba, 8);
    _mm_storeu_si128(reinterpret_cast<__m128i *>(&state[0]), dcba);
    _mm_storeu_si128(reinterpret_cast<__m128i *>(&state[4]), hgfe);
}

} // namespace

Sha256BlocksFunction sha256BlocksAccelerated()
{
    __builtin_cpu_init();
    if (__builtin_cpu_supports("sha") && __builtin_cpu_supports("sse4.1") && __builtin_cpu_supports("ssse3"))
        return &sha256BlocksShaNi;
    return nullptr;
}

} // namespace tributary::engine::detail

#else

namespace tributary::engine::detail {

Sha256BlocksFunction sha256BlocksAccelerated()
{
    return nullptr;
}

} // namespace tributary::engine::detail

#endif
