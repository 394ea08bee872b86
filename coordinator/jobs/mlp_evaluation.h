#pragma once

// evaluateMlp: a trained MLP's accuracy, mean cross-entropy loss and confusion matrix on a
// labelled set, computed on the coordinator's host after a training round. Plain loops in
// a fixed order (float products, double loss), so the same binary always gives the same
// figures; these are reports for the researcher, not results compared across machines.

#include "engine/status.h"
#include "engine/training/mlp.h"

#include <cstdint>
#include <span>
#include <vector>

namespace tributary::coordinator {

struct MlpEvaluation {
    double accuracy = 0;
    double meanLoss = 0;
    std::vector<std::uint32_t> confusion; // classes × classes, row = true class
};

// `parameters`: the model's tensors one after another in layer order (mlp.h). `features`:
// f32 [examples, inputs]; `labels`: i64 [examples].
engine::Status evaluateMlp(const engine::training::MlpConfig &model, std::span<const float> parameters,
    std::span<const float> features, std::span<const std::int64_t> labels, MlpEvaluation *out);

} // namespace tributary::coordinator
