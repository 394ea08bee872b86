#include "engine/verify/fast_mode_check.h"

#include "engine/random_fill.h"
#include "engine/verify/tolerance.h"

#include <cmath>
#include <vector>

namespace tributary::engine {

Status checkFastMode(Backend &backend)
{
    // Deep enough that a library splitting k, or rounding products to fewer bits, shows.
    const GemmShape shape { 67, 35, 300 };
    const auto size
        = [](int rows, int cols) { return static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols); };
    std::vector<float> a(size(shape.m, shape.k));
    std::vector<float> b(size(shape.k, shape.n));
    fillUniform(a, 0xfa57);
    fillUniform(b, 0x5eed);
    std::vector<float> c(size(shape.m, shape.n));
    if (Status s = backend.gemm(a, b, c, shape); !s)
        return s;

    std::vector<float> want(c.size());
    for (int i = 0; i < shape.m; ++i) {
        for (int j = 0; j < shape.n; ++j) {
            float acc = 0.0f;
            for (int p = 0; p < shape.k; ++p)
                acc = std::fma(
                    a[size(i, shape.k) + std::size_t(p)], b[size(p, shape.n) + std::size_t(j)], acc);
            want[size(i, shape.n) + std::size_t(j)] = acc;
        }
    }
    ToleranceReport report;
    if (Status s
        = compareWithTolerance(want, c, gemmTolerance(shape.k, maxAbsValue(a), maxAbsValue(b)), &report);
        !s)
        return s;
    if (!report.withinTolerance)
        return Status::error("fast-mode GEMM is outside the tolerance: " + report.describe());
    return Status::ok();
}

} // namespace tributary::engine
