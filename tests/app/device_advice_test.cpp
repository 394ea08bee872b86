// Every reason the engine gives for an unusable device that someone can act on comes with
// plain advice; a usable device, and a reason nobody can act on, with none.

#include "app/contributor/device_advice.h"

#include <QTest>

using namespace tributary;

class DeviceAdviceTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void advice_data()
    {
        QTest::addColumn<QString>("reason");
        QTest::addColumn<QString>("advice"); // a part of it; empty: no advice
        QTest::newRow("no NVIDIA driver") << "no NVIDIA driver found" << "install NVIDIA's driver";
        QTest::newRow("old NVIDIA driver") << "NVIDIA driver too old: it supports CUDA 11.4, 12.0 needed"
                                           << "Update the NVIDIA driver";
        QTest::newRow("no CUDA device") << "no CUDA device found" << "nvidia-smi";
        QTest::newRow("old GPU") << "compute capability 6.1 is older than the oldest supported (7.5)"
                                 << "through Vulkan";
        QTest::newRow("no Vulkan loader") << "no Vulkan loader found (libvulkan.so.1)" << "libvulkan1";
        QTest::newRow("no Vulkan driver") << "no Vulkan driver (ICD) found" << "mesa-vulkan-drivers";
        QTest::newRow("Vulkan 1.0 only") << "the Vulkan loader supports only Vulkan 1.0 (1.1 required)"
                                         << "Vulkan 1.1 or newer";
        QTest::newRow("self-test") << "failed the determinism self-test: gemm 64x64x64 differs at [3]"
                                   << "different bits than the CPU reference";
        QTest::newRow("unknown") << "vulkan: vkCreateInstance: VK_ERROR_INITIALIZATION_FAILED" << "";
    }

    void advice()
    {
        QFETCH(QString, reason);
        QFETCH(QString, advice);
        engine::DeviceInfo device;
        device.available = false;
        device.unavailableReason = reason.toStdString();
        const QString given = adviceFor(device);
        if (advice.isEmpty())
            QVERIFY2(given.isEmpty(), qPrintable(given));
        else
            QVERIFY2(given.contains(advice), qPrintable(given));

        device.available = true;
        QVERIFY(adviceFor(device).isEmpty());
    }
};

QTEST_APPLESS_MAIN(DeviceAdviceTest)
#include "device_advice_test.moc"
