// Training jobs end to end: a real coordinator in this process (loopback gRPC, a temporary
// SQLite file) and two contributors, each its own node on the CPU backend, train an MLP on
// a Fashion-MNIST subset.
//
// - Low-communication data-parallel training (2 workers, H = 20, Nesterov outer step):
//   every round's loss is recorded, the test accuracy after the last, and the final
//   parameters equal, bit for bit, the same rounds computed here with trainSteps and the
//   outer optimizer.
// - A sweep of two configurations on one worker each, checkpointed every 30 steps: each
//   run's parameters equal one uninterrupted trainSteps of all its steps, so the rounds
//   carried the optimizer state correctly.
// - Specs the coordinator refuses, each with a message naming the problem.

#include "app/client/job_client.h"
#include "app/contributor/contributor_runner.h"
#include "coordinator/coordinator.h"
#include "coordinator/jobs/train_layout.h"
#include "coordinator/jobs/train_round.h"
#include "engine/engine.h"
#include "engine/training/outer_optimizer.h"
#include "engine/training/train_steps.h"

#include <QTemporaryDir>
#include <QTest>

using namespace tributary;
namespace training = tributary::engine::training;

namespace {

constexpr std::uint32_t kTrainExamples = 2000;
constexpr std::uint32_t kTestExamples = 1000;

v1::JobSpec baseSpec(const char *name)
{
    v1::JobSpec spec;
    spec.set_name(name);
    spec.mutable_verification()->mutable_reference();
    v1::TrainJobSpec *train = spec.mutable_train();
    train->mutable_train()->set_builtin("fashion-mnist");
    train->mutable_train()->set_limit(kTrainExamples);
    train->mutable_test()->set_builtin("fashion-mnist-test");
    train->mutable_test()->set_limit(kTestExamples);
    v1::MlpSpec *model = train->mutable_model();
    model->set_inputs(784);
    model->add_hidden(32);
    model->set_classes(10);
    model->set_seed(3);
    return spec;
}

v1::TrainRunSpec *addRun(v1::TrainJobSpec *train, v1::OptimizerSpec::Kind kind, float lr, std::uint32_t batch)
{
    v1::TrainRunSpec *run = train->add_runs();
    run->set_label(kind == v1::OptimizerSpec::KIND_ADAMW ? "adamw" : "sgd");
    run->mutable_optimizer()->set_kind(kind);
    run->mutable_optimizer()->set_learning_rate(lr);
    run->mutable_optimizer()->set_momentum(kind == v1::OptimizerSpec::KIND_ADAMW ? 0.0f : 0.9f);
    run->set_batch_size(batch);
    run->set_shuffle_seed(11);
    return run;
}

training::Dataset subset(const char *split, std::int64_t first, std::int64_t count)
{
    training::Dataset full, part;
    if (!training::loadFashionMnist(split, &full))
        return part;
    part.images = engine::HostTensor::zeros(engine::DType::F32, { count, full.features() });
    part.labels = engine::HostTensor::zeros(engine::DType::I64, { count });
    std::copy_n(full.images.f32().begin() + first * full.features(), count * full.features(), part.images.f32().begin());
    std::copy_n(full.labels.i64().begin() + first, count, part.labels.i64().begin());
    return part;
}

} // namespace

class TrainingJobE2eTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void distributedTrainingMatchesLocalRounds();
    void sweepRunsCarryTheirOptimizerState();
    void badSpecsAreRefusedByName();

private:
    QString submit(const v1::JobSpec &spec, QString *error = nullptr);
    bool runUntilDone(const QString &jobId, int timeoutMs);

    QTemporaryDir m_dir;
    std::unique_ptr<coordinator::Coordinator> m_coordinator;
    client::Endpoint m_endpoint;
    std::unique_ptr<engine::Engine> m_engine;
    std::vector<std::unique_ptr<ContributorRunner>> m_nodes;
};

void TrainingJobE2eTest::initTestCase()
{
    QVERIFY(m_dir.isValid());
    coordinator::CoordinatorOptions options;
    options.databasePath = m_dir.filePath(QStringLiteral("coordinator.db")).toStdString();
    options.initialGrantUnits = std::int64_t(1) << 50;
    m_coordinator = std::make_unique<coordinator::Coordinator>(options);
    QVERIFY(m_coordinator->start());
    std::string accountId, token;
    QVERIFY(m_coordinator->createAccount("training-test", false, &accountId, &token));
    m_endpoint = { QString::fromStdString(m_coordinator->address()), QString::fromStdString(token), {} };
    m_engine = std::make_unique<engine::Engine>();
    for (int i = 0; i < 2; ++i) {
        Contributor::Options node;
        node.coordinator = m_endpoint;
        node.deviceId = QStringLiteral("cpu:0");
        node.nodeName = QStringLiteral("trainer-%1").arg(i);
        m_nodes.push_back(std::make_unique<ContributorRunner>(*m_engine, node));
        m_nodes.back()->start();
    }
}

void TrainingJobE2eTest::cleanupTestCase()
{
    m_nodes.clear();
    m_coordinator.reset();
}

QString TrainingJobE2eTest::submit(const v1::JobSpec &spec, QString *error)
{
    client::JobClient jobs(m_endpoint);
    v1::SubmitJobResponse submitted;
    const grpc::Status status = jobs.submitJob(spec, &submitted);
    if (error)
        *error = QString::fromStdString(status.error_message());
    return status.ok() ? QString::fromStdString(submitted.job_id()) : QString();
}

bool TrainingJobE2eTest::runUntilDone(const QString &jobId, int timeoutMs)
{
    client::JobClient jobs(m_endpoint);
    v1::JobStatus status;
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < timeoutMs) {
        if (!jobs.getJob(jobId, &status).ok())
            return false;
        if (status.state() == v1::JOB_STATE_COMPLETED)
            return true;
        if (status.state() == v1::JOB_STATE_FAILED || status.state() == v1::JOB_STATE_CANCELLED) {
            qWarning("job ended: %s", status.message().c_str());
            return false;
        }
        QTest::qWait(50);
    }
    qWarning("job not done: %u of %u tasks", status.tasks_done(), status.tasks_total());
    return false;
}

void TrainingJobE2eTest::distributedTrainingMatchesLocalRounds()
{
    v1::JobSpec spec = baseSpec("diloco");
    v1::TrainJobSpec *train = spec.mutable_train();
    addRun(train, v1::OptimizerSpec::KIND_SGD_MOMENTUM, 0.05f, 32);
    train->set_workers(2);
    train->set_local_steps(20);
    train->set_steps(60);
    train->mutable_outer()->set_kind(v1::OuterOptimizerSpec::KIND_NESTEROV);
    train->mutable_outer()->set_learning_rate(0.7f);
    train->mutable_outer()->set_momentum(0.9f);
    QString error;
    const QString jobId = submit(spec, &error);
    QVERIFY2(!jobId.isEmpty(), qPrintable(error));
    QVERIFY(runUntilDone(jobId, 120000));

    client::JobClient jobs(m_endpoint);
    v1::JobMetrics metrics;
    QVERIFY(jobs.getJobMetrics(jobId, &metrics).ok());
    QCOMPARE(metrics.metrics_size(), 3);
    for (int i = 0; i < 3; ++i) {
        QCOMPARE(metrics.metrics(i).round(), std::uint32_t(i + 1));
        QCOMPARE(metrics.metrics(i).step(), std::uint64_t(20 * (i + 1)));
        QVERIFY(metrics.metrics(i).train_loss() > 0.0f);
    }
    QVERIFY(metrics.metrics(2).train_loss() < metrics.metrics(0).train_loss());
    QVERIFY(metrics.metrics(2).test_accuracy() > 0.5f); // ten classes: chance is 0.1

    v1::JobResult result;
    QVERIFY(jobs.getJobResult(jobId, &result).ok());
    QCOMPARE(result.kind(), std::string("train"));
    QCOMPARE(result.runs_size(), 1);
    QCOMPARE(result.runs(0).confusion_size(), 100);
    std::uint32_t evaluated = 0;
    for (std::uint32_t cell : result.runs(0).confusion())
        evaluated += cell;
    QCOMPARE(evaluated, kTestExamples);
    QCOMPARE(result.runs(0).test_accuracy(), metrics.metrics(2).test_accuracy());

    // The same rounds here: two shards of 1000, 20 steps each from the global parameters,
    // then the Nesterov step.
    const training::MlpConfig model = coordinator::mlpConfigOf(train->model());
    const training::OptimizerAttributes optimizer = coordinator::optimizerOf(train->runs(0).optimizer());
    const training::Dataset shards[2] = { subset("train", 0, 1000), subset("train", 1000, 1000) };
    std::string openError;
    std::unique_ptr<engine::Backend> cpu = m_engine->open("cpu:0", &openError);
    QVERIFY2(cpu, openError.c_str());
    std::vector<engine::HostTensor> globalTensors = training::initialParameters(model);
    std::string globalBytes = coordinator::tensorsBytes(globalTensors);
    std::vector<float> global(globalBytes.size() / sizeof(float)), velocity;
    std::memcpy(global.data(), globalBytes.data(), globalBytes.size());
    const training::OuterOptimizer outer(training::OuterRule::Nesterov, 0.7f, 0.9f);
    for (int round = 0; round < 3; ++round) {
        std::vector<std::vector<float>> workers;
        for (std::uint32_t w = 0; w < 2; ++w) {
            std::vector<engine::HostTensor> params, state;
            const std::string_view bytes(reinterpret_cast<const char *>(global.data()), global.size() * sizeof(float));
            QVERIFY(coordinator::tensorsFromBytes(model, 1, bytes, &params));
            double loss = 0;
            QVERIFY(training::trainSteps(*cpu, model, optimizer, 32, 11 + w, shards[w],
                training::StepRange { 20 * round, 20 }, &params, &state, &loss));
            const std::string trained = coordinator::tensorsBytes(params);
            workers.emplace_back(global.size());
            std::memcpy(workers.back().data(), trained.data(), trained.size());
        }
        std::vector<std::span<const float>> views(workers.begin(), workers.end());
        QVERIFY(outer.step(views, &global, &velocity));
    }
    QCOMPARE(result.runs(0).parameters().size(), global.size() * sizeof(float));
    QVERIFY(std::memcmp(result.runs(0).parameters().data(), global.data(), global.size() * sizeof(float)) == 0);
}

void TrainingJobE2eTest::sweepRunsCarryTheirOptimizerState()
{
    v1::JobSpec spec = baseSpec("sweep");
    v1::TrainJobSpec *train = spec.mutable_train();
    train->clear_test();
    train->mutable_train()->set_limit(600);
    addRun(train, v1::OptimizerSpec::KIND_SGD_MOMENTUM, 0.05f, 20);
    addRun(train, v1::OptimizerSpec::KIND_ADAMW, 0.002f, 20);
    train->set_workers(1);
    train->set_local_steps(30);
    train->set_steps(60); // 2 epochs of 600: the reshuffle falls inside the second round
    const QString jobId = submit(spec);
    QVERIFY(!jobId.isEmpty());
    QVERIFY(runUntilDone(jobId, 120000));
    client::JobClient jobs(m_endpoint);
    v1::JobResult result;
    QVERIFY(jobs.getJobResult(jobId, &result).ok());
    QCOMPARE(result.runs_size(), 2);

    const training::MlpConfig model = coordinator::mlpConfigOf(train->model());
    const training::Dataset data = subset("train", 0, 600);
    std::string openError;
    std::unique_ptr<engine::Backend> cpu = m_engine->open("cpu:0", &openError);
    QVERIFY2(cpu, openError.c_str());
    for (int run = 0; run < 2; ++run) {
        std::vector<engine::HostTensor> params = training::initialParameters(model), state;
        double loss = 0;
        QVERIFY(training::trainSteps(*cpu, model, coordinator::optimizerOf(train->runs(run).optimizer()), 20, 11, data,
            training::StepRange { 0, 60 }, &params, &state, &loss));
        QCOMPARE(result.runs(run).label(), train->runs(run).label());
        QVERIFY2(result.runs(run).parameters() == coordinator::tensorsBytes(params),
            qPrintable(QStringLiteral("run %1's checkpointed rounds differ from one uninterrupted training").arg(run)));
        QCOMPARE(result.runs(run).test_accuracy(), -1.0f);
    }
}

void TrainingJobE2eTest::badSpecsAreRefusedByName()
{
    const auto refusal = [this](const v1::JobSpec &spec) {
        QString error;
        const QString id = submit(spec, &error);
        return id.isEmpty() ? error : QStringLiteral("accepted");
    };
    v1::JobSpec spec = baseSpec("bad");
    addRun(spec.mutable_train(), v1::OptimizerSpec::KIND_SGD_MOMENTUM, 0.05f, 32);
    spec.mutable_train()->set_workers(2);
    spec.mutable_train()->set_local_steps(10);
    spec.mutable_train()->set_steps(10);

    v1::JobSpec spot = spec;
    spot.mutable_verification()->mutable_spot_check()->set_p(0.5);
    QVERIFY(refusal(spot).contains(QStringLiteral("spot_check")));

    v1::JobSpec fast = spec;
    fast.set_mode(v1::EXECUTION_MODE_FAST);
    QVERIFY(refusal(fast).contains(QStringLiteral("exact mode")));

    v1::JobSpec bigBatch = spec;
    bigBatch.mutable_train()->mutable_runs(0)->set_batch_size(1001);
    QVERIFY(refusal(bigBatch).contains(QStringLiteral("runs[0].batch_size")));

    v1::JobSpec wrongInputs = spec;
    wrongInputs.mutable_train()->mutable_model()->set_inputs(100);
    QVERIFY(refusal(wrongInputs).contains(QStringLiteral("784 features")));

    v1::JobSpec unknownData = spec;
    unknownData.mutable_train()->mutable_train()->set_builtin("imagenet");
    QVERIFY(refusal(unknownData).contains(QStringLiteral("imagenet")));

    v1::JobSpec missingBlob = spec;
    v1::TensorDataset *tensors = missingBlob.mutable_train()->mutable_train()->mutable_tensors();
    tensors->set_examples(100);
    tensors->set_feature_count(784);
    tensors->mutable_features()->set_sha256(std::string(64, 'a'));
    tensors->mutable_features()->set_size(100 * 784 * 4);
    tensors->mutable_labels()->set_sha256(std::string(64, 'b'));
    tensors->mutable_labels()->set_size(100 * 8);
    missingBlob.mutable_train()->mutable_runs(0)->set_batch_size(10);
    QVERIFY(refusal(missingBlob).contains(QStringLiteral("upload blob")));

    v1::JobSpec inference;
    inference.mutable_inference()->set_shards(1);
    QVERIFY(refusal(inference).contains(QStringLiteral("inference")));
}

QTEST_GUILESS_MAIN(TrainingJobE2eTest)
#include "training_job_e2e_test.moc"
