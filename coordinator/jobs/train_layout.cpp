#include "coordinator/jobs/train_layout.h"

#include <algorithm>

namespace tributary::coordinator {

TrainLayout::TrainLayout(const v1::TrainJobSpec &spec)
    : m_runs(std::max<std::uint32_t>(std::uint32_t(spec.runs_size()), 1))
    , m_workers(std::max<std::uint32_t>(spec.workers(), 1))
    , m_localSteps(std::max<std::uint32_t>(spec.local_steps(), 1))
    , m_steps(std::max<std::uint32_t>(spec.steps(), 1))
    , m_rounds((m_steps + m_localSteps - 1) / m_localSteps)
    , m_evalEvery(spec.eval_every_rounds() > 0 ? spec.eval_every_rounds() : std::max<std::uint32_t>(1, (m_rounds + 9) / 10))
{
}

std::uint32_t TrainLayout::stepsIn(std::uint32_t round) const
{
    return std::min(m_localSteps, m_steps - round * m_localSteps);
}

bool TrainLayout::evaluatesAfter(std::uint32_t round) const
{
    return round + 1 == m_rounds || (round + 1) % m_evalEvery == 0;
}

TrainTaskPlace TrainLayout::placeOf(const TaskRecord &task)
{
    return TrainTaskPlace { task.row0, task.col0, task.rows, task.cols };
}

std::string shardRole(std::uint32_t worker, const char *part)
{
    return "shard-" + std::to_string(worker) + "/" + part;
}

std::string testRole(const char *part)
{
    return std::string("test/") + part;
}

std::string parametersRole(std::uint32_t run, std::uint32_t round)
{
    return "run-" + std::to_string(run) + "/round-" + std::to_string(round) + "/parameters";
}

std::string stateRole(std::uint32_t run, std::uint32_t round)
{
    return "run-" + std::to_string(run) + "/round-" + std::to_string(round) + "/state";
}

std::string velocityRole(std::uint32_t run)
{
    return "run-" + std::to_string(run) + "/velocity";
}

std::string confusionRole(std::uint32_t run)
{
    return "run-" + std::to_string(run) + "/confusion";
}

engine::training::MlpConfig mlpConfigOf(const v1::MlpSpec &model)
{
    engine::training::MlpConfig config;
    config.inputs = model.inputs();
    config.hidden.assign(model.hidden().begin(), model.hidden().end());
    config.classes = model.classes();
    config.seed = model.seed();
    return config;
}

engine::training::OptimizerAttributes optimizerOf(const v1::OptimizerSpec &optimizer)
{
    if (optimizer.kind() == v1::OptimizerSpec::KIND_ADAMW) {
        engine::AdamWAttributes adamW;
        adamW.learningRate = optimizer.learning_rate();
        adamW.weightDecay = optimizer.weight_decay();
        return adamW;
    }
    engine::SgdAttributes sgd;
    sgd.learningRate = optimizer.learning_rate();
    sgd.momentum = optimizer.momentum();
    sgd.weightDecay = optimizer.weight_decay();
    return sgd;
}

} // namespace tributary::coordinator
