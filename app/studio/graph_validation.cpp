#include "app/studio/graph_validation.h"

#include <QFileInfo>
#include <QSet>

#include <algorithm>
#include <cmath>

namespace tributary::studio {

namespace {

constexpr quint64 kFashionMnistTrain = 60000;
constexpr quint64 kFashionMnistTest = 10000;
constexpr quint64 kFashionMnistClasses = 10;
constexpr qsizetype kMaxSweepRuns = 64; // the coordinator's TrainKind::kMaxRuns

QString numberText(double value)
{
    return QString::number(value, 'g', 12);
}

class Checker {
public:
    explicit Checker(const JobGraph &graph)
        : m_graph(graph)
    {
    }

    ValidationReport run()
    {
        bool anyWorkload = false;
        for (const GraphNode &node : m_graph.nodes()) {
            const NodeKind *kind = m_graph.catalog().kind(node.kind);
            checkInputs(node, *kind);
            checkRanges(node, *kind);
            if (node.kind == QLatin1String("dataset"))
                checkDataset(node);
            else if (node.kind == QLatin1String("mlp"))
                checkMlp(node);
            if (isWorkloadKind(node.kind)) {
                anyWorkload = true;
                checkModel(node);
            }
            if (isTrainingKind(node.kind))
                checkTraining(node);
            if ((node.kind == QLatin1String("dataset") || node.kind == QLatin1String("mlp"))
                && m_graph.edgesFrom(node.id).isEmpty())
                warn(node, QStringLiteral("Not connected to anything: it takes no part in the job."));
        }
        if (!anyWorkload)
            m_report.problems.append(GraphProblem { GraphProblem::Severity::Error, QString(),
                QStringLiteral("The graph has no workload node (Train, Sweep, Distributed train, Batch inference or "
                               "Evaluate): there is nothing to run.") });
        return m_report;
    }

private:
    void error(const GraphNode &node, const QString &message)
    {
        m_report.problems.append(GraphProblem { GraphProblem::Severity::Error, node.id, message });
    }
    void warn(const GraphNode &node, const QString &message)
    {
        m_report.problems.append(GraphProblem { GraphProblem::Severity::Warning, node.id, message });
    }

    void checkInputs(const GraphNode &node, const NodeKind &kind)
    {
        for (const InputPort &port : kind.inputs)
            if (port.required && !m_graph.edgeInto(node.id, port.name))
                error(node, QStringLiteral("The required input \"%1\" (%2) is not connected.")
                                .arg(port.name, portTypesText(port.accepts)));
    }

    void checkRange(const GraphNode &node, const ParameterSpec &spec, double value, const QString &what)
    {
        if ((spec.minimum && value < *spec.minimum) || (spec.maximum && value > *spec.maximum)) {
            QString range;
            if (spec.minimum && spec.maximum)
                range = QStringLiteral("between %1 and %2").arg(numberText(*spec.minimum), numberText(*spec.maximum));
            else if (spec.minimum)
                range = QStringLiteral("at least %1").arg(numberText(*spec.minimum));
            else
                range = QStringLiteral("at most %1").arg(numberText(*spec.maximum));
            error(node, QStringLiteral("%1 is %2; it must be %3.").arg(what, numberText(value), range));
        }
    }

    void checkRanges(const GraphNode &node, const NodeKind &kind)
    {
        for (const ParameterSpec &spec : kind.parameters) {
            const QVariant value = node.parameters.value(spec.key);
            const QString what = QStringLiteral("%1 (%2)").arg(spec.label, spec.key);
            switch (spec.type) {
            case ParameterType::Int:
            case ParameterType::Double:
                checkRange(node, spec, value.toDouble(), what);
                break;
            case ParameterType::NumberList: {
                QList<double> numbers;
                QString why;
                if (!parseNumberList(value.toString(), &numbers, &why))
                    error(node, QStringLiteral("%1: %2.").arg(what, why));
                else if (numbers.isEmpty())
                    error(node, QStringLiteral("%1 is empty; give at least one value.").arg(what));
                for (double number : numbers)
                    checkRange(node, spec, number, QStringLiteral("A value of %1").arg(what));
                break;
            }
            case ParameterType::ChoiceList:
                if (parseChoiceList(value.toString()).isEmpty())
                    error(node, QStringLiteral("%1 is empty; choose at least one of %2.")
                                    .arg(what, spec.choices.join(QStringLiteral(", "))));
                break;
            default:
                break;
            }
        }
    }

    void checkFile(const GraphNode &node, const QString &key, const QString &what)
    {
        const QString path = node.parameters.value(key).toString();
        if (path.trimmed().isEmpty())
            error(node, QStringLiteral("A %1 source needs its %2 (%3).")
                            .arg(node.parameters.value("source").toString().toUpper(), what, key));
        else if (!QFileInfo(path).isFile())
            error(node, QStringLiteral("The %1 \"%2\" does not exist.").arg(what, path));
    }

    void checkDataset(const GraphNode &node)
    {
        const QString source = node.parameters.value("source").toString();
        if (source == QLatin1String("csv")) {
            checkFile(node, "csvPath", QStringLiteral("CSV file"));
        } else if (source == QLatin1String("npy") || source == QLatin1String("idx")) {
            checkFile(node, "featuresPath", QStringLiteral("features file"));
            checkFile(node, "labelsPath", QStringLiteral("labels file"));
        }
    }

    void checkMlp(const GraphNode &node)
    {
        QList<double> widths;
        if (!parseNumberList(node.parameters.value("hidden").toString(), &widths))
            return; // the range check reported it
        const bool wholePositive = std::all_of(
            widths.cbegin(), widths.cend(), [](double width) { return width >= 1 && width == std::floor(width); });
        if (widths.size() < 1 || widths.size() > 2 || !wholePositive)
            error(node, QStringLiteral("Hidden layers must be one or two positive whole widths, e.g. \"256\" or "
                                       "\"256,128\"; not \"%1\".")
                            .arg(node.parameters.value("hidden").toString()));
    }

    void checkModel(const GraphNode &node)
    {
        if (!m_graph.edgeInto(node.id, "model"))
            return; // reported as a missing input
        const GraphNode *mlp = modelSource(m_graph, node.id);
        if (!mlp) {
            error(node, QStringLiteral("Its model must come from an MLP model node (directly or through training)."));
            return;
        }
        // Fashion-MNIST's labels go up to 9: a model with fewer classes cannot learn them.
        const QString dataPort = isTrainingKind(node.kind) ? QStringLiteral("train") : QStringLiteral("data");
        const GraphEdge *data = m_graph.edgeInto(node.id, dataPort);
        const GraphNode *dataset = data ? m_graph.node(data->fromNode) : nullptr;
        const qint64 classes = mlp->parameters.value("classes").toLongLong();
        if (dataset && dataset->parameters.value("source").toString() == QLatin1String("fashion-mnist")
            && classes < qint64(kFashionMnistClasses))
            error(node, QStringLiteral("Fashion-MNIST has %1 classes but the model (%2) has %3.")
                            .arg(kFashionMnistClasses)
                            .arg(mlp->id)
                            .arg(classes));
    }

    void checkTraining(const GraphNode &node)
    {
        const QVariantMap &p = node.parameters;
        const qint64 steps = p.value("steps").toLongLong();
        qint64 workers = 1;
        QList<double> batches { double(p.value("batchSize").toLongLong()) };
        if (node.kind == QLatin1String("distributed-train")) {
            workers = p.value("workers").toLongLong();
            if (p.value("localSteps").toLongLong() > steps)
                warn(node, QStringLiteral("Local steps (H = %1) is more than the steps (%2): there will be one round, "
                                          "and the workers never combine their models before the end.")
                               .arg(p.value("localSteps").toLongLong())
                               .arg(steps));
        } else if (p.value("checkpointEvery").toLongLong() > steps) {
            warn(node, QStringLiteral("Checkpoint every (%1) is more than the steps (%2): one task runs the whole training.")
                           .arg(p.value("checkpointEvery").toLongLong())
                           .arg(steps));
        }
        if (node.kind == QLatin1String("sweep")) {
            parseNumberList(p.value("batchSizes").toString(), &batches);
            for (double batch : std::as_const(batches))
                if (batch != std::floor(batch))
                    error(node, QStringLiteral("Batch size %1 is not a whole number.").arg(batch));
            checkSweepSize(node);
            if (!m_graph.edgeInto(node.id, "test"))
                warn(node, QStringLiteral("No test set: the runs cannot be compared, and the model output is the first run."));
        }
        const GraphEdge *train = m_graph.edgeInto(node.id, "train");
        const GraphNode *dataset = train ? m_graph.node(train->fromNode) : nullptr;
        const quint64 examples = dataset ? knownExamples(*dataset, train->outputPort) : 0;
        if (examples == 0 || batches.isEmpty())
            return;
        const double batch = *std::max_element(batches.cbegin(), batches.cend());
        if (double(workers) * batch > double(examples)) {
            if (workers > 1)
                error(node, QStringLiteral("%1 workers × batch size %2 is more than the %3 training examples: each "
                                           "worker's shard must hold a batch.")
                                .arg(workers)
                                .arg(batch)
                                .arg(examples));
            else
                error(node, QStringLiteral("Batch size %1 is more than the %2 training examples.").arg(batch).arg(examples));
        }
    }

    void checkSweepSize(const GraphNode &node)
    {
        const QVariantMap &p = node.parameters;
        if (p.value("strategy").toString() != QLatin1String("grid"))
            return;
        QList<double> rates;
        QList<double> batches;
        parseNumberList(p.value("learningRates").toString(), &rates);
        parseNumberList(p.value("batchSizes").toString(), &batches);
        const qsizetype runs = parseChoiceList(p.value("optimizers").toString()).size() * rates.size() * batches.size();
        if (runs > kMaxSweepRuns)
            error(node, QStringLiteral("The grid has %1 configurations, more than %2 runs a job may hold.")
                            .arg(runs)
                            .arg(kMaxSweepRuns));
    }

    const JobGraph &m_graph;
    ValidationReport m_report;
};

} // namespace

bool isWorkloadKind(const QString &kind)
{
    return isTrainingKind(kind) || kind == QLatin1String("batch-inference") || kind == QLatin1String("evaluate");
}

bool isTrainingKind(const QString &kind)
{
    return kind == QLatin1String("train") || kind == QLatin1String("sweep") || kind == QLatin1String("distributed-train");
}

quint64 knownExamples(const GraphNode &dataset, const QString &outputPort)
{
    if (dataset.parameters.value("source").toString() != QLatin1String("fashion-mnist"))
        return 0;
    const quint64 all = outputPort == QLatin1String("test") ? kFashionMnistTest : kFashionMnistTrain;
    const qint64 limit = dataset.parameters.value("limit").toLongLong();
    return limit > 0 ? std::min(all, quint64(limit)) : all;
}

const GraphNode *modelSource(const JobGraph &graph, const QString &nodeId, const QString &inputPort)
{
    QSet<QString> seen; // the graph has no cycles, but a guard costs nothing
    QString current = nodeId;
    QString port = inputPort;
    while (!seen.contains(current)) {
        seen.insert(current);
        const GraphEdge *edge = graph.edgeInto(current, port);
        const GraphNode *source = edge ? graph.node(edge->fromNode) : nullptr;
        if (!source)
            return nullptr;
        if (source->kind == QLatin1String("mlp"))
            return source;
        if (!isTrainingKind(source->kind) || edge->outputPort != QLatin1String("model"))
            return nullptr;
        current = source->id;
        port = QStringLiteral("model");
    }
    return nullptr;
}

bool ValidationReport::hasErrors() const
{
    return std::any_of(problems.cbegin(), problems.cend(),
        [](const GraphProblem &problem) { return problem.severity == GraphProblem::Severity::Error; });
}

QList<GraphProblem> ValidationReport::errors() const
{
    QList<GraphProblem> found;
    for (const GraphProblem &problem : problems)
        if (problem.severity == GraphProblem::Severity::Error)
            found.append(problem);
    return found;
}

QList<GraphProblem> ValidationReport::warnings() const
{
    QList<GraphProblem> found;
    for (const GraphProblem &problem : problems)
        if (problem.severity == GraphProblem::Severity::Warning)
            found.append(problem);
    return found;
}

QMap<QString, QList<GraphProblem>> ValidationReport::byNode() const
{
    QMap<QString, QList<GraphProblem>> grouped;
    for (const GraphProblem &problem : problems)
        grouped[problem.nodeId].append(problem);
    return grouped;
}

QList<GraphProblem> ValidationReport::forNode(const QString &nodeId) const
{
    QList<GraphProblem> found;
    for (const GraphProblem &problem : problems)
        if (problem.nodeId == nodeId)
            found.append(problem);
    return found;
}

QStringList ValidationReport::errorLines(const JobGraph &graph) const
{
    QStringList lines;
    for (const GraphProblem &problem : errors()) {
        const GraphNode *node = graph.node(problem.nodeId);
        lines.append(node ? QStringLiteral("%1 (%2): %3").arg(node->id, node->title, problem.message) : problem.message);
    }
    return lines;
}

ValidationReport validateGraph(const JobGraph &graph)
{
    return Checker(graph).run();
}

} // namespace tributary::studio
