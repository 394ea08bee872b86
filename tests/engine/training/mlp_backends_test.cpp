// The same training (config, seed, data order) for a fixed number of steps on a subset,
// on every available backend: the final parameter digests must equal the CPU's bit for
// bit. Short enough for lavapipe, whose exact GEMM uses an emulated fma.

#include "tests/engine/op_check.h"
#include "tests/engine/training/training_setup.h"

using namespace tributary::engine;
using namespace tributary::engine::training;

class MlpBackendsTest : public QObject {
    Q_OBJECT

private slots:
    void sameDigestOnEveryBackend()
    {
        tributary::engine::test::useLavapipeIfUnset();
        Dataset train;
        Status s = loadFashionMnist("train", &train);
        QVERIFY2(s, s.message().c_str());

        TrainConfig config = training::test::fashionConfig();
        config.trainLimit = 2000;
        config.maxSteps = 30; // 20 steps of epoch 1 and 10 of epoch 2: the reshuffle is covered

        training::test::expectSameDigestOnEveryBackend(train, config, "sgd");
    }
};

QTEST_GUILESS_MAIN(MlpBackendsTest)
#include "mlp_backends_test.moc"
