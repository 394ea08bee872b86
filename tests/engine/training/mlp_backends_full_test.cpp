// The full Fashion-MNIST training on the CPU and on every other available backend: the
// final digest must equal the CPU's and every backend must reach 85% test accuracy.

#include "tests/engine/op_check.h"
#include "tests/engine/training/training_setup.h"

#include <chrono>

using namespace tributary::engine;
using namespace tributary::engine::training;

class MlpBackendsFullTest : public QObject {
    Q_OBJECT

private slots:
    void fullTrainingOnEveryBackend()
    {
        tributary::engine::test::useLavapipeIfUnset();
        Dataset train, test;
        Status s = loadFashionMnist("train", &train);
        QVERIFY2(s, s.message().c_str());
        s = loadFashionMnist("t10k", &test);
        QVERIFY2(s, s.message().c_str());

        const TrainConfig config = training::test::fashionConfig();
        Engine engine;
        auto backends = training::test::openAllBackends(engine);
        QVERIFY(!backends.empty());
        QCOMPARE(backends.front()->device().backend, BackendKind::Cpu);
        if (backends.size() == 1)
            QSKIP("no backend other than the CPU is available");

        std::string cpuDigest;
        for (auto &backend : backends) {
            const std::string id = backend->device().id;
            Trainer trainer(*backend);
            trainer.setEpochCallback([&](const EpochStats &e) { training::test::printEpoch(id, e); });
            TrainResult result;
            const auto start = std::chrono::steady_clock::now();
            s = trainer.train(train, &test, config, &result);
            const double seconds
                = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            QVERIFY2(s, (id + ": " + s.message()).c_str());
            const double accuracy = result.epochs.back().testAccuracy;
            qInfo("%s (%s): %lld steps in %.1f s, test accuracy %.4f, digest %s", id.c_str(),
                backend->device().name.c_str(), static_cast<long long>(result.steps), seconds, accuracy,
                result.digest.c_str());
            QVERIFY2(accuracy >= 0.85, (id + ": accuracy " + std::to_string(accuracy)).c_str());
            if (cpuDigest.empty()) {
                cpuDigest = result.digest;
                continue;
            }
            QVERIFY2(result.digest == cpuDigest,
                (id + " digest " + result.digest + " differs from the CPU's " + cpuDigest).c_str());
        }
    }
};

// QtTest's watchdog stops a test function after 300 s by default; the lavapipe run takes
// about 5 minutes, so allow 30 unless the caller chose otherwise (ctest sets it too).
int main(int argc, char **argv)
{
    if (!qEnvironmentVariableIsSet("QTEST_FUNCTION_TIMEOUT"))
        qputenv("QTEST_FUNCTION_TIMEOUT", "1800000");
    QCoreApplication app(argc, argv);
    MlpBackendsFullTest test;
    return QTest::qExec(&test, argc, argv);
}
#include "mlp_backends_full_test.moc"
