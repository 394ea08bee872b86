#pragma once

// trainSteps: a stretch of one worker's training, from given parameters and optimiser
// state — what a contributor runs for one round of a training job (tributary.v1
// TrainRoundTask), and what the coordinator re-runs to check one.
//
//   StepRange range { firstStep, steps };
//   std::vector<HostTensor> params = …, state = …;   // state empty: zeros
//   double meanLoss = 0;
//   if (Status s = trainSteps(backend, model, optimizer, batch, shuffleSeed, shard, range,
//           &params, &state, &meanLoss); !s) ...
//
// Data order: with B = ⌊examples / batch⌋ batches per epoch, step s (counted from 0 over
// the worker's whole training) takes batch s mod B of epoch ⌊s / B⌋, whose order is
// shuffledIndices(examples, shuffleSeed + epoch) (shuffle.h). So training 0..n in one call
// gives the same bits as 0..k then k..n with the state carried between the two calls.
// AdamW's step is firstStep + i + 1 when a state is passed in, and i + 1 when the state
// starts at zero (a fresh optimiser).

#include "engine/backend.h"
#include "engine/training/idx_dataset.h"
#include "engine/training/mlp.h"

#include <cstdint>
#include <vector>

namespace tributary::engine::training {

struct StepRange {
    std::int64_t first = 0;
    std::int64_t count = 0;
};

// `parameters` in mlp.h's order, replaced by the trained ones. `state`: the optimiser state
// (optimizerStateSlots(optimizer) × parameters, slot by slot), or empty for zeros; replaced
// by the state after the last step. `meanLoss`: the mean of the steps' losses, summed in
// double in step order. Fails, naming the problem, when a shape does not match the model
// or the batch does not fit the shard.
Status trainSteps(Backend &backend, const MlpConfig &model, const OptimizerAttributes &optimizer,
    std::int64_t batch, std::uint64_t shuffleSeed, const Dataset &shard, StepRange range,
    std::vector<HostTensor> *parameters, std::vector<HostTensor> *state, double *meanLoss);

} // namespace tributary::engine::training
