// AdamW training (adamWConfig, cut to a few steps) on every available backend: the final
// parameter digests must equal the CPU's bit for bit. The step count crosses an epoch, so
// the per-step bias correction and the reshuffle are both covered.

#include "tests/engine/op_check.h"
#include "tests/engine/training/training_setup.h"

#include <chrono>

using namespace tributary::engine;
using namespace tributary::engine::training;

class AdamWBackendsTest : public QObject {
    Q_OBJECT

private slots:
    void sameDigestOnEveryBackend()
    {
        tributary::engine::test::useLavapipeIfUnset();
        Dataset train;
        Status s = loadFashionMnist("train", &train);
        QVERIFY2(s, s.message().c_str());

        TrainConfig config = training::test::adamWConfig();
        config.trainLimit = 1000;
        config.maxSteps = 15; // 10 steps of epoch 1 and 5 of epoch 2

        Engine engine;
        auto backends = training::test::openAllBackends(engine);
        QVERIFY(!backends.empty());
        QCOMPARE(backends.front()->device().backend, BackendKind::Cpu);
        if (backends.size() == 1)
            qWarning("only the CPU backend is available: nothing to compare against");

        std::string cpuDigest;
        for (auto &backend : backends) {
            Trainer trainer(*backend);
            TrainResult result;
            const auto start = std::chrono::steady_clock::now();
            s = trainer.train(train, nullptr, config, &result);
            const double seconds
                = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            QVERIFY2(s, (backend->device().id + ": " + s.message()).c_str());
            QCOMPARE(result.steps, config.maxSteps);
            qInfo("%s (%s): adamw, %lld steps in %.2f s, loss %.4f -> %.4f, digest %s",
                backend->device().id.c_str(), backend->device().name.c_str(),
                static_cast<long long>(result.steps), seconds, result.epochs.front().meanLoss,
                result.epochs.back().meanLoss, result.digest.c_str());
            if (cpuDigest.empty()) {
                cpuDigest = result.digest;
                continue;
            }
            QVERIFY2(result.digest == cpuDigest,
                (backend->device().id + " digest " + result.digest + " differs from the CPU's " + cpuDigest)
                    .c_str());
        }
    }
};

QTEST_GUILESS_MAIN(AdamWBackendsTest)
#include "adamw_backends_test.moc"
