#pragma once

// What the training tests share: the configuration that reaches 85% on Fashion-MNIST,
// and opening every available backend (CPU first).

#include "engine/engine.h"
#include "engine/training/trainer.h"

#include <QTest>

#include <memory>
#include <vector>

namespace tributary::engine::training::test {

// 784 → 64 → 10, SGD (lr 0.05, momentum 0.9), batch 100, 3 epochs: 86.0% on the test set,
// and small enough for lavapipe's emulated fma in the full cross-backend run.
inline TrainConfig fashionConfig()
{
    TrainConfig config;
    config.model.hidden = { 64 };
    config.model.seed = 1;
    config.epochs = 3;
    config.batchSize = 100;
    config.sgd = SgdAttributes { 0.05f, 0.9f, 0.0f, false };
    config.shuffleSeed = 7;
    return config;
}

// The same model and data order trained with AdamW (lr 2e-3, betas 0.9 / 0.999, eps 1e-8,
// weight decay 0.01) on the first 20000 training examples for 2 epochs (400 steps): about
// a second on the CPU, small enough for a unit test.
inline TrainConfig adamWConfig()
{
    TrainConfig config = fashionConfig();
    config.optimizer = Optimizer::AdamW;
    config.adamW = AdamWAttributes { 2e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, 1 };
    config.epochs = 2;
    config.trainLimit = 20000;
    return config;
}

// Every device that opens, CPU first (Engine lists it first).
inline std::vector<std::unique_ptr<Backend>> openAllBackends(const Engine &engine)
{
    std::vector<std::unique_ptr<Backend>> backends;
    for (const DeviceInfo &d : engine.devices()) {
        if (!d.available)
            continue;
        std::string error;
        if (auto b = engine.open(d.id, &error))
            backends.push_back(std::move(b));
        else
            qWarning("cannot open %s: %s", d.id.c_str(), error.c_str());
    }
    return backends;
}

inline void printEpoch(const std::string &device, const EpochStats &s)
{
    qInfo("%s epoch %d: %lld steps, mean loss %.4f, test accuracy %.4f, %.1f s", device.c_str(), s.epoch,
        static_cast<long long>(s.steps), s.meanLoss, s.testAccuracy, s.seconds);
}

} // namespace tributary::engine::training::test
