// AdamW training (adamWConfig, cut to a few steps) on every available backend: the final
// parameter digests must equal the CPU's bit for bit. The step count crosses an epoch, so
// the per-step bias correction and the reshuffle are both covered.

#include "tests/engine/op_check.h"
#include "tests/engine/training/training_setup.h"

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

        training::test::expectSameDigestOnEveryBackend(train, config, "adamw");
    }
};

QTEST_GUILESS_MAIN(AdamWBackendsTest)
#include "adamw_backends_test.moc"
