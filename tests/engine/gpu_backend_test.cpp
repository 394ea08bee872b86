#include "gpu_backend_test.h"

#include "gemm_reference.h"

#include "engine/cpu/cpu_device.h"

#include <QTest>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

Q_DECLARE_METATYPE(tributary::engine::GemmShape)

namespace tributary::engine::test {

namespace {

std::vector<float> run(Backend &backend, const std::vector<float> &a, const std::vector<float> &b, GemmShape shape,
                       Status *status)
{
    std::vector<float> c(static_cast<std::size_t>(shape.m) * static_cast<std::size_t>(shape.n), std::nanf(""));
    *status = backend.gemm(a, b, c, shape);
    return c;
}

std::uint64_t nextRandom(std::uint64_t *state)
{
    std::uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

// A random float with a random sign and 24-bit significand, exponent in [minExp, maxExp].
float randomFloat(std::uint64_t *state, int minExp, int maxExp)
{
    const std::uint64_t bits = nextRandom(state);
    const float significand = 1.0f + static_cast<float>(bits & 0x7fffff) * 0x1p-23f;
    const int exponent = minExp + static_cast<int>((bits >> 23) % static_cast<std::uint64_t>(maxExp - minExp + 1));
    const float value = std::ldexp(significand, exponent);
    return (bits >> 63) ? -value : value;
}

// Bitwise equal, except that any NaN matches any NaN: NaN payloads differ between
// hardware and are not part of exact mode.
std::string differenceAllowingNaN(const std::vector<float> &expected, const std::vector<float> &actual,
                                  GemmShape shape)
{
    std::vector<float> e = expected, a = actual;
    for (std::size_t i = 0; i < e.size(); ++i) {
        if (std::isnan(e[i]) && std::isnan(a[i]))
            e[i] = a[i] = 0.0f;
    }
    return bitwiseDifference(e, a, shape);
}

} // namespace

GpuBackendTest::GpuBackendTest(BackendKind kind, bool failWithoutDevice, std::string failReason)
    : m_kind(kind), m_failWithoutDevice(failWithoutDevice), m_failReason(std::move(failReason))
{
}

GpuBackendTest::~GpuBackendTest() = default;

void GpuBackendTest::initTestCase()
{
    m_engine = std::make_unique<Engine>([](LogLevel level, std::string_view message) {
        if (level >= LogLevel::Warning)
            qWarning("engine: %.*s", static_cast<int>(message.size()), message.data());
        else
            qInfo("engine: %.*s", static_cast<int>(message.size()), message.data());
    });
    m_cpu = std::make_unique<CpuBackend>(probeCpuDevice());

    std::string reasons;
    bool built = true;
    for (const auto &device : m_engine->devices()) {
        if (device.backend != m_kind)
            continue;
        if (!device.available) {
            reasons += (reasons.empty() ? "" : "; ") + device.unavailableReason;
            built = built && device.unavailableReason.rfind("built without", 0) != 0;
            continue;
        }
        std::string error;
        auto backend = m_engine->open(device.id, &error);
        QVERIFY2(backend != nullptr, ("cannot open " + device.id + ": " + error).c_str());
        m_backends.push_back(std::move(backend));
    }
    if (m_backends.empty()) {
        const std::string name(backendName(m_kind));
        // A build configured without the backend cannot test it; that is the build's choice.
        if (m_failWithoutDevice && built)
            QFAIL(("no " + name + " device although " + m_failReason + ": " + reasons).c_str());
        QSKIP(("no " + name + " device: " + reasons).c_str());
    }
}

void GpuBackendTest::deviceInfo()
{
    for (const auto &backend : m_backends) {
        const DeviceInfo &info = backend->device();
        qInfo("%s: %s, vendor %s, subgroup size %d, %s", info.id.c_str(), info.name.c_str(), info.vendor.c_str(),
              info.subgroupSize, info.features.c_str());
        QCOMPARE(info.backend, m_kind);
        QVERIFY(info.available);
        QVERIFY(!info.name.empty());
        QVERIFY2(info.subgroupSize > 0, info.id.c_str());
        QVERIFY(m_engine->findDevice(info.id) != nullptr);
    }
}

void GpuBackendTest::gemmBitwise_data()
{
    QTest::addColumn<GemmShape>("shape");
    auto shapes = standardShapes();
    shapes.push_back({1, 300, 1000}); // one row of tiles, partial in n, k not a multiple of the depth block
    shapes.push_back({300, 1, 2});    // one column of tiles, partial in m
    shapes.push_back({65, 129, 17});  // one past full tiles in m and n
    for (const auto &shape : shapes)
        QTest::newRow(shapeName(shape).c_str()) << shape;
}

void GpuBackendTest::gemmBitwise()
{
    QFETCH(GemmShape, shape);
    const auto a = operandA(shape);
    const auto b = operandB(shape);
    Status status;
    const auto expected = run(*m_cpu, a, b, shape, &status);
    QVERIFY2(status.isOk(), status.message().c_str());
    for (const auto &backend : m_backends) {
        const auto c = run(*backend, a, b, shape, &status);
        QVERIFY2(status.isOk(), (backend->device().id + ": " + status.message()).c_str());
        const std::string diff = bitwiseDifference(expected, c, shape);
        QVERIFY2(diff.empty(), (backend->device().id + ": " + diff).c_str());
    }
}

void GpuBackendTest::reusesAndGrowsBuffers()
{
    // Large, then small (reusing the buffers), then larger than before (growing them).
    for (const auto &backend : m_backends) {
        for (GemmShape shape : {GemmShape{128, 96, 80}, GemmShape{7, 9, 11}, GemmShape{7, 9, 11},
                                GemmShape{200, 160, 90}}) {
            const auto a = operandA(shape);
            const auto b = operandB(shape);
            Status status;
            const auto expected = run(*m_cpu, a, b, shape, &status);
            const auto c = run(*backend, a, b, shape, &status);
            QVERIFY2(status.isOk(), status.message().c_str());
            const std::string diff = bitwiseDifference(expected, c, shape);
            QVERIFY2(diff.empty(), (backend->device().id + " " + shapeName(shape) + ": " + diff).c_str());
        }
    }
}

void GpuBackendTest::fmaCornerCases()
{
    // With k = 2, A row i = [c_i, a_i] and B = [1 ...; b_j ...], every output is a single
    // fma(a_i, b_j, c_i): this checks the fma itself on hard inputs. Rows mix special
    // values, near-cancellation (c_i ≈ -a_i·b_j), products near overflow and deep in the
    // subnormal range.
    constexpr int m = 512;
    constexpr int n = 256;
    const GemmShape shape{m, n, 2};
    const float specials[] = {0.0f, -0.0f, 1.0f, -1.0f, 0x1p-149f, -0x1p-149f, 0x1.fffffcp-127f,
                              std::numeric_limits<float>::min(), std::numeric_limits<float>::max(),
                              -std::numeric_limits<float>::max(), std::numeric_limits<float>::infinity(),
                              -std::numeric_limits<float>::infinity(), 1.0f + 0x1p-23f, 1.0f - 0x1p-24f,
                              1.0f + 0x1p-12f, 3.0f, 1.0f / 3.0f, 0x1p-75f, 0x1p64f, -0x1p-130f};
    constexpr int specialCount = static_cast<int>(sizeof specials / sizeof specials[0]);

    std::uint64_t state = 0xfa11;
    std::vector<float> b(2 * n);
    for (int j = 0; j < n; ++j) {
        b[static_cast<std::size_t>(j)] = 1.0f;
        float value = randomFloat(&state, -30, 30);
        if (j < specialCount)
            value = specials[j];
        else if (j % 4 == 1)
            value = randomFloat(&state, -75, -60); // products land near or below 2^-126
        else if (j % 4 == 2)
            value = randomFloat(&state, 60, 70); // products near FLT_MAX
        b[static_cast<std::size_t>(n + j)] = value;
    }
    std::vector<float> a(2 * m);
    for (int i = 0; i < m; ++i) {
        float ai = randomFloat(&state, -30, 30);
        float ci = randomFloat(&state, -60, 60);
        if (i < specialCount * specialCount) {
            ai = specials[i % specialCount];
            ci = specials[i / specialCount];
        } else if (i % 3 == 0) {
            // Near-cancellation against column j: c = -(a·b) rounded, nudged by a few ulps.
            const float bj = b[static_cast<std::size_t>(n + i % n)];
            ci = -(ai * bj);
            for (int step = static_cast<int>(nextRandom(&state) % 5); step > 0; --step)
                ci = std::nextafter(ci, (nextRandom(&state) & 1) ? 1e38f : -1e38f);
        } else if (i % 3 == 1) {
            ai = randomFloat(&state, -75, -60);
            ci = randomFloat(&state, -149, -120);
        }
        a[static_cast<std::size_t>(2 * i)] = ci;
        a[static_cast<std::size_t>(2 * i + 1)] = ai;
    }

    Status status;
    const auto expected = run(*m_cpu, a, b, shape, &status);
    QVERIFY2(status.isOk(), status.message().c_str());
    int subnormals = 0;
    for (float value : expected)
        subnormals += std::fpclassify(value) == FP_SUBNORMAL;
    QVERIFY(subnormals > 100); // the inputs really reach the subnormal range
    for (const auto &backend : m_backends) {
        const auto c = run(*backend, a, b, shape, &status);
        QVERIFY2(status.isOk(), status.message().c_str());
        const std::string diff = differenceAllowingNaN(expected, c, shape);
        QVERIFY2(diff.empty(), (backend->device().id + ": " + diff).c_str());
    }
}

void GpuBackendTest::rejectsBadArguments()
{
    for (const auto &backend : m_backends) {
        std::vector<float> a(12), b(12), c(16);
        Status status = backend->gemm(a, b, c, {4, 0, 3});
        QVERIFY(!status.isOk());
        QVERIFY2(status.message().find("n=0") != std::string::npos, status.message().c_str());
        status = backend->gemm(a, std::span(b).first(5), c, {4, 4, 3});
        QVERIFY(!status.isOk());
        QVERIFY2(status.message().find("B has 5 elements, needs 12") != std::string::npos,
                 status.message().c_str());
        // Still usable after rejecting bad calls.
        a.assign(12, 1.0f);
        b.assign(12, 2.0f);
        QVERIFY(backend->gemm(a, b, c, {4, 4, 3}).isOk());
        QCOMPARE(c, std::vector<float>(16, 6.0f));
    }
}

void GpuBackendTest::cleanupTestCase()
{
    m_backends.clear();
}

} // namespace tributary::engine::test
