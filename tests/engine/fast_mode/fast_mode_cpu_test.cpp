// Fast mode on the CPU backend: opt-in per backend (exact stays the default), reported by
// Backend::mode() and DeviceInfo::fastMode, and its GEMM, Gemm and MatMul (OpenBLAS when
// the engine was built with it) agree with exact mode within gemmTolerance. OpenBLAS is
// not required to match exact mode bit for bit; without OpenBLAS fast mode must be exact.

#include "tests/engine/fast_mode/fast_mode_cases.h"
#include "tests/engine/gemm_reference.h"

#include "engine/cpu/cpu_backend.h"
#include "engine/cpu/cpu_fast_gemm.h"
#include "engine/engine.h"

#include <QTest>

#include <memory>
#include <string>
#include <vector>

using namespace tributary::engine;
using namespace tributary::engine::test;

Q_DECLARE_METATYPE(GemmShape)

class FastModeCpuTest : public QObject {
    Q_OBJECT

private slots:
    void initTestCase()
    {
        auto log = [this](LogLevel, std::string_view message) { m_log.emplace_back(message); };
        m_engine = std::make_unique<Engine>(log, SelfTest::Skip);
        std::string error;
        m_exact = m_engine->open("cpu:0", &error);
        QVERIFY2(m_exact, error.c_str());
        m_fast = m_engine->open("cpu:0", { .mode = ExecutionMode::Fast }, &error);
        QVERIFY2(m_fast, error.c_str());
        std::string library;
        m_hasLibrary = cpuFastGemmAvailable(&library);
        qInfo("cpu fast mode: %s", library.c_str());
    }

    void modeNames()
    {
        QCOMPARE(executionModeName(ExecutionMode::Exact), std::string_view("exact"));
        QCOMPARE(executionModeName(ExecutionMode::Fast), std::string_view("fast"));
        ExecutionMode mode = ExecutionMode::Exact;
        QVERIFY(parseExecutionMode("fast", &mode));
        QCOMPARE(mode, ExecutionMode::Fast);
        QVERIFY(parseExecutionMode("exact", &mode));
        QCOMPARE(mode, ExecutionMode::Exact);
        QVERIFY(!parseExecutionMode("Fast", &mode));
        QVERIFY(!parseExecutionMode("", &mode));
        QCOMPARE(mode, ExecutionMode::Exact);
        QVERIFY(static_cast<int>(ExecutionMode::Exact) != 0);
    }

    void exactIsTheDefault()
    {
        QCOMPARE(BackendOptions {}.mode, ExecutionMode::Exact);
        QCOMPARE(m_exact->mode(), ExecutionMode::Exact);
        QCOMPARE(CpuBackend(m_engine->devices().front()).mode(), ExecutionMode::Exact);
        QVERIFY(!static_cast<CpuBackend &>(*m_exact).usesFastGemm());
        // Discovery says what fast mode would do, before anything is opened in it.
        QVERIFY(!m_engine->devices().front().fastMode.empty());
    }

    void fastModeIsReported()
    {
        QCOMPARE(m_fast->mode(), ExecutionMode::Fast);
        auto &cpu = static_cast<CpuBackend &>(*m_fast);
        QCOMPARE(cpu.usesFastGemm(), m_hasLibrary);
        const std::string &what = m_fast->device().fastMode;
        qInfo("%s", what.c_str());
        QVERIFY2(
            what.find(m_hasLibrary ? "OpenBLAS cblas_sgemm" : "built without OpenBLAS") != std::string::npos,
            what.c_str());
        bool logged = false;
        for (const std::string &line : m_log)
            logged = logged || line.find("fast mode: " + what) != std::string::npos;
        QVERIFY2(logged, "Engine::open logs what fast mode does");
    }

    void gemmWithinTolerance_data()
    {
        QTest::addColumn<GemmShape>("shape");
        std::vector<GemmShape> shapes = standardShapes();
        shapes.push_back({ 33, 17, 2000 }); // deep: the tolerance grows with k
        shapes.push_back({ 300, 5, 64 });
        for (const GemmShape &shape : shapes)
            QTest::newRow(shapeName(shape).c_str()) << shape;
    }

    void gemmWithinTolerance()
    {
        QFETCH(GemmShape, shape);
        ToleranceReport report;
        std::string why;
        QVERIFY2(gemmAgreesWithinTolerance(*m_fast, *m_exact, shape, &report, &why), why.c_str());

        const std::vector<float> a = operandA(shape), b = operandB(shape);
        std::vector<float> fast(std::size_t(shape.m) * std::size_t(shape.n));
        QVERIFY(m_fast->gemm(a, b, fast, shape));
        const std::int64_t differing = bitwiseDifferences(naiveGemm(a, b, shape), fast);
        qInfo("%s: %lld of %zu elements differ from exact mode in some bit; %s", shapeName(shape).c_str(),
            static_cast<long long>(differing), fast.size(), report.describe().c_str());
        // Without a library fast mode is exact mode; with OpenBLAS any bits may differ.
        if (!m_hasLibrary)
            QCOMPARE(differing, std::int64_t(0));
    }

    void opsWithinTolerance()
    {
        for (const FastModeCase &testCase : fastModeCases()) {
            ToleranceReport report;
            std::string why;
            QVERIFY2(agreesWithinTolerance(*m_fast, *m_exact, testCase, &report, &why), why.c_str());
            qInfo("%s: %s", testCase.name.c_str(), report.describe().c_str());
            if (!m_hasLibrary)
                QCOMPARE(report.maxUlpDistance, 0u);
        }
    }

    void exactModeUnaffected()
    {
        // Fast and exact backends side by side: the exact one still gives the chain's bits.
        for (const GemmShape &shape : standardShapes()) {
            const std::vector<float> a = operandA(shape), b = operandB(shape);
            std::vector<float> fast(std::size_t(shape.m) * std::size_t(shape.n)), exact(fast.size());
            QVERIFY(m_fast->gemm(a, b, fast, shape));
            QVERIFY(m_exact->gemm(a, b, exact, shape));
            const std::string diff = bitwiseDifference(naiveGemm(a, b, shape), exact, shape);
            QVERIFY2(diff.empty(), diff.c_str());
        }
    }

    void rejectsBadArguments()
    {
        std::vector<float> small(4);
        const Status s = m_fast->gemm(small, small, small, { 3, 3, 3 });
        QVERIFY(!s);
        QVERIFY2(s.message().find("gemm: A has 4 elements") != std::string::npos, s.message().c_str());
    }

    void cleanupTestCase()
    {
        m_fast.reset();
        m_exact.reset();
        m_engine.reset();
    }

private:
    std::vector<std::string> m_log;
    std::unique_ptr<Engine> m_engine;
    std::unique_ptr<Backend> m_exact;
    std::unique_ptr<Backend> m_fast;
    bool m_hasLibrary = false;
};

QTEST_GUILESS_MAIN(FastModeCpuTest)
#include "fast_mode_cpu_test.moc"
