// The tolerance comparison for fast-mode results (engine/verify/tolerance.h): identical
// buffers pass, a perturbed element is caught and named with both values and its error,
// NaN and infinities follow the documented rules, and gemmTolerance grows with the depth.

#include "engine/verify/tolerance.h"

#include <QTest>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

using namespace tributary::engine;

namespace {

constexpr float kNan = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

std::vector<float> ramp(std::size_t count)
{
    std::vector<float> values(count);
    for (std::size_t i = 0; i < count; ++i)
        values[i] = 0.5f + 0.001f * static_cast<float>(i % 97) - 0.03f * static_cast<float>(i % 7);
    return values;
}

ToleranceReport compare(
    const std::vector<float> &expected, const std::vector<float> &actual, Tolerance tolerance)
{
    ToleranceReport report;
    const Status s = compareWithTolerance(expected, actual, tolerance, &report);
    if (!s)
        qFatal("compareWithTolerance failed: %s", s.message().c_str());
    return report;
}

bool contains(const std::string &text, const char *part)
{
    return text.find(part) != std::string::npos;
}

} // namespace

class ToleranceTest : public QObject {
    Q_OBJECT

private slots:
    void identicalBuffersAgree()
    {
        const std::vector<float> values = ramp(4096);
        const ToleranceReport report = compare(values, values, {});
        QVERIFY(report.withinTolerance);
        QCOMPARE(report.elements, std::int64_t(4096));
        QCOMPARE(report.mismatches, std::int64_t(0));
        QCOMPARE(report.firstMismatch, std::int64_t(-1));
        QCOMPARE(report.maxAbsoluteError, 0.0);
        QCOMPARE(report.maxUlpDistance, 0u);
        QVERIFY2(
            contains(report.describe(), "all 4096 elements within tolerance"), report.describe().c_str());
    }

    void perturbedElementIsNamed()
    {
        const std::vector<float> expected = ramp(4096);
        std::vector<float> actual = expected;
        actual[1234] = expected[1234] + 8e-4f; // outside 1e-4 relative
        actual[3000] = expected[3000] * 1.00001f; // inside it
        actual[4000] = expected[4000] + 0.01f; // the largest error, also outside
        const Tolerance tolerance { 0.0, 1e-4, 0 };
        const ToleranceReport report = compare(expected, actual, tolerance);
        QVERIFY(!report.withinTolerance);
        QCOMPARE(report.firstMismatch, std::int64_t(1234));
        QCOMPARE(report.mismatches, std::int64_t(2));
        QCOMPARE(report.expected, expected[1234]);
        QCOMPARE(report.actual, actual[1234]);
        const double absolute = std::fabs(double(actual[1234]) - double(expected[1234]));
        QCOMPARE(report.absoluteError, absolute);
        QCOMPARE(report.relativeError,
            absolute / std::max(std::fabs(double(expected[1234])), std::fabs(double(actual[1234]))));
        QVERIFY(report.relativeError > 1e-4);
        QCOMPARE(report.maxAbsoluteErrorIndex, std::int64_t(4000));
        QVERIFY(report.maxAbsoluteError > 0.0099 && report.maxAbsoluteError < 0.0101);
        const std::string text = report.describe();
        qInfo("%s", text.c_str());
        QVERIFY2(contains(text, "element 1234: "), text.c_str());
        QVERIFY2(contains(text, "relative error"), text.c_str());
        QVERIFY2(contains(text, "2 of 4096 elements outside tolerance"), text.c_str());
        QVERIFY2(contains(text, "at element 4000"), text.c_str());
    }

    void absoluteToleranceCoversSmallValues()
    {
        // Near zero the relative error is huge; the absolute term is what lets it pass.
        const std::vector<float> expected = { 1e-7f, -2e-7f, 0.0f, 1.0f };
        const std::vector<float> actual = { 3e-7f, 1e-7f, -1e-6f, 1.0f };
        QVERIFY(!compare(expected, actual, { 0.0, 1e-3, 0 }).withinTolerance);
        QVERIFY(compare(expected, actual, { 2e-6, 1e-3, 0 }).withinTolerance);
        QVERIFY(!compare(expected, actual, { 5e-7, 0.0, 0 }).withinTolerance);
        QCOMPARE(compare(expected, actual, { 5e-7, 0.0, 0 }).firstMismatch, std::int64_t(2));
    }

    void ulpTolerance()
    {
        QCOMPARE(ulpDistance(1.0f, 1.0f), 0u);
        QCOMPARE(ulpDistance(0.0f, -0.0f), 0u);
        QCOMPARE(ulpDistance(1.0f, std::nextafter(1.0f, 2.0f)), 1u);
        QCOMPARE(ulpDistance(-0x1p-149f, 0x1p-149f), 2u); // across zero: −denorm_min, ±0, +denorm_min
        QCOMPARE(ulpDistance(1.0f, kNan), std::numeric_limits<std::uint32_t>::max());
        QCOMPARE(ulpDistance(kInf, kInf), std::numeric_limits<std::uint32_t>::max());

        const std::vector<float> expected = { 1.0f, 1000.0f };
        std::vector<float> actual = expected;
        actual[1] = std::nextafter(std::nextafter(1000.0f, 2000.0f), 2000.0f); // 2 ulp
        QVERIFY(!compare(expected, actual, {}).withinTolerance);
        QVERIFY(!compare(expected, actual, { 0.0, 0.0, 1 }).withinTolerance);
        const ToleranceReport twoUlps = compare(expected, actual, { 0.0, 0.0, 2 });
        QVERIFY(twoUlps.withinTolerance);
        QCOMPARE(twoUlps.maxUlpDistance, 2u);
    }

    void nanRules()
    {
        // NaN matches NaN whatever the payload and sign; NaN against a number never does,
        // whatever the tolerance.
        const float otherNan = -std::numeric_limits<float>::signaling_NaN();
        QVERIFY(compare({ 1.0f, kNan }, { 1.0f, otherNan }, {}).withinTolerance);
        const Tolerance loose { 1e30, 1.0, 0xffffffffu };
        ToleranceReport report = compare({ 1.0f, kNan, 2.0f }, { 1.0f, 3.0f, 2.0f }, loose);
        QVERIFY(!report.withinTolerance);
        QCOMPARE(report.firstMismatch, std::int64_t(1));
        QVERIFY(std::isinf(report.absoluteError));
        QVERIFY2(contains(report.describe(), "NaN"), report.describe().c_str());
        report = compare({ 5.0f }, { kNan }, loose);
        QVERIFY(!report.withinTolerance);
        QCOMPARE(report.firstMismatch, std::int64_t(0));
    }

    void infinityRules()
    {
        const Tolerance loose { 1e30, 1.0, 0 };
        QVERIFY(compare({ kInf, -kInf }, { kInf, -kInf }, {}).withinTolerance);
        QVERIFY(!compare({ kInf }, { -kInf }, loose).withinTolerance);
        QVERIFY(!compare({ kInf }, { 3e38f }, loose).withinTolerance);
        QVERIFY(!compare({ 1.0f }, { kInf }, loose).withinTolerance);
        // The largest finite floats differ by more than a float can hold; still finite in double.
        const ToleranceReport report = compare({ 3e38f }, { -3e38f }, {});
        QVERIFY(!report.withinTolerance);
        QVERIFY(std::isfinite(report.absoluteError));
    }

    void rejectsBadArguments()
    {
        const std::vector<float> three(3, 1.0f), four(4, 1.0f);
        ToleranceReport report;
        Status s = compareWithTolerance(three, four, {}, &report);
        QVERIFY(!s);
        QVERIFY2(contains(s.message(), "3 elements against 4"), s.message().c_str());
        s = compareWithTolerance(three, three, { -1.0, 0.0, 0 }, &report);
        QVERIFY(!s);
        s = compareWithTolerance(three, three, { 0.0, double(kNan), 0 }, &report);
        QVERIFY(!s);
        QVERIFY(compareWithTolerance({}, {}, {}, &report));
        QVERIFY(report.withinTolerance);
    }

    void maxAbsValues()
    {
        QCOMPARE(maxAbsValue(std::vector<float> {}), 0.0f);
        QCOMPARE(maxAbsValue(std::vector<float> { 0.5f, -3.0f, 2.0f }), 3.0f);
        QVERIFY(std::isinf(maxAbsValue(std::vector<float> { 1.0f, kNan })));
    }

    void gemmToleranceGrowsWithDepth()
    {
        const Tolerance small = gemmTolerance(64, 1.0f, 1.0f);
        const Tolerance large = gemmTolerance(4096, 1.0f, 1.0f);
        // absolute ∝ k^1.5 (√k growth of Σ|a·b| ≤ k), relative ∝ √k.
        QVERIFY(std::fabs(large.absolute / small.absolute - 512.0) < 1e-9);
        QVERIFY(std::fabs(large.relative / small.relative - 8.0) < 1e-9);
        QVERIFY(std::fabs(small.absolute - 8.0 * 8.0 * 0x1p-24 * 64.0) < 1e-15);
        // It scales with the operands' magnitude, and stays far below their products.
        QVERIFY(std::fabs(gemmTolerance(64, 2.0f, 4.0f).absolute / small.absolute - 8.0) < 1e-9);
        QVERIFY(large.absolute < 0.2);
        QCOMPARE(gemmTolerance(0, 1.0f, 1.0f).absolute, gemmTolerance(1, 1.0f, 1.0f).absolute);
    }

    void gemmToleranceSeparatesRoundingFromErrors()
    {
        // The same dot products summed forward and backward differ by rounding only; a
        // dropped product is an error. The suggested tolerance accepts the first and
        // rejects the second.
        constexpr int k = 2048;
        std::vector<float> a(k), b(k);
        for (int p = 0; p < k; ++p) {
            a[std::size_t(p)] = std::sin(0.37f * float(p));
            b[std::size_t(p)] = std::cos(0.91f * float(p) + 0.2f);
        }
        float forward = 0.0f, backward = 0.0f, dropped = 0.0f;
        for (int p = 0; p < k; ++p)
            forward = std::fma(a[std::size_t(p)], b[std::size_t(p)], forward);
        for (int p = k - 1; p >= 0; --p)
            backward += a[std::size_t(p)] * b[std::size_t(p)];
        for (int p = 0; p < k; ++p) {
            if (p != 1000)
                dropped = std::fma(a[std::size_t(p)], b[std::size_t(p)], dropped);
        }
        const Tolerance tolerance = gemmTolerance(k, maxAbsValue(a), maxAbsValue(b));
        QVERIFY2(
            std::fabs(double(a[1000]) * b[1000]) > 2 * tolerance.absolute, "pick another dropped product");
        QVERIFY(compare({ forward }, { backward }, tolerance).withinTolerance);
        const ToleranceReport report = compare({ forward }, { dropped }, tolerance);
        QVERIFY(!report.withinTolerance);
        qInfo("forward %.9g, backward %.9g, dropped product: %s", double(forward), double(backward),
            report.describe().c_str());
    }
};

QTEST_GUILESS_MAIN(ToleranceTest)
#include "tolerance_test.moc"
