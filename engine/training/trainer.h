#pragma once

// Trainer: trains an Mlp (mlp.h) on one backend, with parameters and optimiser state kept
// on the device (Executor::runDevice): each step uploads only its batch and downloads
// only its loss.
//
//   TrainConfig config;                              // model, epochs, batch, optimiser, seeds
//   config.optimizer = Optimizer::AdamW;             // SGD with momentum unless chosen
//   Trainer trainer(*backend);
//   TrainResult result;
//   if (Status s = trainer.train(trainSet, &testSet, config, &result); !s) ...
//   result.digest;                                   // equal on every backend, bit for bit
//
// Data order is a splitmix64 shuffle of the training set per epoch (shuffle.h); a
// trailing partial batch is dropped, so every step has the graph's fixed batch size.

#include "engine/backend.h"
#include "engine/training/idx_dataset.h"
#include "engine/training/mlp.h"

#include <functional>

namespace tributary::engine::training {

// The update rule a Trainer uses; its settings are TrainConfig::sgd or TrainConfig::adamW.
enum class Optimizer {
    SgdMomentum = 1,
    AdamW,
};

struct TrainConfig {
    MlpConfig model;
    int epochs = 2;
    std::int64_t batchSize = 100;
    Optimizer optimizer = Optimizer::SgdMomentum;
    SgdAttributes sgd { 0.05f, 0.9f, 0.0f, false };
    // lr, beta1, beta2, epsilon, weight decay (torch.optim.AdamW's defaults); `step` is
    // ignored: the trainer counts steps from 1 over the whole run.
    AdamWAttributes adamW { 1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, 1 };
    std::uint64_t shuffleSeed = 7; // epoch e uses shuffleSeed + e
    std::int64_t maxSteps = 0; // > 0: stop after this many steps in all
    std::int64_t trainLimit = 0; // > 0: use only the first trainLimit examples
    std::int64_t evalBatchSize = 1000;
};

struct EpochStats {
    int epoch = 0;
    std::int64_t steps = 0;
    double meanLoss = 0.0; // over the epoch's steps (losses downloaded per step)
    double testAccuracy = -1.0; // on the test set after the epoch; -1 when none was given
    double seconds = 0.0; // training time of the epoch, evaluation excluded
};

struct TrainResult {
    std::vector<HostTensor> parameters; // final, in mlp.h's order
    std::vector<EpochStats> epochs;
    std::int64_t steps = 0;
    std::string digest; // parameterDigest(parameters)
};

class Trainer {
public:
    // `backend` must outlive the trainer.
    explicit Trainer(Backend &backend)
        : m_backend(backend)
    {
    }

    // Called after each epoch (progress output in tests and tools); optional.
    void setEpochCallback(std::function<void(const EpochStats &)> callback)
    {
        m_onEpoch = std::move(callback);
    }

    // Trains from initialParameters(config.model). `test` may be null (no evaluation).
    Status train(const Dataset &train, const Dataset *test, const TrainConfig &config, TrainResult *out);

    // Fraction of `data` whose ArgMax prediction equals the label.
    Status evaluate(const MlpConfig &model, const std::vector<Tensor> &parameters, const Dataset &data,
        std::int64_t batchSize, double *accuracy);

private:
    Backend &m_backend;
    std::function<void(const EpochStats &)> m_onEpoch;
};

} // namespace tributary::engine::training
