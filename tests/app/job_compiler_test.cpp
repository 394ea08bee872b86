// The studio's compiler and estimate: the graph templates compile to the TrainJobSpec and
// InferenceJobSpec the coordinator expects, and the estimate follows the pricing formulas.
#include "app/studio/cost_estimate.h"
#include "app/studio/job_compiler.h"
#include "app/studio/job_graph.h"

#include "coordinator/ledger/pricing.h"

#include <QFile>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

using namespace tributary;
using namespace tributary::studio;

namespace {

// Σ rows × columns of 784 → 256 → 10: the multiply-adds of one example's forward pass.
constexpr quint64 kMultiplyAdds = 784 * 256 + 256 * 10;
constexpr quint64 kParameters = 784 * 256 + 256 + 256 * 10 + 10;

// Fashion-MNIST → MLP → <workload>, with the test split connected.
struct Chain {
    QString dataset, mlp, workload;
};

Chain buildChain(JobGraph &graph, const QString &workloadKind)
{
    Chain ids;
    ids.dataset = graph.addNode("dataset", QPointF(0, 0));
    ids.mlp = graph.addNode("mlp", QPointF(0, 200));
    ids.workload = graph.addNode(workloadKind, QPointF(300, 100));
    [&] {
        QVERIFY(graph.connectPorts(ids.dataset, "train", ids.workload, "train"));
        QVERIFY(graph.connectPorts(ids.dataset, "test", ids.workload, "test"));
        QVERIFY(graph.connectPorts(ids.mlp, "model", ids.workload, "model"));
    }();
    return ids;
}

CompiledJob compileOk(const JobGraph &graph, const CompileOptions &options = {})
{
    const CompiledJob job = compileJob(graph, options);
    [&] { QVERIFY2(job.ok(), qPrintable(job.error)); }();
    return job;
}

QStringList labels(const v1::TrainJobSpec &train)
{
    QStringList found;
    for (const v1::TrainRunSpec &run : train.runs())
        found.append(QString::fromStdString(run.label()));
    return found;
}

} // namespace

class JobCompilerTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void trainThenEvaluate();
    void gridSweep();
    void distributedTrain();
    void randomSweepIsDeterministic();
    void fileDatasetsProduceUploads();
    void exportsNameTheirStage();
    void errorsPreventCompiling();
    void estimateFollowsTheFormulas();
    void longerRoundsMoveFewerParameters();
};

void JobCompilerTest::trainThenEvaluate()
{
    JobGraph graph;
    graph.setName("baseline");
    const Chain ids = buildChain(graph, "train");
    const QString evaluate = graph.addNode("evaluate", QPointF(600, 100));
    // Added before the training node's edge exists; the order still follows the dependency.
    QVERIFY(graph.connectPorts(ids.dataset, "test", evaluate, "data"));
    QVERIFY(graph.connectPorts(ids.workload, "model", evaluate, "model"));
    // Move evaluate before train in node order: the stages must still be train, evaluate.
    const NodeSnapshot snapshot = graph.removeNode(ids.workload);
    QVERIFY(graph.restoreNode(NodeSnapshot { snapshot.node, snapshot.edges, graph.nodes().size() }));

    CompileOptions options;
    options.verification.mutable_replicate()->set_k(3);
    options.mode = v1::EXECUTION_MODE_FAST;
    const CompiledJob job = compileOk(graph, options);
    QCOMPARE(job.stages.size(), 2);
    QVERIFY(job.uploads.isEmpty());

    const CompiledStage &trainStage = job.stages[0];
    QCOMPARE(trainStage.nodeId, ids.workload);
    QCOMPARE(trainStage.dependsOnStage, -1);
    QCOMPARE(trainStage.modelNodeId, ids.mlp);
    const v1::JobSpec &spec = trainStage.spec;
    QCOMPARE(spec.kind_case(), v1::JobSpec::kTrain);
    QCOMPARE(QString::fromStdString(spec.name()), QString("baseline — Train"));
    QCOMPARE(spec.verification().replicate().k(), 3u);
    QCOMPARE(spec.mode(), v1::EXECUTION_MODE_FAST);
    const v1::TrainJobSpec &train = spec.train();
    QCOMPARE(train.train().builtin(), std::string("fashion-mnist"));
    QCOMPARE(train.test().builtin(), std::string("fashion-mnist-test"));
    QCOMPARE(train.train().limit(), 0u);
    QCOMPARE(train.model().inputs(), 784u);
    QCOMPARE(train.model().hidden_size(), 1);
    QCOMPARE(train.model().hidden(0), 256u);
    QCOMPARE(train.model().classes(), 10u);
    QCOMPARE(train.model().seed(), 1u);
    QCOMPARE(train.runs_size(), 1);
    QCOMPARE(train.runs(0).label(), std::string("sgd lr=0.05 batch=64"));
    QCOMPARE(train.runs(0).optimizer().kind(), v1::OptimizerSpec::KIND_SGD_MOMENTUM);
    QCOMPARE(train.runs(0).optimizer().learning_rate(), 0.05f);
    QCOMPARE(train.runs(0).optimizer().momentum(), 0.9f);
    QCOMPARE(train.runs(0).batch_size(), 64u);
    QCOMPARE(train.runs(0).shuffle_seed(), 7u);
    QCOMPARE(train.workers(), 1u);
    QCOMPARE(train.local_steps(), 200u);
    QCOMPARE(train.steps(), 1000u);
    QCOMPARE(train.outer().kind(), v1::OuterOptimizerSpec::KIND_AVERAGE);
    QCOMPARE(train.eval_every_rounds(), 0u);

    const CompiledStage &evalStage = job.stages[1];
    QCOMPARE(evalStage.nodeId, evaluate);
    QCOMPARE(evalStage.dependsOnStage, 0);
    QCOMPARE(evalStage.spec.kind_case(), v1::JobSpec::kInference);
    QCOMPARE(evalStage.spec.inference().data().builtin(), std::string("fashion-mnist-test"));
    QCOMPARE(evalStage.spec.inference().model().inputs(), 784u);
    QCOMPARE(evalStage.spec.inference().shards(), 1u);
    QVERIFY(evalStage.spec.inference().parameters().sha256().empty()); // the launcher fills it in
}

void JobCompilerTest::gridSweep()
{
    JobGraph graph;
    const Chain ids = buildChain(graph, "sweep");
    graph.setParameter(ids.workload, "optimizers", "adamw");
    graph.setParameter(ids.workload, "learningRates", "0.001,0.01,0.1");
    graph.setParameter(ids.workload, "batchSizes", "32,64");
    graph.setParameter(ids.workload, "seed", 11);
    graph.setParameter(ids.workload, "weightDecay", 0.01);
    CompileOptions options;
    options.jobName = "sweep";
    const CompiledJob job = compileOk(graph, options);
    QCOMPARE(job.stages.size(), 1);
    QCOMPARE(QString::fromStdString(job.stages[0].spec.name()), QString("sweep"));
    const v1::TrainJobSpec &train = job.stages[0].spec.train();
    QCOMPARE(train.runs_size(), 6);
    QCOMPARE(labels(train),
        QStringList({ "adamw lr=0.001 batch=32", "adamw lr=0.001 batch=64", "adamw lr=0.01 batch=32",
            "adamw lr=0.01 batch=64", "adamw lr=0.1 batch=32", "adamw lr=0.1 batch=64" }));
    for (const v1::TrainRunSpec &run : train.runs()) {
        QCOMPARE(run.optimizer().kind(), v1::OptimizerSpec::KIND_ADAMW);
        QCOMPARE(run.optimizer().weight_decay(), 0.01f);
        QCOMPARE(run.shuffle_seed(), 11u);
    }
    QCOMPARE(train.runs(3).optimizer().learning_rate(), 0.01f);
    QCOMPARE(train.runs(3).batch_size(), 64u);
    QCOMPARE(train.workers(), 1u);
    QCOMPARE(train.local_steps(), 200u);
}

void JobCompilerTest::distributedTrain()
{
    JobGraph graph;
    const Chain ids = buildChain(graph, "distributed-train");
    graph.setParameter(ids.dataset, "limit", 20000);
    const CompiledJob job = compileOk(graph);
    QCOMPARE(job.stages.size(), 1);
    const v1::TrainJobSpec &train = job.stages[0].spec.train();
    QCOMPARE(train.workers(), 8u);
    QCOMPARE(train.local_steps(), 100u);
    QCOMPARE(train.steps(), 1000u);
    QCOMPARE(train.runs_size(), 1);
    QCOMPARE(train.outer().kind(), v1::OuterOptimizerSpec::KIND_NESTEROV);
    QCOMPARE(train.outer().learning_rate(), 0.7f);
    QCOMPARE(train.outer().momentum(), 0.9f);
    QCOMPARE(train.train().limit(), 20000u);
    QCOMPARE(job.stages[0].spec.verification().policy_case(), v1::Verification::POLICY_NOT_SET); // replicate(2)

    graph.setParameter(ids.workload, "outer", "average");
    QCOMPARE(compileOk(graph).stages[0].spec.train().outer().kind(), v1::OuterOptimizerSpec::KIND_AVERAGE);
}

void JobCompilerTest::randomSweepIsDeterministic()
{
    JobGraph graph;
    const Chain ids = buildChain(graph, "sweep");
    graph.setParameter(ids.workload, "strategy", "random");
    graph.setParameter(ids.workload, "optimizers", "sgd,adamw");
    graph.setParameter(ids.workload, "learningRates", "0.001,0.003,0.01,0.03,0.1");
    graph.setParameter(ids.workload, "batchSizes", "32,64,128");
    graph.setParameter(ids.workload, "samples", 10);
    graph.setParameter(ids.workload, "seed", 42);
    const QStringList first = labels(compileOk(graph).stages[0].spec.train());
    QCOMPARE(first.size(), 10);
    QCOMPARE(labels(compileOk(graph).stages[0].spec.train()), first);
    // Every drawn configuration comes from the lists, and the draw is not degenerate.
    QSet<QString> distinct(first.cbegin(), first.cend());
    QVERIFY(distinct.size() > 3);
    for (const SweepConfiguration &config : sweepConfigurations(*graph.node(ids.workload))) {
        QVERIFY(config.optimizer == "sgd" || config.optimizer == "adamw");
        QVERIFY(QList<quint32>({ 32, 64, 128 }).contains(config.batchSize));
    }
    graph.setParameter(ids.workload, "seed", 43);
    QVERIFY(labels(compileOk(graph).stages[0].spec.train()) != first);
}

void JobCompilerTest::fileDatasetsProduceUploads()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString csv = dir.filePath("iris.csv");
    QFile file(csv);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("0,5.1,3.5,1.4,0.2\n");
    file.close();

    JobGraph graph;
    const Chain ids = buildChain(graph, "train");
    graph.setParameter(ids.dataset, "source", "csv");
    graph.setParameter(ids.dataset, "csvPath", csv);
    graph.setParameter(ids.mlp, "classes", 3);
    const QString inference = graph.addNode("batch-inference", QPointF());
    QVERIFY(graph.connectPorts(ids.workload, "model", inference, "model"));
    QVERIFY(graph.connectPorts(ids.dataset, "test", inference, "data"));
    const CompiledJob job = compileOk(graph);
    QCOMPARE(job.stages.size(), 2);
    const v1::TrainJobSpec &train = job.stages[0].spec.train();
    QCOMPARE(train.train().source_case(), v1::DatasetSpec::kTensors);
    QCOMPARE(train.test().source_case(), v1::DatasetSpec::kTensors);
    QVERIFY(train.train().tensors().features().sha256().empty());
    QCOMPARE(train.model().inputs(), 0u); // the launcher sets it once the file is loaded
    QCOMPARE(train.model().classes(), 3u);
    QCOMPARE(job.stages[1].spec.inference().shards(), 4u);
    QCOMPARE(job.stages[1].dependsOnStage, 0);

    QCOMPARE(job.uploads.size(), 3);
    QCOMPARE(job.uploads[0].stage, 0);
    QCOMPARE(job.uploads[0].role, QString("train"));
    QCOMPARE(job.uploads[0].datasetNodeId, ids.dataset);
    QCOMPARE(job.uploads[0].split, QString("train"));
    QCOMPARE(job.uploads[1].role, QString("test"));
    QCOMPARE(job.uploads[1].split, QString("test"));
    QCOMPARE(job.uploads[2].stage, 1);
    QCOMPARE(job.uploads[2].role, QString("data"));
    QCOMPARE(job.uploads[2].split, QString("test"));

    // Sized only once loaded: the estimate says so rather than guessing.
    const CostEstimate estimate = estimateCost(job, EstimateOptions {});
    QVERIFY(!estimate.complete);
    QCOMPARE(estimate.flops, 0u);
}

void JobCompilerTest::exportsNameTheirStage()
{
    JobGraph graph;
    const Chain ids = buildChain(graph, "train");
    const QString inference = graph.addNode("batch-inference", QPointF());
    QVERIFY(graph.connectPorts(ids.workload, "model", inference, "model"));
    QVERIFY(graph.connectPorts(ids.dataset, "test", inference, "data"));
    const QString predictions = graph.addNode("export", QPointF());
    graph.setParameter(predictions, "format", "npy");
    graph.setParameter(predictions, "path", "/tmp/predictions.npy");
    QVERIFY(graph.connectPorts(inference, "predictions", predictions, "value"));
    const QString metrics = graph.addNode("export", QPointF());
    QVERIFY(graph.connectPorts(ids.workload, "metrics", metrics, "value"));
    const CompiledJob job = compileOk(graph);
    QCOMPARE(job.exports.size(), 2);
    QCOMPARE(job.exports[0].exportNodeId, predictions);
    QCOMPARE(job.exports[0].format, QString("npy"));
    QCOMPARE(job.exports[0].path, QString("/tmp/predictions.npy"));
    QCOMPARE(job.exports[0].stage, 1);
    QCOMPARE(job.exports[0].port, QString("predictions"));
    QCOMPARE(job.exports[0].type, PortType::Tensor);
    QCOMPARE(job.exports[1].stage, 0);
    QCOMPARE(job.exports[1].type, PortType::Metrics);
}

void JobCompilerTest::errorsPreventCompiling()
{
    JobGraph graph;
    const Chain ids = buildChain(graph, "train");
    graph.setParameter(ids.workload, "steps", 0);
    CompiledJob job = compileJob(graph, {});
    QVERIFY(!job.ok());
    QVERIFY(job.stages.isEmpty());
    QVERIFY2(job.error.contains("n3 (Train): Steps (steps) is 0"), qPrintable(job.error));

    // Training from another stage's trained model cannot be expressed as a TrainJobSpec.
    graph.setParameter(ids.workload, "steps", 100);
    const QString second = graph.addNode("train", QPointF());
    QVERIFY(graph.connectPorts(ids.workload, "model", second, "model"));
    QVERIFY(graph.connectPorts(ids.dataset, "train", second, "train"));
    job = compileJob(graph, {});
    QVERIFY(!job.ok());
    QVERIFY2(job.error.contains("not supported"), qPrintable(job.error));
    QVERIFY(job.stages.isEmpty());
}

void JobCompilerTest::estimateFollowsTheFormulas()
{
    JobGraph graph;
    const Chain ids = buildChain(graph, "sweep");
    graph.setParameter(ids.workload, "learningRates", "0.01,0.1");
    graph.setParameter(ids.workload, "batchSizes", "32,64");
    graph.setParameter(ids.workload, "steps", 450);
    graph.setParameter(ids.workload, "checkpointEvery", 200); // rounds of 200, 200, 50
    const QString evaluate = graph.addNode("evaluate", QPointF());
    QVERIFY(graph.connectPorts(ids.workload, "model", evaluate, "model"));
    QVERIFY(graph.connectPorts(ids.dataset, "test", evaluate, "data"));
    CompileOptions options;
    options.verification.mutable_spot_check()->set_p(0.25);
    const CompiledJob job = compileOk(graph, options);

    EstimateOptions inputs;
    inputs.deviceFlopsPerSecond = 1e9;
    inputs.devices = 2;
    inputs.roundLatencySeconds = 0.5;
    const CostEstimate estimate = estimateCost(job, inputs);
    QVERIFY(estimate.complete);
    QCOMPARE(estimate.stages.size(), 2);

    // Training: runs × workers × steps × 6 · batch · Σ rows·columns.
    const StageEstimate &sweep = estimate.stages[0];
    const quint64 step32 = 6 * 32 * kMultiplyAdds;
    const quint64 step64 = 6 * 64 * kMultiplyAdds;
    QCOMPARE(sweep.flops, 2 * 450 * step32 + 2 * 450 * step64);
    QCOMPARE(sweep.expectedRuns, 1.25);
    QCOMPARE(sweep.rounds, 3u);
    QCOMPARE(sweep.tasks, 4u * 3u);
    using coordinator::unitsForFlops;
    const qint64 oneRun = 2 * (2 * unitsForFlops(200 * step32) + unitsForFlops(50 * step32))
        + 2 * (2 * unitsForFlops(200 * step64) + unitsForFlops(50 * step64));
    QCOMPARE(sweep.costUnits, qint64(std::ceil(oneRun * 1.25)));
    QCOMPARE(sweep.credits, double(sweep.costUnits) / double(coordinator::kUnitsPerCredit));
    // 4 runs in parallel on min(4, 2) devices, 3 rounds of latency.
    QVERIFY(qAbs(sweep.seconds - (double(sweep.flops) * 1.25 / 1e9 / 2 + 3 * 0.5)) < 1e-9);
    QCOMPARE(sweep.parameterBytes, 2 * kParameters * 4 * 1 * 3 * 4);

    // Evaluation: the forward pass over the 10000 test examples, one task.
    const StageEstimate &eval = estimate.stages[1];
    QCOMPARE(eval.flops, 2 * 10000 * kMultiplyAdds);
    QCOMPARE(eval.costUnits, qint64(std::ceil(unitsForFlops(2 * 10000 * kMultiplyAdds) * 1.25)));
    QCOMPARE(eval.parameterBytes, 0u);

    QCOMPARE(estimate.flops, sweep.flops + eval.flops);
    QCOMPARE(estimate.costUnits, sweep.costUnits + eval.costUnits);
    QCOMPARE(estimate.seconds, sweep.seconds + eval.seconds);

    QCOMPARE(expectedRunsPerTask(v1::Verification()), 2.0);
    v1::Verification verification;
    verification.mutable_replicate()->set_k(3);
    QCOMPARE(expectedRunsPerTask(verification), 3.0);
    verification.mutable_reference();
    QCOMPARE(expectedRunsPerTask(verification), 1.0);
}

void JobCompilerTest::longerRoundsMoveFewerParameters()
{
    JobGraph graph;
    const Chain ids = buildChain(graph, "distributed-train");
    graph.setParameter(ids.workload, "localSteps", 1);
    const CostEstimate everyStep = estimateCost(compileOk(graph), EstimateOptions {});
    graph.setParameter(ids.workload, "localSteps", 100);
    const CostEstimate everyHundred = estimateCost(compileOk(graph), EstimateOptions {});
    QCOMPARE(everyStep.parameterBytes, 2 * kParameters * 4 * 8 * 1000);
    QCOMPARE(everyStep.parameterBytes, 100 * everyHundred.parameterBytes);
    // The same work either way; only the communication (and the rounds' latency) differs.
    QCOMPARE(everyStep.flops, everyHundred.flops);
    QCOMPARE(everyStep.flops, 8 * 1000 * 6 * 64 * kMultiplyAdds);
    QVERIFY(everyStep.seconds > everyHundred.seconds);
}

QTEST_GUILESS_MAIN(JobCompilerTest)
#include "job_compiler_test.moc"
