// The Vulkan backend against the CPU backend on every available Vulkan device. Without
// a driver selection in the environment it selects Mesa's lavapipe (a CPU Vulkan
// driver), so that CI without a GPU still runs the real shader.

#include "gpu_backend_test.h"

#include <QDir>
#include <QTest>

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);

    const QStringList lavapipe =
        QDir("/usr/share/vulkan/icd.d").entryList({"lvp_icd.*.json"}, QDir::Files, QDir::Name);
    const QString lavapipePath = lavapipe.isEmpty() ? QString() : "/usr/share/vulkan/icd.d/" + lavapipe.first();
    if (!qEnvironmentVariableIsSet("VK_ICD_FILENAMES") && !qEnvironmentVariableIsSet("VK_DRIVER_FILES")
        && !lavapipePath.isEmpty()) {
        qputenv("VK_ICD_FILENAMES", lavapipePath.toLocal8Bit());
        qputenv("VK_DRIVER_FILES", lavapipePath.toLocal8Bit());
    }

    tributary::engine::test::GpuBackendTest test(tributary::engine::BackendKind::Vulkan, !lavapipePath.isEmpty(),
                                                 "the lavapipe ICD is installed (" + lavapipePath.toStdString()
                                                     + ")");
    return QTest::qExec(&test, argc, argv);
}
