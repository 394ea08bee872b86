// exact_math.h on the CPU against long double references: max ulp error over sampled
// inputs (asserted bound, reported), and special values (±0, ±inf, NaN, subnormals,
// overflow and underflow thresholds). TRIBUTARY_MATH_SAMPLES sets the sample count
// (the `slow` registration sweeps millions).

#include "engine/kernels/exact_math.h"

#include <QTest>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <random>

using namespace tributary::engine::exact;

namespace {

using LD = long double;

// |got - ref| in units of the last place of ref's binade (subnormal ulp below 2^-126).
double ulpError(float got, LD ref)
{
    if (std::isnan(ref))
        return std::isnan(got) ? 0.0 : 1e30;
    const float rounded = float(ref);
    if (std::isinf(rounded) || std::isinf(got))
        return got == rounded ? 0.0 : 1e30;
    if (std::isnan(got))
        return 1e30;
    int e = 0;
    std::frexp(double(std::fabs(ref)), &e);
    const int ulpExponent = std::max(e - 1, -126) - 23;
    return double(std::fabs(LD(got) - ref) / std::ldexp(LD(1), ulpExponent));
}

long samples()
{
    const char *text = std::getenv("TRIBUTARY_MATH_SAMPLES");
    return text ? std::atol(text) : 200000;
}

float fromBits(std::uint32_t bits)
{
    return std::bit_cast<float>(bits);
}

enum class Domain { AllBits, PositiveBits, ExpRange, Mixed };

float sample(std::mt19937_64 &rng, Domain domain, long i)
{
    for (;;) {
        float x = 0.0f;
        switch (domain) {
        case Domain::AllBits: x = fromBits(std::uint32_t(rng())); break;
        case Domain::PositiveBits: x = fromBits(std::uint32_t(rng()) & 0x7fffffffu); break;
        case Domain::ExpRange: x = std::uniform_real_distribution<float>(-105.0f, 89.0f)(rng); break;
        case Domain::Mixed:
            x = (i & 1) ? fromBits(std::uint32_t(rng())) : std::uniform_real_distribution<float>(-12.0f, 12.0f)(rng);
            break;
        }
        if (!std::isnan(x))
            return x;
    }
}

struct Measured {
    double maxUlp = 0;
    float worst = 0;
};

Measured measure(float (*f)(float), LD (*ref)(LD), Domain domain, std::uint64_t seed)
{
    std::mt19937_64 rng(seed);
    Measured m;
    const long n = samples();
    for (long i = 0; i < n; ++i) {
        const float x = sample(rng, domain, i);
        const double e = ulpError(f(x), ref(LD(x)));
        if (e > m.maxUlp) {
            m.maxUlp = e;
            m.worst = x;
        }
    }
    return m;
}

LD gelu(LD x)
{
    return 0.5L * x * std::erfc(-x / std::sqrt(2.0L));
}

LD geluDerivative(LD x)
{
    return 0.5L * std::erfc(-x / std::sqrt(2.0L)) + x * std::exp(-x * x / 2) / std::sqrt(2 * 3.14159265358979323846264L);
}

bool sameBits(float a, float b)
{
    if (std::isnan(a) && std::isnan(b))
        return true;
    return std::bit_cast<std::uint32_t>(a) == std::bit_cast<std::uint32_t>(b);
}

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kMinSub = std::numeric_limits<float>::denorm_min();

} // namespace

class ExactMathTest : public QObject {
    Q_OBJECT

private slots:
    void accuracy_data()
    {
        QTest::addColumn<int>("function");
        QTest::addColumn<double>("bound");
        const char *names[] = {"reciprocal", "sqrt", "rsqrt", "exp", "log", "tanh",
                               "sigmoid", "erf", "erfc", "gelu"};
        const double bounds[] = {1.0, 0.5, 2.0, 1.5, 1.5, 2.5, 3.0, 4.0, 5.0, 6.0};
        for (int i = 0; i < 10; ++i)
            QTest::newRow(names[i]) << i << bounds[i];
    }

    void accuracy()
    {
        QFETCH(int, function);
        QFETCH(double, bound);
        struct Case {
            float (*f)(float);
            LD (*ref)(LD);
            Domain domain;
        };
        const Case cases[] = {
            {exact_reciprocal, [](LD x) { return 1 / x; }, Domain::AllBits},
            {exact_sqrt, [](LD x) { return std::sqrt(x); }, Domain::PositiveBits},
            {exact_rsqrt, [](LD x) { return 1 / std::sqrt(x); }, Domain::PositiveBits},
            {exact_exp, [](LD x) { return std::exp(x); }, Domain::ExpRange},
            {exact_log, [](LD x) { return std::log(x); }, Domain::PositiveBits},
            {exact_tanh, [](LD x) { return std::tanh(x); }, Domain::Mixed},
            {exact_sigmoid, [](LD x) { return 1 / (1 + std::exp(-x)); }, Domain::Mixed},
            {exact_erf, [](LD x) { return std::erf(x); }, Domain::Mixed},
            {exact_erfc, [](LD x) { return std::erfc(x); }, Domain::Mixed},
            {exact_gelu, gelu, Domain::Mixed},
        };
        const Case &c = cases[function];
        const Measured m = measure(c.f, c.ref, c.domain, 1000 + std::uint64_t(function));
        qInfo("%s: max error %.3f ulp (at %.9g) over %ld samples", QTest::currentDataTag(), m.maxUlp,
              double(m.worst), samples());
        QVERIFY2(m.maxUlp <= bound, qPrintable(QStringLiteral("%1 ulp at %2").arg(m.maxUlp).arg(double(m.worst), 0, 'g', 9)));
    }

    void division()
    {
        std::mt19937_64 rng(7);
        double worst = 0;
        for (long i = 0; i < samples(); ++i) {
            const float a = sample(rng, Domain::AllBits, i);
            const float b = sample(rng, Domain::AllBits, i);
            worst = std::max(worst, ulpError(exact_div(a, b), LD(a) / LD(b)));
        }
        qInfo("div: max error %.3f ulp", worst);
        QVERIFY(worst <= 1.0);
    }

    void geluDerivativeAccuracy()
    {
        // Φ(x) + x·φ(x) cancels near its zero (x ≈ -0.7518), so the error is bounded in ulp
        // where |result| >= 0.1 and absolutely everywhere.
        std::mt19937_64 rng(11);
        double worstUlp = 0, worstAbsolute = 0;
        for (long i = 0; i < samples(); ++i) {
            const float x = sample(rng, Domain::Mixed, i);
            const LD ref = geluDerivative(LD(x));
            const float got = exact_gelu_derivative(x);
            worstAbsolute = std::max(worstAbsolute, double(std::fabs(LD(got) - ref)));
            if (std::fabs(ref) >= 0.1L)
                worstUlp = std::max(worstUlp, ulpError(got, ref));
        }
        qInfo("gelu': max error %.3f ulp where |gelu'| >= 0.1, %.3g absolute everywhere", worstUlp, worstAbsolute);
        QVERIFY(worstUlp <= 16.0);
        QVERIFY(worstAbsolute <= 2e-7);
    }

    void specialValues()
    {
        // Division and reciprocal.
        QVERIFY(sameBits(exact_div(1.0f, 0.0f), kInf));
        QVERIFY(sameBits(exact_div(1.0f, -0.0f), -kInf));
        QVERIFY(sameBits(exact_div(-0.0f, 3.0f), -0.0f));
        QVERIFY(std::isnan(exact_div(0.0f, 0.0f)));
        QVERIFY(std::isnan(exact_div(kInf, -kInf)));
        QVERIFY(std::isnan(exact_div(kNaN, 1.0f)));
        QVERIFY(sameBits(exact_div(5.0f, -kInf), -0.0f));
        QVERIFY(sameBits(exact_div(-kInf, 2.0f), -kInf));
        QVERIFY(sameBits(exact_div(6.0f, 3.0f), 2.0f));
        QVERIFY(sameBits(exact_div(1.0f, 3.0f), 1.0f / 3.0f));
        QVERIFY(sameBits(exact_reciprocal(kMinSub), kInf));
        QVERIFY(sameBits(exact_reciprocal(std::numeric_limits<float>::max()), 1.0f / std::numeric_limits<float>::max()));
        QVERIFY(sameBits(exact_div(kMinSub, 2.0f), 0.0f)); // ties to even
        QVERIFY(sameBits(exact_div(3.0f * kMinSub, 2.0f), 2.0f * kMinSub));
        QVERIFY(sameBits(exact_div(1e30f, 1e-30f), kInf));
        // Square roots.
        QVERIFY(sameBits(exact_sqrt(-0.0f), -0.0f));
        QVERIFY(sameBits(exact_sqrt(0.0f), 0.0f));
        QVERIFY(sameBits(exact_sqrt(kInf), kInf));
        QVERIFY(std::isnan(exact_sqrt(-1.0f)));
        QVERIFY(std::isnan(exact_sqrt(-kInf)));
        QVERIFY(sameBits(exact_sqrt(4.0f), 2.0f));
        QVERIFY(sameBits(exact_sqrt(kMinSub), std::sqrt(kMinSub)));
        QVERIFY(sameBits(exact_rsqrt(0.0f), kInf));
        QVERIFY(sameBits(exact_rsqrt(-0.0f), -kInf));
        QVERIFY(sameBits(exact_rsqrt(kInf), 0.0f));
        QVERIFY(sameBits(exact_rsqrt(4.0f), 0.5f));
        // exp / log.
        QVERIFY(sameBits(exact_exp(0.0f), 1.0f));
        QVERIFY(sameBits(exact_exp(-0.0f), 1.0f));
        QVERIFY(sameBits(exact_exp(-kInf), 0.0f));
        QVERIFY(sameBits(exact_exp(kInf), kInf));
        QVERIFY(std::isnan(exact_exp(kNaN)));
        QVERIFY(sameBits(exact_exp(88.72283f), std::exp(88.72283f)));
        QVERIFY(sameBits(exact_exp(88.7229f), kInf));
        QVERIFY(exact_exp(-100.0f) > 0.0f && exact_exp(-100.0f) < std::numeric_limits<float>::min());
        QVERIFY(sameBits(exact_exp(-104.0f), 0.0f));
        QVERIFY(sameBits(exact_log(1.0f), 0.0f));
        QVERIFY(sameBits(exact_log(0.0f), -kInf));
        QVERIFY(sameBits(exact_log(-0.0f), -kInf));
        QVERIFY(sameBits(exact_log(kInf), kInf));
        QVERIFY(std::isnan(exact_log(-1.0f)));
        QVERIFY(ulpError(exact_log(kMinSub), std::log(LD(kMinSub))) <= 1.0);
        // tanh / sigmoid.
        QVERIFY(sameBits(exact_tanh(-0.0f), -0.0f));
        QVERIFY(sameBits(exact_tanh(kInf), 1.0f));
        QVERIFY(sameBits(exact_tanh(-kInf), -1.0f));
        QVERIFY(sameBits(exact_tanh(-kMinSub), -kMinSub));
        QVERIFY(std::isnan(exact_tanh(kNaN)));
        QVERIFY(sameBits(exact_sigmoid(kInf), 1.0f));
        QVERIFY(sameBits(exact_sigmoid(-kInf), 0.0f));
        QVERIFY(sameBits(exact_sigmoid(0.0f), 0.5f));
        QVERIFY(exact_sigmoid(-95.0f) > 0.0f); // subnormal result, not flushed
        QVERIFY(std::isnan(exact_sigmoid(kNaN)));
        // erf / erfc / gelu.
        QVERIFY(sameBits(exact_erf(-0.0f), -0.0f));
        QVERIFY(sameBits(exact_erf(kInf), 1.0f));
        QVERIFY(sameBits(exact_erf(-kInf), -1.0f));
        QVERIFY(sameBits(exact_erfc(kInf), 0.0f));
        QVERIFY(sameBits(exact_erfc(-kInf), 2.0f));
        QVERIFY(exact_erfc(10.0f) > 0.0f); // 2.1e-45: subnormal
        QVERIFY(sameBits(exact_gelu(0.0f), 0.0f));
        QVERIFY(sameBits(exact_gelu(-0.0f), -0.0f));
        QVERIFY(sameBits(exact_gelu(kInf), kInf));
        QVERIFY(sameBits(exact_gelu(-kInf), -0.0f));
        QVERIFY(std::isnan(exact_gelu(kNaN)));
        QVERIFY(sameBits(exact_gelu(100.0f), 100.0f));
        QVERIFY(sameBits(exact_gelu_derivative(kInf), 1.0f));
        QVERIFY(sameBits(exact_gelu_derivative(0.0f), 0.5f));
    }
};

QTEST_GUILESS_MAIN(ExactMathTest)
#include "exact_math_test.moc"
