#pragma once

// The .tjob file a job graph is saved to, and the clipboard form of a selection.
//
//   {"format": "tributary-job", "version": 1, "name": "…",
//    "nodes": [{"id": "n1", "kind": "dataset", "title": "Dataset", "position": [x, y],
//               "parameters": {"source": "fashion-mnist", …}}, …],
//    "edges": [{"from": "n1", "output": "train", "to": "n3", "input": "train"}, …]}
//
// Parameters are JSON numbers (Int, Double), booleans (Bool) or strings (every other
// type, lists comma-separated). Saving is deterministic, so that save → load → save gives
// the same bytes and a file under version control changes only where the graph did.
//
// Loading refuses the whole file, naming the problem, and leaves the graph untouched: not
// JSON (with the offset of the parse error), another format, a newer version ("version 2
// is newer than this Tributary reads (1)"), an unknown kind, a duplicate id, an edge naming
// a missing node or port or one the port types refuse, a parameter of the wrong JSON type
// or an unknown one (naming node and key). Parameters a file leaves out take their defaults.

#include "app/studio/job_graph.h"

#include <QByteArray>
#include <QPointF>
#include <QString>
#include <QStringList>

namespace tributary::studio {

constexpr int kJobFileVersion = 1;

QByteArray saveJobGraph(const JobGraph &graph);
bool loadJobGraph(const QByteArray &json, JobGraph *graph, QString *error);

// Copy: the selected nodes (unknown ids are skipped) and the edges among them, as JSON
// ({"format": "tributary-job-nodes", "version": 1, "nodes": […], "edges": […]}).
QByteArray copyNodes(const JobGraph &graph, const QStringList &nodeIds);
// Paste: adds the copied nodes with fresh ids, `offset` added to their positions, and the
// edges among them; returns the new ids in the copied order (for the selection and the
// undo stack, which removes them to undo). On a refusal (not a copy, an unknown kind or
// parameter, an edge that does not fit) returns an empty list with *error and adds nothing.
QStringList pasteNodes(JobGraph *graph, const QByteArray &json, QPointF offset, QString *error);

} // namespace tributary::studio
