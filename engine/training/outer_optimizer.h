#pragma once

// OuterOptimizer: the coordinator's step in low-communication data-parallel training
// (DiLoCo, Douillard et al. 2023). After a round, every worker returns the parameters it
// reached from the global ones; the outer optimizer turns them into the next global
// parameters.
//
//   OuterOptimizer outer(OuterRule::Nesterov, 0.7f, 0.9f);
//   std::vector<float> global = …, velocity;       // velocity: empty at first (zeros)
//   outer.step(workers, &global, &velocity);
//
// Rules, element by element, with Δ = θ - mean(θᵢ) (the outer gradient):
//   Average:  θ ← mean(θᵢ)                       (exact for one worker: θ ← θ₀)
//   Nesterov: v ← μ·v + Δ;  θ ← θ - η·(Δ + μ·v)
// The mean sums workers in order in double and rounds once to float, so the result does
// not depend on the machine: the coordinator's result is reproducible bit for bit.

#include "engine/status.h"

#include <span>
#include <vector>

namespace tributary::engine::training {

enum class OuterRule {
    Average = 1,
    Nesterov,
};

class OuterOptimizer {
public:
    OuterOptimizer(OuterRule rule, float learningRate, float momentum);

    // `workers`: each worker's parameters, all global->size() long. `velocity`: Nesterov's
    // momentum, resized and zeroed when empty; untouched by Average. Fails when there are no
    // workers or a length differs.
    Status step(std::span<const std::span<const float>> workers, std::vector<float> *global,
        std::vector<float> *velocity) const;

private:
    OuterRule m_rule;
    float m_learningRate;
    float m_momentum;
};

} // namespace tributary::engine::training
