#include "app/studio/node_catalog.h"

#include <cmath>

namespace tributary::studio {

namespace {

// Limits mirrored from the coordinator's TrainKind, so that a graph the studio accepts is
// a job the coordinator accepts.
constexpr double kMaxWorkers = 64;
constexpr double kMaxSteps = 1000000;
constexpr double kMaxWidth = 4096;
constexpr double kMaxClasses = 1000;

ParameterSpec intParam(const QString &key, const QString &label, qint64 value, double min, double max,
    const QString &help)
{
    return ParameterSpec { key, label, ParameterType::Int, QVariant(value), min, max, {}, help };
}

ParameterSpec doubleParam(const QString &key, const QString &label, double value, double min, double max,
    const QString &help)
{
    return ParameterSpec { key, label, ParameterType::Double, QVariant(value), min, max, {}, help };
}

ParameterSpec choiceParam(const QString &key, const QString &label, const QStringList &choices,
    const QString &value, const QString &help)
{
    return ParameterSpec { key, label, ParameterType::Choice, QVariant(value), {}, {}, choices, help };
}

ParameterSpec pathParam(const QString &key, const QString &label, const QString &help)
{
    return ParameterSpec { key, label, ParameterType::Path, QVariant(QString()), {}, {}, {}, help };
}

ParameterSpec boolParam(const QString &key, const QString &label, bool value, const QString &help)
{
    return ParameterSpec { key, label, ParameterType::Bool, QVariant(value), {}, {}, {}, help };
}

ParameterSpec listParam(const QString &key, const QString &label, const QString &value, double min, double max,
    const QString &help)
{
    return ParameterSpec { key, label, ParameterType::NumberList, QVariant(value), min, max, {}, help };
}

const QStringList kOptimizers { QStringLiteral("sgd"), QStringLiteral("adamw") };

// The parameters every training kind shares.
QList<ParameterSpec> optimizerParams()
{
    return {
        choiceParam("optimizer", "Optimizer", kOptimizers, "sgd", "SGD with momentum, or AdamW."),
        doubleParam("learningRate", "Learning rate", 0.05, 1e-9, 10, "The inner optimizer's step size."),
        doubleParam("momentum", "Momentum", 0.9, 0, 0.999999, "SGD's momentum (ignored by AdamW)."),
        doubleParam("weightDecay", "Weight decay", 0, 0, 1, "Decoupled weight decay."),
    };
}

QList<InputPort> trainingInputs()
{
    return {
        InputPort { "model", { PortType::Model }, true },
        InputPort { "train", { PortType::Dataset }, true },
        InputPort { "test", { PortType::Dataset }, false },
    };
}

QList<OutputPort> trainingOutputs()
{
    return { OutputPort { "model", PortType::Model }, OutputPort { "metrics", PortType::Metrics } };
}

NodeKind datasetKind()
{
    NodeKind kind { "dataset", "Dataset", NodeCategory::Data,
        "Labelled examples: Fashion-MNIST, or your own CSV, NPY or IDX files, split into train and test.", {},
        { OutputPort { "train", PortType::Dataset }, OutputPort { "test", PortType::Dataset } }, {} };
    kind.parameters = {
        choiceParam("source", "Source", { "fashion-mnist", "csv", "npy", "idx" }, "fashion-mnist",
            "Fashion-MNIST (installed beside the coordinator) or files of your own."),
        pathParam("csvPath", "CSV file", "One example per line; one column is the integer label (csv)."),
        pathParam("featuresPath", "Features file", "The examples' features (npy, idx)."),
        pathParam("labelsPath", "Labels file", "The examples' integer labels (npy, idx)."),
        choiceParam("labelColumn", "Label column", { "first", "last" }, "first", "Which CSV column holds the label."),
        boolParam("hasHeader", "Header line", false, "The CSV file's first line names the columns."),
        doubleParam("testFraction", "Test fraction", 0.2, 0, 0.5,
            "Files only: the last fraction of the examples is held out as the test split."),
        intParam("limit", "Limit", 0, 0, 1e9, "Only the first this many examples of each split; 0 = all."),
    };
    return kind;
}

NodeKind mlpKind()
{
    return NodeKind { "mlp", "MLP model", NodeCategory::Model,
        "A multi-layer perceptron classifier; its inputs are the features of the dataset it is trained on "
        "(784 for Fashion-MNIST).",
        {}, { OutputPort { "model", PortType::Model } },
        {
            listParam("hidden", "Hidden layers", "256", 1, kMaxWidth, "The widths of one or two hidden layers, e.g. \"256,128\"."),
            intParam("classes", "Classes", 10, 2, kMaxClasses, "How many classes the labels count."),
            intParam("seed", "Seed", 1, 0, 9007199254740991.0, "Draws the initial weights."),
        } };
}

NodeKind trainKind()
{
    NodeKind kind { "train", "Train", NodeCategory::Workload,
        "Train the model on one device at a time, checkpointed every few steps.", trainingInputs(),
        trainingOutputs(), optimizerParams() };
    kind.parameters += {
        intParam("batchSize", "Batch size", 64, 1, 1e6, "Examples per step."),
        intParam("steps", "Steps", 1000, 1, kMaxSteps, "Training steps in all."),
        intParam("checkpointEvery", "Checkpoint every", 200, 1, kMaxSteps,
            "Steps per task: the round length H with one worker."),
        intParam("shuffleSeed", "Shuffle seed", 7, 0, 9007199254740991.0, "Orders the examples of each epoch."),
    };
    return kind;
}

NodeKind sweepKind()
{
    return NodeKind { "sweep", "Sweep", NodeCategory::Workload,
        "Train one run per hyperparameter configuration (grid or random); outputs the best by test accuracy.",
        trainingInputs(), trainingOutputs(),
        {
            choiceParam("strategy", "Strategy", { "grid", "random" }, "grid",
                "Grid: every combination. Random: `samples` combinations drawn from the seed."),
            ParameterSpec { "optimizers", "Optimizers", ParameterType::ChoiceList, QVariant(QStringLiteral("sgd")), {}, {},
                kOptimizers, "Comma-separated: sgd, adamw." },
            listParam("learningRates", "Learning rates", "0.01,0.05,0.1", 1e-9, 10, "Comma-separated learning rates."),
            listParam("batchSizes", "Batch sizes", "64", 1, 1e6, "Comma-separated batch sizes (whole numbers)."),
            intParam("samples", "Samples", 8, 1, 64, "Random strategy: how many configurations to draw."),
            intParam("seed", "Seed", 7, 0, 9007199254740991.0,
                "Draws the random configurations, and orders the examples of every run."),
            intParam("steps", "Steps", 1000, 1, kMaxSteps, "Training steps per run."),
            intParam("checkpointEvery", "Checkpoint every", 200, 1, kMaxSteps, "Steps per task."),
            doubleParam("momentum", "Momentum", 0.9, 0, 0.999999, "SGD's momentum."),
            doubleParam("weightDecay", "Weight decay", 0, 0, 1, "Decoupled weight decay."),
        } };
}

NodeKind distributedKind()
{
    NodeKind kind { "distributed-train", "Distributed train", NodeCategory::Workload,
        "Low-communication data-parallel training (DiLoCo): workers take H local steps, then their models are combined.",
        trainingInputs(), trainingOutputs(), {} };
    kind.parameters = {
        intParam("workers", "Workers", 8, 1, kMaxWorkers, "Equal shards of the training set, one per worker."),
        intParam("localSteps", "Local steps (H)", 100, 1, kMaxSteps,
            "Steps each worker takes between synchronisations: larger H, less traffic."),
        intParam("steps", "Steps", 1000, 1, kMaxSteps, "Steps per worker in all."),
    };
    kind.parameters += optimizerParams();
    kind.parameters += {
        intParam("batchSize", "Batch size", 64, 1, 1e6, "Examples per step and worker."),
        intParam("shuffleSeed", "Shuffle seed", 7, 0, 9007199254740991.0, "Orders the examples of each epoch."),
        choiceParam("outer", "Outer optimizer", { "average", "nesterov" }, "nesterov",
            "How the workers' models are combined after each round."),
        doubleParam("outerLearningRate", "Outer learning rate", 0.7, 1e-9, 10, "Nesterov's step size η."),
        doubleParam("outerMomentum", "Outer momentum", 0.9, 0, 0.999999, "Nesterov's momentum μ."),
    };
    return kind;
}

NodeKind batchInferenceKind()
{
    return NodeKind { "batch-inference", "Batch inference", NodeCategory::Workload,
        "Predict the class of every example of a dataset, in shards run in parallel.",
        { InputPort { "model", { PortType::Model }, true }, InputPort { "data", { PortType::Dataset }, true } },
        { OutputPort { "predictions", PortType::Tensor } },
        { intParam("shards", "Shards", 4, 1, 1024, "Tasks the dataset is cut into.") } };
}

NodeKind evaluateKind()
{
    return NodeKind { "evaluate", "Evaluate", NodeCategory::Workload,
        "Accuracy, loss and confusion matrix of a model over a labelled dataset.",
        { InputPort { "model", { PortType::Model }, true }, InputPort { "data", { PortType::Dataset }, true } },
        { OutputPort { "metrics", PortType::Metrics } }, {} };
}

NodeKind exportKind()
{
    return NodeKind { "export", "Export", NodeCategory::Results,
        "Write predictions, a trained model or metrics to a CSV or NPY file.",
        { InputPort { "value", { PortType::Tensor, PortType::Model, PortType::Metrics }, true } }, {},
        {
            choiceParam("format", "Format", { "csv", "npy" }, "csv", "The file format."),
            pathParam("path", "File", "Where to write it."),
        } };
}

QString trimmedText(const QVariant &value)
{
    return value.toString().trimmed();
}

} // namespace

QString nodeCategoryName(NodeCategory category)
{
    switch (category) {
    case NodeCategory::Data:
        return QStringLiteral("Data");
    case NodeCategory::Model:
        return QStringLiteral("Model");
    case NodeCategory::Workload:
        return QStringLiteral("Workload");
    case NodeCategory::Results:
        return QStringLiteral("Results");
    }
    return QStringLiteral("Unknown");
}

const InputPort *NodeKind::input(const QString &name) const
{
    for (const InputPort &port : inputs)
        if (port.name == name)
            return &port;
    return nullptr;
}

const OutputPort *NodeKind::output(const QString &name) const
{
    for (const OutputPort &port : outputs)
        if (port.name == name)
            return &port;
    return nullptr;
}

const ParameterSpec *NodeKind::parameter(const QString &key) const
{
    for (const ParameterSpec &spec : parameters)
        if (spec.key == key)
            return &spec;
    return nullptr;
}

QVariantMap NodeKind::defaultParameters() const
{
    QVariantMap values;
    for (const ParameterSpec &spec : parameters)
        values.insert(spec.key, spec.defaultValue);
    return values;
}

NodeCatalog::NodeCatalog()
    : m_kinds { datasetKind(), mlpKind(), trainKind(), sweepKind(), distributedKind(), batchInferenceKind(),
        evaluateKind(), exportKind() }
{
}

const NodeKind *NodeCatalog::kind(const QString &id) const
{
    for (const NodeKind &kind : m_kinds)
        if (kind.id == id)
            return &kind;
    return nullptr;
}

QList<const NodeKind *> NodeCatalog::search(const QString &text) const
{
    QList<const NodeKind *> found;
    const QString needle = text.trimmed();
    for (const NodeKind &kind : m_kinds) {
        const QString haystack = kind.id + ' ' + kind.title + ' ' + nodeCategoryName(kind.category) + ' ' + kind.description;
        if (needle.isEmpty() || haystack.contains(needle, Qt::CaseInsensitive))
            found.append(&kind);
    }
    return found;
}

bool parseNumberList(const QString &text, QList<double> *numbers, QString *error)
{
    numbers->clear();
    const QStringList parts = text.split(',', Qt::SkipEmptyParts);
    for (const QString &part : parts) {
        bool ok = false;
        const double value = part.trimmed().toDouble(&ok);
        if (!ok || !std::isfinite(value)) {
            if (error)
                *error = QStringLiteral("\"%1\" is not a number").arg(part.trimmed());
            return false;
        }
        numbers->append(value);
    }
    return true;
}

QStringList parseChoiceList(const QString &text)
{
    QStringList entries;
    for (const QString &part : text.split(',', Qt::SkipEmptyParts))
        if (!part.trimmed().isEmpty())
            entries.append(part.trimmed());
    return entries;
}

bool normalizeParameter(const ParameterSpec &spec, const QVariant &value, QVariant *normalized, QString *error)
{
    const auto refuse = [&](const QString &why) {
        if (error)
            *error = QStringLiteral("parameter '%1': %2").arg(spec.key, why);
        return false;
    };
    const QMetaType::Type type = QMetaType::Type(value.metaType().id());
    const bool isText = type == QMetaType::QString;
    const bool isNumber = type == QMetaType::Int || type == QMetaType::LongLong || type == QMetaType::UInt
        || type == QMetaType::ULongLong || type == QMetaType::Double || type == QMetaType::Float;
    switch (spec.type) {
    case ParameterType::Int: {
        if (!isText && !isNumber)
            return refuse(QStringLiteral("expects a whole number"));
        bool ok = false;
        const double number = isText ? value.toString().trimmed().toDouble(&ok) : value.toDouble(&ok);
        if (!ok || !std::isfinite(number) || number != std::floor(number) || std::fabs(number) > 9007199254740992.0)
            return refuse(QStringLiteral("expects a whole number, not %1").arg(value.toString()));
        *normalized = QVariant(qint64(number));
        return true;
    }
    case ParameterType::Double: {
        if (!isText && !isNumber)
            return refuse(QStringLiteral("expects a number"));
        bool ok = false;
        const double number = isText ? value.toString().trimmed().toDouble(&ok) : value.toDouble(&ok);
        if (!ok || !std::isfinite(number))
            return refuse(QStringLiteral("expects a number, not %1").arg(value.toString()));
        *normalized = QVariant(number);
        return true;
    }
    case ParameterType::Bool:
        if (type != QMetaType::Bool)
            return refuse(QStringLiteral("expects true or false"));
        *normalized = value;
        return true;
    case ParameterType::Choice:
        if (!isText)
            return refuse(QStringLiteral("expects one of %1").arg(spec.choices.join(", ")));
        if (!spec.choices.contains(trimmedText(value)))
            return refuse(QStringLiteral("\"%1\" is not one of %2").arg(value.toString(), spec.choices.join(", ")));
        *normalized = QVariant(trimmedText(value));
        return true;
    case ParameterType::ChoiceList:
        if (!isText)
            return refuse(QStringLiteral("expects a comma-separated list of %1").arg(spec.choices.join(", ")));
        for (const QString &entry : parseChoiceList(value.toString()))
            if (!spec.choices.contains(entry))
                return refuse(QStringLiteral("\"%1\" is not one of %2").arg(entry, spec.choices.join(", ")));
        *normalized = QVariant(value.toString());
        return true;
    case ParameterType::NumberList: {
        if (!isText)
            return refuse(QStringLiteral("expects comma-separated numbers"));
        QList<double> numbers;
        QString why;
        if (!parseNumberList(value.toString(), &numbers, &why))
            return refuse(why);
        *normalized = QVariant(value.toString());
        return true;
    }
    case ParameterType::String:
    case ParameterType::Path:
        if (!isText)
            return refuse(QStringLiteral("expects text"));
        *normalized = value;
        return true;
    }
    return refuse(QStringLiteral("has an unknown type"));
}

} // namespace tributary::studio
