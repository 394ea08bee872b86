#pragma once

// FastModeGpuTest: fast mode (ExecutionMode::Fast) on the first available device of one
// GPU backend kind, against the CPU backend in exact mode: the backend reports the mode
// and what it changes, GEMM, Gemm and MatMul agree within gemmTolerance, and exact mode
// stays the default. Skipped, with the reason, when the machine has no such device.
// fast_mode_vulkan_test.cpp and fast_mode_cuda_test.cpp instantiate it.

#include "engine/backend.h"
#include "engine/engine.h"

#include <QObject>

#include <memory>
#include <string>
#include <vector>

namespace tributary::engine::test {

class FastModeGpuTest : public QObject {
    Q_OBJECT

public:
    explicit FastModeGpuTest(BackendKind kind);
    ~FastModeGpuTest() override;

private slots:
    void initTestCase();
    void reportsFastMode();
    void exactIsTheDefault();
    void gemmWithinTolerance();
    void opsWithinTolerance();
    void timing();
    void cleanupTestCase();

private:
    BackendKind m_kind;
    std::vector<std::string> m_log;
    std::unique_ptr<Engine> m_engine;
    std::unique_ptr<Backend> m_cpu; // exact: the reference
    std::unique_ptr<Backend> m_exact; // the device in exact mode
    std::unique_ptr<Backend> m_fast; // the device in fast mode
};

} // namespace tributary::engine::test
