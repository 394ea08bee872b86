// NVML telemetry, loaded at run time: absent here (no NVIDIA driver), it must say why and
// nothing else may break; on a machine with the driver, every GPU must report plausible
// readings and bad indices must fail cleanly.

#include "engine/telemetry/nvml_library.h"

#include <QTest>

using namespace tributary::engine;

class NvmlTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void loadsOrSaysWhyNot();
};

void NvmlTest::loadsOrSaysWhyNot()
{
    std::string reason;
    auto nvml = NvmlLibrary::load(&reason);
    if (!nvml) {
        QVERIFY2(reason.find("libnvidia-ml") != std::string::npos || reason.find("NVML") != std::string::npos,
                 reason.c_str());
        QSKIP(("no NVIDIA telemetry on this machine: " + reason).c_str());
    }
    const int count = nvml->deviceCount();
    QVERIFY(count >= 0);
    for (int i = 0; i < count; ++i) {
        DeviceTelemetry telemetry;
        const Status status = nvml->read(i, &telemetry);
        QVERIFY2(status, status.message().c_str());
        if (telemetry.temperatureC)
            QVERIFY(*telemetry.temperatureC > 0 && *telemetry.temperatureC < 150);
        if (telemetry.powerW)
            QVERIFY(*telemetry.powerW >= 0 && *telemetry.powerW < 2000);
        if (telemetry.utilizationPercent)
            QVERIFY(*telemetry.utilizationPercent >= 0 && *telemetry.utilizationPercent <= 100);
    }
    DeviceTelemetry unused;
    QVERIFY(!nvml->read(-1, &unused));
    QVERIFY(!nvml->read(count, &unused));

    // The process list, where the driver has one: every entry a real process id.
    for (int i = 0; i < count; ++i) {
        std::vector<GpuProcess> processes;
        const Status status = nvml->processes(i, &processes);
        if (!status) {
            QVERIFY2(status.message().find("R510") != std::string::npos, status.message().c_str());
            continue;
        }
        for (const GpuProcess &process : processes)
            QVERIFY(process.pid > 0);
    }
    std::vector<GpuProcess> none;
    QVERIFY(!nvml->processes(count, &none));
}

QTEST_GUILESS_MAIN(NvmlTest)
#include "nvml_test.moc"
