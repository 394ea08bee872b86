#pragma once

// TrainLayout: how a training job (tributary.v1.TrainJobSpec) is cut into tasks, and the
// names of the blobs it keeps between rounds. Pure arithmetic, shared by the kind, its
// tests and the benchmark.
//
// Tasks are numbered run by run, round by round, worker by worker:
//   index = (run · rounds + round) · workers + worker
// and stored with row0 = run, col0 = round, rows = worker, cols = the round's steps.
// Round 0 of every run is open at once; round k + 1 opens when all of round k's tasks are
// accepted and the outer step has produced its parameters.

#include "coordinator/store/records.h"
#include "engine/training/mlp.h"

#include "tributary/v1/training.pb.h"

#include <cstdint>
#include <string>

namespace tributary::coordinator {

struct TrainTaskPlace {
    std::uint32_t run = 0;
    std::uint32_t round = 0;
    std::uint32_t worker = 0;
    std::uint32_t steps = 0;
};

class TrainLayout {
public:
    explicit TrainLayout(const v1::TrainJobSpec &spec);

    std::uint32_t runs() const { return m_runs; }
    std::uint32_t workers() const { return m_workers; }
    std::uint32_t rounds() const { return m_rounds; }
    std::uint64_t taskCount() const { return std::uint64_t(m_runs) * m_rounds * m_workers; }
    std::uint32_t taskIndex(std::uint32_t run, std::uint32_t round, std::uint32_t worker) const
    {
        return (run * m_rounds + round) * m_workers + worker;
    }
    // Steps of round `round`: H, or what is left for the last one.
    std::uint32_t stepsIn(std::uint32_t round) const;
    std::uint64_t firstStep(std::uint32_t round) const { return std::uint64_t(round) * m_localSteps; }
    // Whether the test set is evaluated after round `round` (0-based): every
    // eval_every_rounds rounds (about 10 times per run when 0), and after the last.
    bool evaluatesAfter(std::uint32_t round) const;
    // One worker carries its optimiser state from round to round; several start afresh.
    bool carriesState() const { return m_workers == 1; }

    static TrainTaskPlace placeOf(const TaskRecord &task);

private:
    std::uint32_t m_runs;
    std::uint32_t m_workers;
    std::uint32_t m_localSteps;
    std::uint32_t m_steps;
    std::uint32_t m_rounds;
    std::uint32_t m_evalEvery;
};

// Blob roles (job_inputs) of a training job.
std::string shardRole(std::uint32_t worker, const char *part /* "features" | "labels" */);
std::string testRole(const char *part);
// The global parameters a round starts from; round == rounds: the final ones.
std::string parametersRole(std::uint32_t run, std::uint32_t round);
std::string stateRole(std::uint32_t run, std::uint32_t round);
std::string velocityRole(std::uint32_t run);
std::string confusionRole(std::uint32_t run);

// The engine's model and optimiser for a spec's model and run.
engine::training::MlpConfig mlpConfigOf(const v1::MlpSpec &model);
engine::training::OptimizerAttributes optimizerOf(const v1::OptimizerSpec &optimizer);

} // namespace tributary::coordinator
