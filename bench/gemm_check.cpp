#include "bench/gemm_check.h"

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>

namespace tributary::bench {

namespace {

std::string describeMismatch(int i, int j, float expected, float actual)
{
    char text[128];
    std::snprintf(text, sizeof text, "C[%d][%d]: expected 0x%08x (%.9g), got 0x%08x (%.9g)", i, j,
        std::bit_cast<std::uint32_t>(expected), static_cast<double>(expected),
        std::bit_cast<std::uint32_t>(actual), static_cast<double>(actual));
    return text;
}

} // namespace

std::string bitwiseMismatch(
    std::span<const float> expected, std::span<const float> actual, engine::GemmShape shape)
{
    const std::size_t count = static_cast<std::size_t>(shape.m) * static_cast<std::size_t>(shape.n);
    if (expected.size() < count || actual.size() < count)
        return "result has the wrong size";
    std::string first;
    std::size_t differing = 0;
    for (std::size_t index = 0; index < count; ++index) {
        if (std::bit_cast<std::uint32_t>(expected[index]) == std::bit_cast<std::uint32_t>(actual[index]))
            continue;
        if (differing++ == 0)
            first = describeMismatch(static_cast<int>(index / shape.n), static_cast<int>(index % shape.n),
                expected[index], actual[index]);
    }
    if (differing == 0)
        return {};
    return first + "; " + std::to_string(differing) + " of " + std::to_string(count) + " differ";
}

std::string sampleMismatch(std::span<const float> a, std::span<const float> b, std::span<const float> c,
    engine::GemmShape shape, int samples)
{
    const auto n = static_cast<std::size_t>(shape.n);
    const auto k = static_cast<std::size_t>(shape.k);
    std::uint64_t state = 0x5eed;
    std::string first;
    int differing = 0;
    for (int sample = 0; sample < samples; ++sample) {
        int i = 0, j = 0;
        if (sample < 4) {
            i = (sample & 1) ? shape.m - 1 : 0;
            j = (sample & 2) ? shape.n - 1 : 0;
        } else {
            state = state * 6364136223846793005ULL + 1442695040888963407ULL; // LCG: fixed, portable
            i = static_cast<int>((state >> 33) % static_cast<std::uint64_t>(shape.m));
            j = static_cast<int>((state >> 17) % static_cast<std::uint64_t>(shape.n));
        }
        float acc = 0.0f;
        for (std::size_t p = 0; p < k; ++p)
            acc = std::fma(
                a[static_cast<std::size_t>(i) * k + p], b[p * n + static_cast<std::size_t>(j)], acc);
        const float actual = c[static_cast<std::size_t>(i) * n + static_cast<std::size_t>(j)];
        if (std::bit_cast<std::uint32_t>(acc) == std::bit_cast<std::uint32_t>(actual))
            continue;
        if (differing++ == 0)
            first = describeMismatch(i, j, acc, actual);
    }
    if (differing == 0)
        return {};
    return first + "; " + std::to_string(differing) + " of " + std::to_string(samples)
        + " sampled elements differ";
}

} // namespace tributary::bench
