#pragma once

// What the training tests share: the configuration that reaches 85% on Fashion-MNIST,
// opening every available backend (CPU first), and training on each to compare digests.

#include "engine/engine.h"
#include "engine/training/trainer.h"

#include <QTest>

#include <chrono>
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

// Trains `config` on every backend that opens (CPU first) and checks that each runs
// config.maxSteps steps and ends with the CPU's parameter digest, bit for bit. A QTest
// helper: a failed check ends it and fails the calling test function.
inline void expectSameDigestOnEveryBackend(const Dataset &train, const TrainConfig &config, const char *label)
{
    Engine engine;
    auto backends = openAllBackends(engine);
    QVERIFY(!backends.empty());
    QCOMPARE(backends.front()->device().backend, BackendKind::Cpu);
    if (backends.size() == 1)
        qWarning("only the CPU backend is available: nothing to compare against");

    std::string cpuDigest;
    for (auto &backend : backends) {
        Trainer trainer(*backend);
        TrainResult result;
        const auto start = std::chrono::steady_clock::now();
        const Status s = trainer.train(train, nullptr, config, &result);
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        QVERIFY2(s, (backend->device().id + ": " + s.message()).c_str());
        QCOMPARE(result.steps, config.maxSteps);
        qInfo("%s (%s): %s, %lld steps in %.2f s, loss %.4f -> %.4f, digest %s", backend->device().id.c_str(),
            backend->device().name.c_str(), label, static_cast<long long>(result.steps), seconds,
            result.epochs.front().meanLoss, result.epochs.back().meanLoss, result.digest.c_str());
        if (cpuDigest.empty()) {
            cpuDigest = result.digest;
            continue;
        }
        QVERIFY2(result.digest == cpuDigest,
            (backend->device().id + " digest " + result.digest + " differs from the CPU's " + cpuDigest).c_str());
    }
}

} // namespace tributary::engine::training::test
