// Fast mode on the first CUDA device (GEMM, Gemm and MatMul through cuBLAS); skipped,
// with the reason, on machines without an NVIDIA GPU and driver or a build without CUDA.

#include "tests/engine/fast_mode/fast_mode_gpu_test.h"

#include <QTest>

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    tributary::engine::test::FastModeGpuTest test(tributary::engine::BackendKind::Cuda);
    return QTest::qExec(&test, argc, argv);
}
