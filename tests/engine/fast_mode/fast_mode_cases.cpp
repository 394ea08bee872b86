#include "tests/engine/fast_mode/fast_mode_cases.h"

#include "tests/engine/gemm_reference.h"
#include "tests/engine/op_check.h"

#include <bit>
#include <cmath>

namespace tributary::engine::test {

namespace {

// maxAbs of a Gemm's scaled operand: alpha scales the products, so it scales their errors.
float scaled(const HostTensor &tensor, float factor)
{
    return maxAbsValue(tensor.f32()) * std::fabs(factor);
}

} // namespace

std::vector<FastModeCase> fastModeCases()
{
    std::vector<FastModeCase> cases;
    const auto gemm = [](bool transA, bool transB, float alpha, float beta) {
        return Op { OpKind::Gemm, GemmAttributes { transA, transB, alpha, beta } };
    };
    cases.push_back({ "matmul 64x96x80", Op { OpKind::MatMul, {} },
        { randomTensor({ 64, 96 }, 1), randomTensor({ 96, 80 }, 2) }, 96 });
    cases.push_back({ "matmul batched, B broadcast", Op { OpKind::MatMul, {} },
        { randomTensor({ 3, 33, 257 }, 3), randomTensor({ 257, 47 }, 4) }, 257 });
    cases.push_back({ "matmul batched both", Op { OpKind::MatMul, {} },
        { randomTensor({ 2, 1, 17, 65 }, 5), randomTensor({ 1, 3, 65, 9 }, 6) }, 65 });
    cases.push_back({ "matmul deep 17x1000x19", Op { OpKind::MatMul, {} },
        { randomTensor({ 17, 1000 }, 7, 4.0f), randomTensor({ 1000, 19 }, 8, 0.25f) }, 1000 });
    cases.push_back({ "gemm plain", gemm(false, false, 1.0f, 1.0f),
        { randomTensor({ 40, 70 }, 9), randomTensor({ 70, 30 }, 10) }, 70 });
    cases.push_back({ "gemm transA transB", gemm(true, true, 0.5f, 1.0f),
        { randomTensor({ 70, 40 }, 11), randomTensor({ 30, 70 }, 12) }, 70 });
    cases.push_back({ "gemm C full", gemm(false, true, 1.0f, -0.5f),
        { randomTensor({ 40, 70 }, 13), randomTensor({ 30, 70 }, 14), randomTensor({ 40, 30 }, 15) }, 70 });
    cases.push_back({ "gemm C row", gemm(true, false, 0.75f, 2.0f),
        { randomTensor({ 70, 40 }, 16), randomTensor({ 70, 30 }, 17), randomTensor({ 30 }, 18) }, 70 });
    cases.push_back({ "gemm C column", gemm(false, false, 1.0f, 0.5f),
        { randomTensor({ 40, 70 }, 19), randomTensor({ 70, 30 }, 20), randomTensor({ 40, 1 }, 21) }, 70 });
    cases.push_back({ "gemm C scalar", gemm(false, false, 1.0f, 3.0f),
        { randomTensor({ 40, 70 }, 22), randomTensor({ 70, 30 }, 23), randomTensor({ 1 }, 24) }, 70 });
    return cases;
}

bool agreesWithinTolerance(
    Backend &fast, Backend &exact, const FastModeCase &testCase, ToleranceReport *report, std::string *why)
{
    std::vector<HostTensor> fastOut, exactOut;
    if (!OpCheck::runOn(fast, testCase.op, testCase.inputs, &fastOut, why))
        return false;
    if (!OpCheck::runOn(exact, testCase.op, testCase.inputs, &exactOut, why))
        return false;
    const float alpha = testCase.op.kind == OpKind::Gemm ? testCase.op.attr<GemmAttributes>().alpha : 1.0f;
    const Tolerance tolerance
        = gemmTolerance(testCase.k, scaled(testCase.inputs[0], alpha), maxAbsValue(testCase.inputs[1].f32()));
    if (Status s = compareWithTolerance(exactOut[0].f32(), fastOut[0].f32(), tolerance, report); !s) {
        *why = s.message();
        return false;
    }
    if (!report->withinTolerance) {
        *why = testCase.name + ": " + report->describe();
        return false;
    }
    return true;
}

bool gemmAgreesWithinTolerance(
    Backend &fast, Backend &exact, GemmShape shape, ToleranceReport *report, std::string *why)
{
    const std::vector<float> a = operandA(shape);
    const std::vector<float> b = operandB(shape);
    std::vector<float> fastC(static_cast<std::size_t>(shape.m) * static_cast<std::size_t>(shape.n));
    std::vector<float> exactC(fastC.size());
    if (Status s = fast.gemm(a, b, fastC, shape); !s) {
        *why = s.message();
        return false;
    }
    if (Status s = exact.gemm(a, b, exactC, shape); !s) {
        *why = s.message();
        return false;
    }
    if (Status s
        = compareWithTolerance(exactC, fastC, gemmTolerance(shape.k, maxAbsValue(a), maxAbsValue(b)), report);
        !s) {
        *why = s.message();
        return false;
    }
    if (!report->withinTolerance) {
        *why = shapeName(shape) + ": " + report->describe();
        return false;
    }
    return true;
}

std::int64_t bitwiseDifferences(const std::vector<float> &a, const std::vector<float> &b)
{
    std::int64_t count = 0;
    for (std::size_t i = 0; i < a.size() && i < b.size(); ++i)
        count += std::bit_cast<std::uint32_t>(a[i]) != std::bit_cast<std::uint32_t>(b[i]);
    return count;
}

} // namespace tributary::engine::test
