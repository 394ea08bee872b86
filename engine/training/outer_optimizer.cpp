#include "engine/training/outer_optimizer.h"

#include <string>

namespace tributary::engine::training {

OuterOptimizer::OuterOptimizer(OuterRule rule, float learningRate, float momentum)
    : m_rule(rule)
    , m_learningRate(learningRate)
    , m_momentum(momentum)
{
}

Status OuterOptimizer::step(std::span<const std::span<const float>> workers, std::vector<float> *global,
    std::vector<float> *velocity) const
{
    if (!global || (m_rule == OuterRule::Nesterov && !velocity))
        return Status::error("outer optimizer: the global parameters (and Nesterov's velocity) must not be null");
    if (m_rule != OuterRule::Average && m_rule != OuterRule::Nesterov)
        return Status::error("outer optimizer: unknown rule " + std::to_string(int(m_rule)));
    if (workers.empty())
        return Status::error("outer optimizer: no worker returned parameters");
    const std::size_t n = global->size();
    for (std::size_t w = 0; w < workers.size(); ++w)
        if (workers[w].size() != n)
            return Status::error("outer optimizer: worker " + std::to_string(w) + " returned "
                + std::to_string(workers[w].size()) + " values but the model has " + std::to_string(n));
    if (m_rule == OuterRule::Nesterov) {
        if (velocity->empty())
            velocity->assign(n, 0.0f);
        else if (velocity->size() != n)
            return Status::error("outer optimizer: the velocity has " + std::to_string(velocity->size())
                + " values but the model has " + std::to_string(n));
    }

    // Summing in double in worker order and rounding once makes the mean independent of the
    // machine; one worker's value survives the round trip exactly.
    const double count = double(workers.size());
    for (std::size_t i = 0; i < n; ++i) {
        double sum = 0.0;
        for (const std::span<const float> &worker : workers)
            sum += double(worker[i]);
        const float mean = float(sum / count);
        if (m_rule == OuterRule::Average) {
            (*global)[i] = mean;
            continue;
        }
        // Plain float arithmetic, unfused: the project builds ISO C++ (CMAKE_CXX_EXTENSIONS
        // OFF), where GCC does not contract a*b+c into an fma, so every machine agrees.
        const float delta = (*global)[i] - mean;
        float &v = (*velocity)[i];
        v = m_momentum * v + delta;
        (*global)[i] = (*global)[i] - m_learningRate * (delta + m_momentum * v);
    }
    return Status::ok();
}

} // namespace tributary::engine::training
