#pragma once

// Validation of a job graph before it is compiled: what a user must fix (errors) and what
// they may want to look at (warnings), each attached to the node it concerns, so that the
// editor can badge the node and list the messages beside it.
//
//   const ValidationReport report = validateGraph(graph);
//   if (report.hasErrors()) ... show report.byNode()
//
// Errors: a required input not connected; a parameter out of its range, or an empty list;
// a file source without its path, or a path that does not exist; mlp hidden not one or two
// positive widths; a workload whose model does not trace back to an mlp node (directly or
// through training nodes' model outputs); more classes in Fashion-MNIST than the model's;
// workers × batch size larger than the training examples (Fashion-MNIST: 60000 train,
// 10000 test, after the node's limit; file datasets are checked once loaded, by the
// launcher); a sweep of more than 64 configurations; a graph with no workload node
// (a graph-level problem, nodeId empty).
// Warnings: H (localSteps, checkpointEvery) larger than the steps; a node whose results go
// nowhere; a sweep without a test set (its best run is then the first).

#include "app/studio/job_graph.h"

#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

namespace tributary::studio {

struct GraphProblem {
    enum class Severity { Error = 1, Warning };
    Severity severity = Severity::Error;
    QString nodeId; // empty: the graph as a whole
    QString message; // a sentence for the user, without the node id
};

struct ValidationReport {
    QList<GraphProblem> problems; // by node in graph order, graph-level problems last

    bool hasErrors() const;
    QList<GraphProblem> errors() const;
    QList<GraphProblem> warnings() const;
    // Problems per node id ("" for the graph's own).
    QMap<QString, QList<GraphProblem>> byNode() const;
    QList<GraphProblem> forNode(const QString &nodeId) const;
    // "n3 (Train): …" lines for the errors, for a message box or a compile error.
    QStringList errorLines(const JobGraph &graph) const;
};

ValidationReport validateGraph(const JobGraph &graph);

// Training examples a dataset output offers, after the node's limit, when known without
// loading files (Fashion-MNIST: 60000 train, 10000 test); 0 when unknown.
quint64 knownExamples(const GraphNode &dataset, const QString &outputPort);

// The mlp node a model input traces back to (through training nodes' model outputs), or
// nullptr when it does not.
const GraphNode *modelSource(const JobGraph &graph, const QString &nodeId, const QString &inputPort = QStringLiteral("model"));

// The kinds that become a job stage: train, sweep, distributed-train, batch-inference, evaluate.
bool isWorkloadKind(const QString &kind);
bool isTrainingKind(const QString &kind);

} // namespace tributary::studio
