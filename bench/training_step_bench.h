#pragma once

// The training-step benchmark: one step of the Fashion-MNIST MLP that engine/training
// trains (784 → 64 → 10, ReLU, batch 100, SGD with momentum 0.9: the configuration of
// tests/engine/training/training_setup.h), built by training::buildTrainingStep and run
// by Executor::runDevice as the Trainer runs it: forward, softmax cross-entropy, backward
// and one SgdUpdate per parameter, with parameters and velocities kept on the device and
// each step's outputs fed to the next. The batch (synthetic: fillUniform pixels, labels
// i mod 10) is uploaded once; the Trainer's per-step batch upload and loss download are
// not timed.
//
// Each timed run is a fixed number of steps (enough for about 50 ms, found from the
// second step) followed by Backend::synchronize; seconds and ms are per step, steps_per_second
// is their inverse. GFLOP/s counts the step's GEMMs, 2·m·n·k each: per layer of fanIn ×
// fanOut the forward product and the weight gradient, plus the input gradient for every
// layer but the first (elementwise, loss, bias-gradient and SGD work is not counted).
//
// Reference: "cpu-exact", the engine's CPU backend on every hardware thread (none for
// that CPU target itself); Vulkan on an NVIDIA GPU that is also a CUDA device gets an
// extra "cuda-exact" row (cross_backend.h).
// Check: from the initial parameters, three steps on the target and on the CPU backend
// running the portable std::fma micro-kernel must give bitwise-equal parameters
// (training::parameterDigest).

#include "bench/op_benchmark.h"

namespace tributary::bench {

int runTrainingStepBenchmark(OpBenchContext &context);

} // namespace tributary::bench
