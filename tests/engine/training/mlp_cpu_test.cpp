// Trains the Fashion-MNIST MLP on the CPU backend and asserts ≥ 85% test accuracy.

#include "tests/engine/training/training_setup.h"

#include <chrono>

using namespace tributary::engine;
using namespace tributary::engine::training;

class MlpCpuTest : public QObject {
    Q_OBJECT

private slots:
    void trainsToEightyFivePercent()
    {
        Dataset train, test;
        Status s = loadFashionMnist("train", &train);
        QVERIFY2(s, s.message().c_str());
        s = loadFashionMnist("t10k", &test);
        QVERIFY2(s, s.message().c_str());

        Engine engine;
        std::string error;
        auto cpu = engine.open(engine.devices().front().id, &error);
        QVERIFY2(cpu, error.c_str());
        QCOMPARE(cpu->device().backend, BackendKind::Cpu);

        const TrainConfig config = training::test::fashionConfig();
        Trainer trainer(*cpu);
        trainer.setEpochCallback(
            [&](const EpochStats &e) { training::test::printEpoch(cpu->device().id, e); });
        TrainResult result;
        const auto start = std::chrono::steady_clock::now();
        s = trainer.train(train, &test, config, &result);
        const double seconds
            = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        QVERIFY2(s, s.message().c_str());
        QCOMPARE(int(result.epochs.size()), config.epochs);
        const double accuracy = result.epochs.back().testAccuracy;
        qInfo("cpu: %lld steps in %.1f s (evaluation included), test accuracy %.4f, digest %s",
            static_cast<long long>(result.steps), seconds, accuracy, result.digest.c_str());
        QVERIFY2(accuracy >= 0.85, qPrintable(QString::number(accuracy)));
        // The loss went down from the first epoch to the last.
        QVERIFY(result.epochs.back().meanLoss < result.epochs.front().meanLoss);
    }
};

QTEST_GUILESS_MAIN(MlpCpuTest)
#include "mlp_cpu_test.moc"
