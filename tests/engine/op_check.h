#pragma once

// Cross-backend op checks for the engine tests: run one op on the CPU reference and on
// every other available backend that supports it, and compare the outputs bit for bit.
//
//   OpCheck check(engine);                       // opens every available device once
//   HostTensor x = randomTensor({4, 5}, 1);
//   QVERIFY2(check.allBackendsAgree({OpKind::Relu, {}}, {x}), check.lastError());
//   std::vector<HostTensor> out = check.lastCpuOutputs();
//
// Vulkan tests pick lavapipe through VK_ICD_FILENAMES (see useLavapipeIfUnset()).

#include "engine/backend.h"
#include "engine/engine.h"
#include "engine/host_tensor.h"
#include "engine/ops/op.h"

#include <memory>
#include <string>
#include <vector>

namespace tributary::engine::test {

// Uniform values in [-scale, scale) from a seed (engine::fillUniform).
HostTensor randomTensor(const Shape &shape, std::uint64_t seed, float scale = 1.0f);
// Integers in [0, bound) as i64 (class labels, indices).
HostTensor randomLabels(std::int64_t count, std::int64_t bound, std::uint64_t seed);

// Points the Vulkan loader at Mesa's lavapipe when no ICD was chosen, so that CI
// tests a real Vulkan device. Call before creating the Engine.
void useLavapipeIfUnset();

class OpCheck {
public:
    explicit OpCheck(const Engine &engine);

    // Runs `op` on every open backend that supports it. Returns false (lastError() says
    // which backend, which output and the first differing element) when the CPU fails,
    // or any backend fails or differs from the CPU in any bit. A backend that does not
    // support the op is skipped and listed in skippedBackends().
    bool allBackendsAgree(const Op &op, const std::vector<HostTensor> &inputs);

    const char *lastError() const { return m_error.c_str(); }
    const std::vector<HostTensor> &lastCpuOutputs() const { return m_cpuOutputs; }
    const std::vector<std::string> &skippedBackends() const { return m_skipped; }
    // Backends that ran the last op (device ids), the CPU included.
    const std::vector<std::string> &checkedBackends() const { return m_checked; }

    // Runs an op on one backend; absent optional inputs are absentInput().
    static bool runOn(Backend &backend, const Op &op, const std::vector<HostTensor> &inputs,
                      std::vector<HostTensor> *outputs, std::string *error);

private:
    std::vector<std::unique_ptr<Backend>> m_backends; // [0] is the CPU
    std::vector<HostTensor> m_cpuOutputs;
    std::vector<std::string> m_skipped;
    std::vector<std::string> m_checked;
    std::string m_error;
};

// A HostTensor standing for an absent optional input.
HostTensor absentInput();
bool isAbsent(const HostTensor &tensor);

// First index where two tensors differ in any bit, or -1 when identical (shape and
// dtype must match too; a mismatch there returns 0 and says so in *why).
std::int64_t firstBitDifference(const HostTensor &a, const HostTensor &b, std::string *why);

} // namespace tributary::engine::test
