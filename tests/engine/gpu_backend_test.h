#pragma once

// GpuBackendTest: the checks every GPU backend must pass, run on each available device
// of one backend kind: GEMM bitwise equal to the CPU backend on many shapes (edge tiles
// included), buffer reuse across calls, fma corner cases (cancellation, subnormals,
// overflow, infinities) and argument errors. engine_vulkan_test.cpp and
// engine_cuda_test.cpp instantiate it.

#include "engine/backend.h"
#include "engine/cpu/cpu_backend.h"
#include "engine/engine.h"

#include <QObject>

#include <memory>
#include <string>
#include <vector>

namespace tributary::engine::test {

class GpuBackendTest : public QObject {
    Q_OBJECT

public:
    // With no available device the test is skipped, or fails when failWithoutDevice is
    // set (e.g. the lavapipe ICD is installed, so CI must really test Vulkan) and the
    // backend was built.
    GpuBackendTest(BackendKind kind, bool failWithoutDevice, std::string failReason);
    ~GpuBackendTest() override;

private slots:
    void initTestCase();
    void deviceInfo();
    void gemmBitwise_data();
    void gemmBitwise();
    void reusesAndGrowsBuffers();
    void fmaCornerCases();
    void rejectsBadArguments();
    void cleanupTestCase();

private:
    BackendKind m_kind;
    bool m_failWithoutDevice;
    std::string m_failReason;
    std::unique_ptr<Engine> m_engine;
    std::unique_ptr<CpuBackend> m_cpu;
    std::vector<std::unique_ptr<Backend>> m_backends; // one per available device
};

} // namespace tributary::engine::test
