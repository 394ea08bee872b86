#include "engine/random_fill.h"

namespace tributary::engine {

namespace {

std::uint64_t splitmix64(std::uint64_t *state)
{
    std::uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

} // namespace

void fillUniform(std::span<float> out, std::uint64_t seed)
{
    std::uint64_t state = seed;
    for (float &value : out) {
        // The top 25 bits give an integer in [-2^24, 2^24); scaling by 2^-24 is exact,
        // so every machine produces the same floats.
        const auto bits = static_cast<std::int64_t>(splitmix64(&state) >> 39) - (std::int64_t{1} << 24);
        value = static_cast<float>(bits) * 0x1p-24f;
    }
}

} // namespace tributary::engine
