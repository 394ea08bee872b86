// The first-run benchmark on the CPU backend (always present), and its errors.

#include "app/contributor/device_benchmark.h"

#include <QTest>

using tributary::benchmarkDevice;
using tributary::DeviceBenchmark;
namespace engine = tributary::engine;

class DeviceBenchmarkTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void measuresCpu();
    void unknownDeviceFails();
    void badSizeFails();

private:
    std::unique_ptr<engine::Engine> m_engine;
};

void DeviceBenchmarkTest::initTestCase()
{
    // Only the CPU device is benchmarked here: the GPUs' self-tests would only slow this down.
    m_engine = std::make_unique<engine::Engine>(engine::LogCallback{}, engine::SelfTest::Skip);
    QVERIFY(m_engine->findDevice("cpu:0"));
}

void DeviceBenchmarkTest::measuresCpu()
{
    const DeviceBenchmark result = benchmarkDevice(*m_engine, QStringLiteral("cpu:0"), 128);
    QVERIFY2(result.ok, qPrintable(result.error));
    QVERIFY(result.error.isEmpty());
    QVERIFY2(result.gflops > 0, qPrintable(QString::number(result.gflops)));
    // The whole run is bounded: about half a second of timed GEMMs, never over a few seconds.
    QVERIFY2(result.elapsedMs < 3000, qPrintable(QString::number(result.elapsedMs)));
    QVERIFY(result.elapsedMs > 0);
}

void DeviceBenchmarkTest::unknownDeviceFails()
{
    const DeviceBenchmark result = benchmarkDevice(*m_engine, QStringLiteral("cuda:42"), 64);
    QVERIFY(!result.ok);
    QCOMPARE(result.gflops, 0.0);
    QVERIFY2(result.error.contains(QStringLiteral("cuda:42")), qPrintable(result.error));
}

void DeviceBenchmarkTest::badSizeFails()
{
    const DeviceBenchmark result = benchmarkDevice(*m_engine, QStringLiteral("cpu:0"), 0);
    QVERIFY(!result.ok);
    QCOMPARE(result.error, QStringLiteral("benchmark size must be between 1 and 8192, not 0"));
}

QTEST_GUILESS_MAIN(DeviceBenchmarkTest)
#include "device_benchmark_test.moc"
