// The CUDA backend against the CPU backend on every available CUDA device; skipped
// (with the reason) on machines without an NVIDIA GPU and driver.

#include "gpu_backend_test.h"

#include <QTest>

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    tributary::engine::test::GpuBackendTest test(tributary::engine::BackendKind::Cuda, false, {});
    return QTest::qExec(&test, argc, argv);
}
