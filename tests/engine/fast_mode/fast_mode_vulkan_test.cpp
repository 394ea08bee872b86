// Fast mode on the first Vulkan device (lavapipe in CI: the native fma() shaders instead
// of the emulated ones exact mode needs there); skipped without a Vulkan device.

#include "tests/engine/fast_mode/fast_mode_gpu_test.h"
#include "tests/engine/op_check.h"

#include <QTest>

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    tributary::engine::test::useLavapipeIfUnset();
    tributary::engine::test::FastModeGpuTest test(tributary::engine::BackendKind::Vulkan);
    return QTest::qExec(&test, argc, argv);
}
