// trainSteps on the CPU backend, on the first 1000 Fashion-MNIST test images with a small
// model (784 → 32 → 10, batch 50: 20 steps per epoch): a run split in two with the state
// carried gives the bits of the whole run, the Trainer's run gives the same bits, the loss
// goes down, and bad shapes are refused by name.

#include "engine/engine.h"
#include "engine/training/train_steps.h"
#include "engine/training/trainer.h"

#include <QTest>

#include <algorithm>
#include <cstring>

using namespace tributary::engine;
using namespace tributary::engine::training;

namespace {

constexpr std::int64_t kExamples = 1000;
constexpr std::int64_t kBatch = 50;
constexpr std::uint64_t kShuffleSeed = 11;

MlpConfig smallModel()
{
    MlpConfig model;
    model.hidden = { 32 };
    model.seed = 3;
    return model;
}

const SgdAttributes kSgd { 0.05f, 0.9f, 0.0f, false };
const AdamWAttributes kAdamW { 2e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, 1 };

Dataset firstExamples(const Dataset &all, std::int64_t count)
{
    Dataset out;
    out.images = HostTensor::zeros(DType::F32, { count, all.features() });
    out.labels = HostTensor::zeros(DType::I64, { count });
    std::memcpy(out.images.data.data(), all.images.data.data(), out.images.data.size());
    std::memcpy(out.labels.data.data(), all.labels.data.data(), out.labels.data.size());
    return out;
}

bool mentions(const Status &s, const std::string &text)
{
    return !s && s.message().find(text) != std::string::npos;
}

} // namespace

class TrainStepsTest : public QObject {
    Q_OBJECT

private slots:
    void initTestCase()
    {
        Dataset test;
        const Status s = loadFashionMnist("t10k", &test);
        QVERIFY2(s, s.message().c_str());
        m_shard = firstExamples(test, kExamples);
        std::string error;
        m_cpu = m_engine.open(m_engine.devices().front().id, &error);
        QVERIFY2(m_cpu, error.c_str());
        QCOMPARE(m_cpu->device().backend, BackendKind::Cpu);
    }

    void splitRunEqualsWholeRun_data()
    {
        QTest::addColumn<bool>("adamW");
        QTest::newRow("sgd") << false;
        QTest::newRow("adamw") << true;
    }

    // 0..30 in one call against 0..13 then 13..30 with the state carried: the range
    // crosses the epoch boundary at step 20, so the reshuffle is covered too.
    void splitRunEqualsWholeRun()
    {
        QFETCH(bool, adamW);
        const MlpConfig model = smallModel();
        const OptimizerAttributes optimizer = adamW ? OptimizerAttributes(kAdamW) : OptimizerAttributes(kSgd);

        std::vector<HostTensor> whole = initialParameters(model), wholeState;
        double wholeLoss = 0;
        Status s = trainSteps(*m_cpu, model, optimizer, kBatch, kShuffleSeed, m_shard, { 0, 30 }, &whole,
            &wholeState, &wholeLoss);
        QVERIFY2(s, s.message().c_str());
        QCOMPARE(wholeState.size(), optimizerStateSlots(optimizer) * whole.size());

        std::vector<HostTensor> split = initialParameters(model), splitState;
        double firstLoss = 0, secondLoss = 0;
        s = trainSteps(*m_cpu, model, optimizer, kBatch, kShuffleSeed, m_shard, { 0, 13 }, &split, &splitState,
            &firstLoss);
        QVERIFY2(s, s.message().c_str());
        QVERIFY(parameterDigest(split) != parameterDigest(whole));
        s = trainSteps(*m_cpu, model, optimizer, kBatch, kShuffleSeed, m_shard, { 13, 17 }, &split, &splitState,
            &secondLoss);
        QVERIFY2(s, s.message().c_str());

        QCOMPARE(parameterDigest(split), parameterDigest(whole));
        QCOMPARE(parameterDigest(splitState), parameterDigest(wholeState));
        // The mean of the halves' means, weighted by their steps, is the whole run's mean.
        QVERIFY(qAbs((firstLoss * 13 + secondLoss * 17) / 30 - wholeLoss) < 1e-9);
    }

    void matchesTrainer_data()
    {
        QTest::addColumn<bool>("adamW");
        QTest::newRow("sgd") << false;
        QTest::newRow("adamw") << true;
    }

    // Trainer shuffles epoch e with shuffleSeed + e and drops the trailing partial batch,
    // the rule trainSteps follows, so its first n steps are trainSteps' 0..n from the
    // initial parameters and a zero state (45 steps: into the third epoch).
    void matchesTrainer()
    {
        QFETCH(bool, adamW);
        TrainConfig config;
        config.model = smallModel();
        config.epochs = 10;
        config.batchSize = kBatch;
        config.optimizer = adamW ? Optimizer::AdamW : Optimizer::SgdMomentum;
        config.sgd = kSgd;
        config.adamW = kAdamW;
        config.shuffleSeed = kShuffleSeed;
        config.maxSteps = 45;
        Trainer trainer(*m_cpu);
        TrainResult result;
        Status s = trainer.train(m_shard, nullptr, config, &result);
        QVERIFY2(s, s.message().c_str());
        QCOMPARE(result.steps, 45);

        const OptimizerAttributes optimizer = adamW ? OptimizerAttributes(kAdamW) : OptimizerAttributes(kSgd);
        std::vector<HostTensor> params = initialParameters(config.model), state;
        s = trainSteps(*m_cpu, config.model, optimizer, kBatch, kShuffleSeed, m_shard, { 0, 45 }, &params, &state,
            nullptr);
        QVERIFY2(s, s.message().c_str());
        QCOMPARE(parameterDigest(params), result.digest);

        // A different shuffle seed takes other batches and so other bits.
        std::vector<HostTensor> other = initialParameters(config.model), otherState;
        s = trainSteps(*m_cpu, config.model, optimizer, kBatch, kShuffleSeed + 1, m_shard, { 0, 45 }, &other,
            &otherState, nullptr);
        QVERIFY2(s, s.message().c_str());
        QVERIFY(parameterDigest(other) != result.digest);
    }

    void lossGoesDown()
    {
        const MlpConfig model = smallModel();
        std::vector<HostTensor> params = initialParameters(model), state;
        double firstLoss = 0, middleLoss = 0, lastLoss = 0;
        Status s = trainSteps(*m_cpu, model, kSgd, kBatch, kShuffleSeed, m_shard, { 0, 10 }, &params, &state,
            &firstLoss);
        QVERIFY2(s, s.message().c_str());
        s = trainSteps(*m_cpu, model, kSgd, kBatch, kShuffleSeed, m_shard, { 10, 80 }, &params, &state,
            &middleLoss);
        QVERIFY2(s, s.message().c_str());
        s = trainSteps(*m_cpu, model, kSgd, kBatch, kShuffleSeed, m_shard, { 90, 10 }, &params, &state,
            &lastLoss);
        QVERIFY2(s, s.message().c_str());
        qInfo("mean loss: steps 0-9 %.4f, 90-99 %.4f", firstLoss, lastLoss);
        QVERIFY2(lastLoss < 0.7 * firstLoss, qPrintable(QString("%1 -> %2").arg(firstLoss).arg(lastLoss)));
    }

    void refusesBadShapes()
    {
        const MlpConfig model = smallModel();
        const std::vector<HostTensor> good = initialParameters(model);
        const std::string goodDigest = parameterDigest(good);
        std::vector<HostTensor> params, state;
        auto run = [&](std::int64_t batch, const Dataset &shard, StepRange range, const OptimizerAttributes &opt) {
            return trainSteps(*m_cpu, model, opt, batch, kShuffleSeed, shard, range, &params, &state, nullptr);
        };

        // b0 has 32 values; give it W1's last dimension instead.
        params = good;
        params[1] = HostTensor::zeros(DType::F32, { 10 });
        Status s = run(kBatch, m_shard, { 0, 1 }, kSgd);
        QVERIFY2(mentions(s, "trainSteps: parameter 1 (b0) has shape [10] but the model needs [32]"),
            s.message().c_str());

        params = good;
        params.pop_back();
        s = run(kBatch, m_shard, { 0, 1 }, kSgd);
        QVERIFY2(mentions(s, "got 3 parameters but the model has 4"), s.message().c_str());

        params = good;
        state = zerosLike(good); // one slot: right for SGD, half of AdamW's
        s = run(kBatch, m_shard, { 0, 1 }, kAdamW);
        QVERIFY2(mentions(s, "got 4 state tensors but the optimiser needs 2 × 4 = 8"), s.message().c_str());
        QCOMPARE(parameterDigest(params), goodDigest); // untouched on failure

        state = zerosLike(good);
        state[2] = HostTensor::zeros(DType::F32, { 32, 11 });
        s = run(kBatch, m_shard, { 0, 1 }, kSgd);
        QVERIFY2(mentions(s, "state tensor 2 (slot 0, W1) has shape [32, 11] but the model needs [32, 10]"),
            s.message().c_str());

        state.clear();
        s = run(0, m_shard, { 0, 1 }, kSgd);
        QVERIFY2(mentions(s, "batch size 0 does not fit the shard's 1000 examples"), s.message().c_str());
        s = run(kExamples + 1, m_shard, { 0, 1 }, kSgd);
        QVERIFY2(mentions(s, "batch size 1001 does not fit"), s.message().c_str());

        s = run(kBatch, m_shard, { 0, 0 }, kSgd);
        QVERIFY2(mentions(s, "step range"), s.message().c_str());
        s = run(kBatch, m_shard, { -1, 5 }, kSgd);
        QVERIFY2(mentions(s, "starts before step 0"), s.message().c_str());

        Dataset narrow;
        narrow.images = HostTensor::zeros(DType::F32, { 100, 10 });
        narrow.labels = HostTensor::zeros(DType::I64, { 100 });
        s = run(kBatch, narrow, { 0, 1 }, kSgd);
        QVERIFY2(mentions(s, "the shard has 10 features but the model takes 784"), s.message().c_str());

        Dataset badLabel = firstExamples(m_shard, 100);
        badLabel.labels.i64()[7] = 10;
        s = run(kBatch, badLabel, { 0, 1 }, kSgd);
        QVERIFY2(mentions(s, "label 10 of example 7 is outside the model's 10 classes"), s.message().c_str());

        QCOMPARE(parameterDigest(params), goodDigest);
        QVERIFY(state.empty());
    }

private:
    Engine m_engine { {}, SelfTest::Skip };
    std::unique_ptr<Backend> m_cpu;
    Dataset m_shard;
};

QTEST_GUILESS_MAIN(TrainStepsTest)
#include "train_steps_test.moc"
