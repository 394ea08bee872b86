#include "gemm_reference.h"

#include "engine/random_fill.h"

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>

namespace tributary::engine::test {

std::vector<GemmShape> standardShapes()
{
    return {{1, 1, 1}, {3, 5, 7}, {17, 33, 65}, {64, 64, 64}, {127, 129, 131}, {256, 256, 256}};
}

std::vector<float> naiveGemm(const std::vector<float> &a, const std::vector<float> &b, GemmShape shape)
{
    const auto m = static_cast<std::size_t>(shape.m);
    const auto n = static_cast<std::size_t>(shape.n);
    const auto k = static_cast<std::size_t>(shape.k);
    std::vector<float> c(m * n);
    for (std::size_t i = 0; i < m; ++i) {
        for (std::size_t j = 0; j < n; ++j) {
            float acc = 0.0f;
            for (std::size_t p = 0; p < k; ++p)
                acc = std::fma(a[i * k + p], b[p * n + j], acc);
            c[i * n + j] = acc;
        }
    }
    return c;
}

std::vector<float> operandA(GemmShape shape)
{
    std::vector<float> a(static_cast<std::size_t>(shape.m) * static_cast<std::size_t>(shape.k));
    fillUniform(a, 0xa000 + static_cast<std::uint64_t>(shape.m * 31 + shape.k));
    return a;
}

std::vector<float> operandB(GemmShape shape)
{
    std::vector<float> b(static_cast<std::size_t>(shape.k) * static_cast<std::size_t>(shape.n));
    fillUniform(b, 0xb000 + static_cast<std::uint64_t>(shape.k * 31 + shape.n));
    return b;
}

std::string bitwiseDifference(const std::vector<float> &expected, const std::vector<float> &actual,
                              GemmShape shape)
{
    if (expected.size() != actual.size())
        return "size " + std::to_string(actual.size()) + ", expected " + std::to_string(expected.size());
    std::size_t mismatches = 0;
    std::string first;
    for (std::size_t index = 0; index < expected.size(); ++index) {
        const auto want = std::bit_cast<std::uint32_t>(expected[index]);
        const auto got = std::bit_cast<std::uint32_t>(actual[index]);
        if (want == got)
            continue;
        if (mismatches++ == 0) {
            char text[160];
            std::snprintf(text, sizeof text, "C[%zu][%zu]: expected 0x%08x (%.9g), got 0x%08x (%.9g)",
                          index / static_cast<std::size_t>(shape.n), index % static_cast<std::size_t>(shape.n),
                          want, static_cast<double>(expected[index]), got, static_cast<double>(actual[index]));
            first = text;
        }
    }
    if (mismatches == 0)
        return {};
    return first + "; " + std::to_string(mismatches) + " of " + std::to_string(expected.size()) + " differ";
}

std::string shapeName(GemmShape shape)
{
    return std::to_string(shape.m) + "x" + std::to_string(shape.n) + "x" + std::to_string(shape.k);
}

} // namespace tributary::engine::test
