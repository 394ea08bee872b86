#include "app/studio/job_compiler.h"

#include "app/studio/graph_validation.h"

#include <QHash>
#include <QSet>

#include <cmath>
#include <cstdint>

namespace tributary::studio {

namespace {

constexpr quint32 kFashionMnistFeatures = 784;
constexpr int kMaxJobName = 200; // the coordinator refuses longer names

std::uint64_t splitmix64(std::uint64_t *state)
{
    std::uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

v1::OptimizerSpec::Kind optimizerKind(const QString &name)
{
    return name == QLatin1String("adamw") ? v1::OptimizerSpec::KIND_ADAMW : v1::OptimizerSpec::KIND_SGD_MOMENTUM;
}

// Workload nodes ordered so that each comes after every node it depends on (Kahn's
// algorithm over all edges, ties broken by the graph's node order so the result is stable).
QStringList dependencyOrder(const JobGraph &graph)
{
    QHash<QString, int> pendingInputs;
    for (const GraphNode &node : graph.nodes())
        pendingInputs.insert(node.id, int(graph.edgesInto(node.id).size()));
    QStringList order;
    QSet<QString> done;
    while (done.size() < graph.nodes().size()) {
        bool progressed = false;
        for (const GraphNode &node : graph.nodes()) {
            if (done.contains(node.id) || pendingInputs.value(node.id) > 0)
                continue;
            done.insert(node.id);
            order.append(node.id);
            for (const GraphEdge &edge : graph.edgesFrom(node.id))
                --pendingInputs[edge.toNode];
            progressed = true;
            break; // restart from the first node, so earlier nodes go first whenever they can
        }
        if (!progressed)
            break; // a cycle; JobGraph never holds one
    }
    QStringList workloads;
    for (const QString &id : std::as_const(order))
        if (isWorkloadKind(graph.node(id)->kind))
            workloads.append(id);
    return workloads;
}

class Compiler {
public:
    Compiler(const JobGraph &graph, const CompileOptions &options)
        : m_graph(graph)
        , m_options(options)
    {
    }

    CompiledJob run()
    {
        const ValidationReport report = validateGraph(m_graph);
        if (report.hasErrors()) {
            m_job.error = QStringLiteral("The graph has errors:\n") + report.errorLines(m_graph).join('\n');
            return m_job;
        }
        const QStringList order = dependencyOrder(m_graph);
        for (const QString &id : order)
            m_stageOf.insert(id, int(m_stageOf.size()));
        for (const QString &id : order) {
            if (!compileStage(*m_graph.node(id)))
                return failed();
        }
        for (const GraphNode &node : m_graph.nodes())
            if (node.kind == QLatin1String("export"))
                addExport(node);
        return m_job;
    }

private:
    CompiledJob failed()
    {
        CompiledJob job;
        job.error = m_job.error;
        return job;
    }

    const GraphNode *sourceOf(const GraphNode &node, const QString &input, QString *port = nullptr) const
    {
        const GraphEdge *edge = m_graph.edgeInto(node.id, input);
        if (edge && port)
            *port = edge->outputPort;
        return edge ? m_graph.node(edge->fromNode) : nullptr;
    }

    static bool isFashionMnist(const GraphNode *dataset)
    {
        return dataset && dataset->parameters.value("source").toString() == QLatin1String("fashion-mnist");
    }

    // Fills a DatasetSpec from the dataset feeding `input`, recording an upload for files.
    void datasetSpec(const GraphNode &node, const QString &input, const QString &role, v1::DatasetSpec *spec)
    {
        QString port;
        const GraphNode *dataset = sourceOf(node, input, &port);
        spec->set_limit(quint32(dataset->parameters.value("limit").toLongLong()));
        if (isFashionMnist(dataset)) {
            spec->set_builtin(port == QLatin1String("test") ? "fashion-mnist-test" : "fashion-mnist");
            return;
        }
        spec->mutable_tensors(); // the oneof says "tensors"; the launcher uploads the blobs
        m_job.uploads.append(DatasetUpload { int(m_job.stages.size()), role, dataset->id, port });
    }

    void mlpSpec(const GraphNode &mlp, const GraphNode *dataset, v1::MlpSpec *spec) const
    {
        spec->set_inputs(isFashionMnist(dataset) ? kFashionMnistFeatures : 0);
        QList<double> widths;
        parseNumberList(mlp.parameters.value("hidden").toString(), &widths);
        for (double width : std::as_const(widths))
            spec->add_hidden(quint32(width));
        spec->set_classes(quint32(mlp.parameters.value("classes").toLongLong()));
        spec->set_seed(quint64(mlp.parameters.value("seed").toLongLong()));
    }

    v1::JobSpec baseSpec(const GraphNode &node) const
    {
        v1::JobSpec spec;
        QString name = m_options.jobName.isEmpty() ? m_graph.name() : m_options.jobName;
        if (m_stageOf.size() > 1)
            name = name.isEmpty() ? node.title : QStringLiteral("%1 — %2").arg(name, node.title);
        spec.set_name(name.left(kMaxJobName).toStdString());
        *spec.mutable_verification() = m_options.verification;
        spec.set_mode(m_options.mode);
        return spec;
    }

    static void setOptimizer(const QVariantMap &p, const QString &kind, double learningRate, v1::OptimizerSpec *optimizer)
    {
        optimizer->set_kind(optimizerKind(kind));
        optimizer->set_learning_rate(float(learningRate));
        optimizer->set_momentum(float(p.value("momentum").toDouble()));
        optimizer->set_weight_decay(float(p.value("weightDecay").toDouble()));
    }

    bool compileStage(const GraphNode &node)
    {
        const QVariantMap &p = node.parameters;
        CompiledStage stage { node.id, node.kind, baseSpec(node), -1, QString() };
        QString modelPort;
        const GraphNode *modelFrom = sourceOf(node, "model", &modelPort);
        const GraphNode *mlp = modelSource(m_graph, node.id);
        stage.modelNodeId = mlp->id;
        if (isTrainingKind(node.kind)) {
            if (modelFrom->kind != QLatin1String("mlp")) {
                m_job.error = QStringLiteral("%1 (%2): training from another stage's trained model is not supported yet "
                                             "(a training job starts from the MLP's initial weights); connect an MLP "
                                             "model node to its model input.")
                                  .arg(node.id, node.title);
                return false;
            }
            v1::TrainJobSpec *train = stage.spec.mutable_train();
            datasetSpec(node, "train", "train", train->mutable_train());
            if (sourceOf(node, "test"))
                datasetSpec(node, "test", "test", train->mutable_test());
            mlpSpec(*mlp, sourceOf(node, "train"), train->mutable_model());
            train->set_steps(quint32(p.value("steps").toLongLong()));
            train->set_eval_every_rounds(0);
            train->set_workers(1);
            train->mutable_outer()->set_kind(v1::OuterOptimizerSpec::KIND_AVERAGE);
            if (node.kind == QLatin1String("train")) {
                train->set_local_steps(quint32(p.value("checkpointEvery").toLongLong()));
                addRun(p, p.value("optimizer").toString(), p.value("learningRate").toDouble(),
                    quint32(p.value("batchSize").toLongLong()), quint64(p.value("shuffleSeed").toLongLong()), train);
            } else if (node.kind == QLatin1String("sweep")) {
                train->set_local_steps(quint32(p.value("checkpointEvery").toLongLong()));
                for (const SweepConfiguration &config : sweepConfigurations(node))
                    addRun(p, config.optimizer, config.learningRate, config.batchSize,
                        quint64(p.value("seed").toLongLong()), train);
            } else {
                train->set_workers(quint32(p.value("workers").toLongLong()));
                train->set_local_steps(quint32(p.value("localSteps").toLongLong()));
                addRun(p, p.value("optimizer").toString(), p.value("learningRate").toDouble(),
                    quint32(p.value("batchSize").toLongLong()), quint64(p.value("shuffleSeed").toLongLong()), train);
                if (p.value("outer").toString() == QLatin1String("nesterov")) {
                    train->mutable_outer()->set_kind(v1::OuterOptimizerSpec::KIND_NESTEROV);
                    train->mutable_outer()->set_learning_rate(float(p.value("outerLearningRate").toDouble()));
                    train->mutable_outer()->set_momentum(float(p.value("outerMomentum").toDouble()));
                }
            }
        } else {
            v1::InferenceJobSpec *inference = stage.spec.mutable_inference();
            datasetSpec(node, "data", "data", inference->mutable_data());
            mlpSpec(*mlp, sourceOf(node, "data"), inference->mutable_model());
            inference->set_shards(node.kind == QLatin1String("batch-inference") ? quint32(p.value("shards").toLongLong()) : 1);
            if (isTrainingKind(modelFrom->kind))
                stage.dependsOnStage = m_stageOf.value(modelFrom->id, -1);
        }
        m_job.stages.append(stage);
        return true;
    }

    static void addRun(const QVariantMap &p, const QString &optimizer, double learningRate, quint32 batchSize,
        quint64 shuffleSeed, v1::TrainJobSpec *train)
    {
        v1::TrainRunSpec *run = train->add_runs();
        run->set_label(runLabel(optimizer, learningRate, batchSize).toStdString());
        setOptimizer(p, optimizer, learningRate, run->mutable_optimizer());
        run->set_batch_size(batchSize);
        run->set_shuffle_seed(shuffleSeed);
    }

    void addExport(const GraphNode &node)
    {
        QString port;
        const GraphNode *source = sourceOf(node, "value", &port);
        const OutputPort *output = m_graph.kindOf(source->id)->output(port);
        m_job.exports.append(ExportStep { node.id, node.parameters.value("format").toString(),
            node.parameters.value("path").toString(), m_stageOf.value(source->id, -1), source->id, port, output->type });
    }

    const JobGraph &m_graph;
    const CompileOptions &m_options;
    CompiledJob m_job;
    QHash<QString, int> m_stageOf; // workload node id → stage index
};

} // namespace

QString runLabel(const QString &optimizer, double learningRate, quint32 batchSize)
{
    return QStringLiteral("%1 lr=%2 batch=%3").arg(optimizer, QString::number(learningRate)).arg(batchSize);
}

QList<SweepConfiguration> sweepConfigurations(const GraphNode &sweep)
{
    const QVariantMap &p = sweep.parameters;
    const QStringList optimizers = parseChoiceList(p.value("optimizers").toString());
    QList<double> rates;
    QList<double> batches;
    parseNumberList(p.value("learningRates").toString(), &rates);
    parseNumberList(p.value("batchSizes").toString(), &batches);
    QList<SweepConfiguration> configs;
    if (optimizers.isEmpty() || rates.isEmpty() || batches.isEmpty())
        return configs;
    if (p.value("strategy").toString() == QLatin1String("random")) {
        std::uint64_t state = std::uint64_t(p.value("seed").toLongLong());
        const qint64 samples = p.value("samples").toLongLong();
        for (qint64 i = 0; i < samples; ++i) {
            const QString optimizer = optimizers[qsizetype(splitmix64(&state) % std::uint64_t(optimizers.size()))];
            const double rate = rates[qsizetype(splitmix64(&state) % std::uint64_t(rates.size()))];
            const double batch = batches[qsizetype(splitmix64(&state) % std::uint64_t(batches.size()))];
            configs.append(SweepConfiguration { optimizer, rate, quint32(batch) });
        }
        return configs;
    }
    for (const QString &optimizer : optimizers)
        for (double rate : std::as_const(rates))
            for (double batch : std::as_const(batches))
                configs.append(SweepConfiguration { optimizer, rate, quint32(batch) });
    return configs;
}

CompiledJob compileJob(const JobGraph &graph, const CompileOptions &options)
{
    return Compiler(graph, options).run();
}

} // namespace tributary::studio
