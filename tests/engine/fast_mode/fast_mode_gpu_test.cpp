#include "tests/engine/fast_mode/fast_mode_gpu_test.h"

#include "tests/engine/fast_mode/fast_mode_cases.h"
#include "tests/engine/gemm_reference.h"

#include <QElapsedTimer>
#include <QTest>

namespace tributary::engine::test {

FastModeGpuTest::FastModeGpuTest(BackendKind kind)
    : m_kind(kind)
{
}

FastModeGpuTest::~FastModeGpuTest() = default;

void FastModeGpuTest::initTestCase()
{
    auto log = [this](LogLevel, std::string_view message) { m_log.emplace_back(message); };
    // The determinism self-test has its own test; opening still checks each mode.
    m_engine = std::make_unique<Engine>(log, SelfTest::Skip);
    std::string error;
    m_cpu = m_engine->open("cpu:0", &error);
    QVERIFY2(m_cpu, error.c_str());
    const DeviceInfo *device = m_engine->firstAvailable(m_kind);
    if (!device) {
        std::string reasons;
        for (const DeviceInfo &info : m_engine->devices()) {
            if (info.backend == m_kind)
                reasons += (reasons.empty() ? "" : "; ") + info.unavailableReason;
        }
        QSKIP(
            ("no " + std::string(backendName(m_kind)) + " device, fast mode not tested: " + reasons).c_str());
    }
    m_fast = m_engine->open(device->id, { .mode = ExecutionMode::Fast }, &error);
    QVERIFY2(m_fast, ("cannot open " + device->id + " in fast mode: " + error).c_str());
    m_exact = m_engine->open(device->id, &error);
    QVERIFY2(m_exact, ("cannot open " + device->id + " in exact mode: " + error).c_str());
    qInfo("%s (%s) in fast mode: %s", device->id.c_str(), device->name.c_str(),
        m_fast->device().fastMode.c_str());
}

void FastModeGpuTest::reportsFastMode()
{
    QCOMPARE(m_fast->mode(), ExecutionMode::Fast);
    const DeviceInfo &info = m_fast->device();
    QVERIFY(!info.fastMode.empty());
    if (m_kind == BackendKind::Vulkan) {
        // The native fma() shaders, even where exact mode needs the emulated ones.
        QVERIFY2(info.features.find("emulated fma") == std::string::npos, info.features.c_str());
        QVERIFY2(info.fastMode.find("native fma()") != std::string::npos, info.fastMode.c_str());
    } else if (m_kind == BackendKind::Cuda) {
        // cuBLAS, or the reason it is not there.
        QVERIFY2(info.fastMode.find("cuBLAS") != std::string::npos
                || info.fastMode.find("libcublas") != std::string::npos,
            info.fastMode.c_str());
    }
    bool logged = false;
    for (const std::string &line : m_log)
        logged = logged || line.find("fast mode: " + info.fastMode) != std::string::npos;
    QVERIFY2(logged, "Engine::open logs what fast mode does");
}

void FastModeGpuTest::exactIsTheDefault()
{
    QCOMPARE(m_exact->mode(), ExecutionMode::Exact);
    // Exact mode on the device is still bitwise the CPU reference.
    for (const GemmShape &shape : standardShapes()) {
        const std::vector<float> a = operandA(shape), b = operandB(shape);
        std::vector<float> c(std::size_t(shape.m) * std::size_t(shape.n));
        QVERIFY(m_exact->gemm(a, b, c, shape));
        const std::string diff = bitwiseDifference(naiveGemm(a, b, shape), c, shape);
        QVERIFY2(diff.empty(), diff.c_str());
    }
}

void FastModeGpuTest::gemmWithinTolerance()
{
    std::vector<GemmShape> shapes = standardShapes();
    shapes.push_back({ 33, 17, 2000 });
    for (const GemmShape &shape : shapes) {
        ToleranceReport report;
        std::string why;
        QVERIFY2(gemmAgreesWithinTolerance(*m_fast, *m_cpu, shape, &report, &why), why.c_str());
        qInfo("%s: %s", shapeName(shape).c_str(), report.describe().c_str());
    }
}

void FastModeGpuTest::opsWithinTolerance()
{
    for (const FastModeCase &testCase : fastModeCases()) {
        if (!m_fast->supports(testCase.op.kind))
            continue;
        ToleranceReport report;
        std::string why;
        QVERIFY2(agreesWithinTolerance(*m_fast, *m_cpu, testCase, &report, &why), why.c_str());
        qInfo("%s: %s", testCase.name.c_str(), report.describe().c_str());
    }
}

void FastModeGpuTest::timing()
{
    // Not a benchmark (tributary-bench is): what fast mode buys on this device, for the log.
    const GemmShape shape { 256, 256, 256 };
    const std::vector<float> a = operandA(shape), b = operandB(shape);
    std::vector<float> c(std::size_t(shape.m) * std::size_t(shape.n));
    for (Backend *backend : { m_exact.get(), m_fast.get() }) {
        QVERIFY(backend->gemm(a, b, c, shape)); // warm-up: pipelines, buffers
        QElapsedTimer timer;
        timer.start();
        constexpr int kRepeats = 3;
        for (int i = 0; i < kRepeats; ++i)
            QVERIFY(backend->gemm(a, b, c, shape));
        qInfo("%s mode: %s GEMM in %.2f ms", std::string(executionModeName(backend->mode())).c_str(),
            shapeName(shape).c_str(), double(timer.nsecsElapsed()) / 1e6 / kRepeats);
    }
}

void FastModeGpuTest::cleanupTestCase()
{
    m_fast.reset();
    m_exact.reset();
    m_cpu.reset();
    m_engine.reset();
}

} // namespace tributary::engine::test
