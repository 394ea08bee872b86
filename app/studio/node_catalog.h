#pragma once

// NodeCatalog: the kinds of node a job graph is built from, each with its ports and
// parameters, as the editor's palette shows them and as JobGraph checks edits against.
//
//   NodeCatalog catalog;                             // the built-in kinds
//   const NodeKind *kind = catalog.kind("train");   // nullptr for an unknown id
//   for (const NodeKind *k : catalog.search("sweep")) ...   // the palette's search box
//
// Kinds (ids are what .tjob files store; never rename one):
//   dataset            Data      → train, test (Dataset)
//   mlp                Model     → model (Model)
//   train              Workload  model, train, [test] → model, metrics
//   sweep              Workload  model, train, [test] → model (best by test accuracy), metrics
//   distributed-train  Workload  model, train, [test] → model, metrics
//   batch-inference    Workload  model, data → predictions (Tensor)
//   evaluate           Workload  model, data → metrics
//   export             Results   value (Tensor, Model or Metrics)
//
// Parameter values live in a QVariantMap: Int as qint64, Double as double, Bool as bool,
// and every other type as a QString (lists are comma-separated: "0.01,0.05,0.1").
// Ranges are not enforced on edit (an editor passes through intermediate values);
// graph_validation.h reports a value out of range.

#include "app/studio/port_type.h"

#include <QList>
#include <QString>
#include <QStringList>
#include <QVariant>
#include <QVariantMap>

#include <optional>

namespace tributary::studio {

enum class NodeCategory { Data = 1, Model, Workload, Results };
QString nodeCategoryName(NodeCategory category);

struct InputPort {
    QString name;
    PortTypes accepts; // one type, except Export's value
    bool required = true;
    bool acceptsType(PortType type) const { return accepts.contains(type); }
};

struct OutputPort {
    QString name;
    PortType type = PortType::Dataset;
};

enum class ParameterType {
    Int = 1,
    Double,
    String,
    Choice,     // one of `choices`
    Path,       // a file; may be empty while the node does not use it
    Bool,
    NumberList, // comma-separated numbers, e.g. "0.01,0.05,0.1"
    ChoiceList, // comma-separated entries of `choices`, e.g. "sgd,adamw"
};

struct ParameterSpec {
    QString key;
    QString label;
    ParameterType type = ParameterType::String;
    QVariant defaultValue;
    std::optional<double> minimum; // Int, Double, and each entry of a NumberList
    std::optional<double> maximum;
    QStringList choices; // Choice, ChoiceList
    QString help;
};

struct NodeKind {
    QString id;
    QString title;
    NodeCategory category = NodeCategory::Data;
    QString description; // one line, for the searchable palette
    QList<InputPort> inputs;
    QList<OutputPort> outputs;
    QList<ParameterSpec> parameters;

    const InputPort *input(const QString &name) const;
    const OutputPort *output(const QString &name) const;
    const ParameterSpec *parameter(const QString &key) const;
    QVariantMap defaultParameters() const;
};

class NodeCatalog {
public:
    NodeCatalog(); // the built-in kinds listed above

    const QList<NodeKind> &kinds() const { return m_kinds; }
    const NodeKind *kind(const QString &id) const;
    // Kinds whose id, title, category or description contains `text` (case-insensitive),
    // in catalog order; all of them for an empty text.
    QList<const NodeKind *> search(const QString &text) const;

private:
    QList<NodeKind> m_kinds;
};

// Converts `value` to the parameter's stored form (see above) into *normalized; false,
// with a message naming the parameter, when it cannot be (a word for an Int, a number
// for a Bool, a choice not offered). Numbers given as text ("64") are accepted, so that an
// editor's line edit can pass its text.
bool normalizeParameter(const ParameterSpec &spec, const QVariant &value, QVariant *normalized, QString *error);

// The numbers of a NumberList value; false when an entry is not a number (the message
// names it). An empty text gives an empty list.
bool parseNumberList(const QString &text, QList<double> *numbers, QString *error = nullptr);
// The entries of a ChoiceList value, trimmed, empty entries dropped.
QStringList parseChoiceList(const QString &text);

} // namespace tributary::studio
