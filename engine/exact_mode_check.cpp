#include "engine/exact_mode_check.h"

#include "engine/random_fill.h"

#include <bit>
#include <cmath>
#include <cstdio>
#include <string>
#include <tuple>
#include <vector>

namespace tributary::engine {

namespace {

std::vector<float> chainGemm(const std::vector<float> &a, const std::vector<float> &b, GemmShape shape)
{
    std::vector<float> c(static_cast<std::size_t>(shape.m) * static_cast<std::size_t>(shape.n));
    for (int i = 0; i < shape.m; ++i) {
        for (int j = 0; j < shape.n; ++j) {
            float acc = 0.0f;
            for (int p = 0; p < shape.k; ++p)
                acc = std::fma(a[static_cast<std::size_t>(i * shape.k + p)], b[static_cast<std::size_t>(p * shape.n + j)],
                               acc);
            c[static_cast<std::size_t>(i * shape.n + j)] = acc;
        }
    }
    return c;
}

std::string describeMismatch(const char *deviation, std::size_t index, int n, float got, float want)
{
    char text[200];
    std::snprintf(text, sizeof text, "%s (C[%d][%d] = 0x%08x, expected 0x%08x)", deviation,
                  static_cast<int>(index) / n, static_cast<int>(index) % n, std::bit_cast<std::uint32_t>(got),
                  std::bit_cast<std::uint32_t>(want));
    return text;
}

} // namespace

Status checkExactMode(Backend &backend)
{
    // 3×3×2 with one probe per diagonal element:
    //   C[0][0] = fma(1+2^-12, 1+2^-12, -1): 2^-11 + 2^-24 when fused, 2^-11 when rounded twice
    //   C[1][1] = 2^-70 · 2^-70 = 2^-140: a subnormal result (0 when results are flushed)
    //   C[2][2] = fma(1, 2^-130, 2^-126): a subnormal input (2^-126 when inputs are flushed)
    const float onePlus = 1.0f + 0x1p-12f;
    const GemmShape probe{3, 3, 2};
    const std::vector<float> a = {1.0f, onePlus, 0x1p-70f, 0.0f, 0x1p-130f, 1.0f};
    const std::vector<float> b = {-1.0f, 0x1p-70f, 0x1p4f, onePlus, 0.0f, 0x1p-130f};
    const char *deviations[] = {"fma is not fused", "subnormal results are flushed to zero",
                                "subnormal inputs are flushed to zero"};

    std::vector<float> c(9);
    if (Status s = backend.gemm(a, b, c, probe); !s)
        return s;
    const auto want = chainGemm(a, b, probe);
    for (std::size_t d = 0; d < 3; ++d) {
        const std::size_t index = d * 3 + d;
        if (std::bit_cast<std::uint32_t>(c[index]) != std::bit_cast<std::uint32_t>(want[index]))
            return Status::error(describeMismatch(deviations[d], index, probe.n, c[index], want[index]));
    }
    for (std::size_t index = 0; index < c.size(); ++index) {
        if (std::bit_cast<std::uint32_t>(c[index]) != std::bit_cast<std::uint32_t>(want[index]))
            return Status::error(describeMismatch("result differs", index, probe.n, c[index], want[index]));
    }

    // A general shape with edge tiles in every direction.
    const GemmShape shape{67, 35, 41};
    std::vector<float> ra(static_cast<std::size_t>(shape.m * shape.k));
    std::vector<float> rb(static_cast<std::size_t>(shape.k * shape.n));
    fillUniform(ra, 0x5e1f);
    fillUniform(rb, 0x7e57);
    std::vector<float> rc(static_cast<std::size_t>(shape.m * shape.n));
    if (Status s = backend.gemm(ra, rb, rc, shape); !s)
        return s;
    const auto rwant = chainGemm(ra, rb, shape);
    for (std::size_t index = 0; index < rc.size(); ++index) {
        if (std::bit_cast<std::uint32_t>(rc[index]) != std::bit_cast<std::uint32_t>(rwant[index]))
            return Status::error(describeMismatch("result differs from the exact-mode chain", index, shape.n, rc[index],
                                                  rwant[index]));
    }
    return Status::ok();
}

const SubnormalProbe &subnormalProbe()
{
    static const SubnormalProbe probe = {
        // a: subnormal inputs, operands of subnormal results, and a rounding case
        {0x1p-130f, 0x1p-126f, 0x1p-70f, 0x1p-130f, 0x3p-149f, -0x1p-149f, 0x1.8p-127f, 0x1p-149f},
        {0.0f, -0x1p-127f, 0x1p-70f, 0x1p4f, 0.5f, 0x1p-149f, 0x1p-2f, 0x1p127f},
    };
    return probe;
}

Status checkSubnormalResults(std::span<const float> sum, std::span<const float> product)
{
    const SubnormalProbe &probe = subnormalProbe();
    if (sum.size() < kSubnormalProbeSize || product.size() < kSubnormalProbeSize)
        return Status::error("subnormal probe: too few results");
    for (std::size_t i = 0; i < kSubnormalProbeSize; ++i) {
        // The host keeps subnormals (default MXCSR, no -ffast-math): the reference.
        const float a = probe.a[i];
        const float b = probe.b[i];
        const float wantSum = a + b;
        const float wantProduct = a * b;
        for (const auto &[what, op, got, want] :
             {std::tuple{"addition", '+', sum[i], wantSum}, std::tuple{"multiplication", '*', product[i], wantProduct}}) {
            if (std::bit_cast<std::uint32_t>(got) == std::bit_cast<std::uint32_t>(want))
                continue;
            char text[240];
            std::snprintf(text, sizeof text, "float %s does not keep subnormals (%a %c %a = 0x%08x, expected 0x%08x)",
                          what, static_cast<double>(a), op, static_cast<double>(b), std::bit_cast<std::uint32_t>(got),
                          std::bit_cast<std::uint32_t>(want));
            return Status::error(text);
        }
    }
    return Status::ok();
}

} // namespace tributary::engine
