#pragma once

// PortType: what travels along an edge of a job graph. An output connects to an input
// only when the input accepts the output's type (node_catalog.h lists each port's types).
// The editor draws each type with its own colour, so that a researcher sees at a glance
// which ports fit together.

#include <QList>
#include <QString>

namespace tributary::studio {

enum class PortType {
    Dataset = 1, // examples with labels (a split of a Dataset node)
    Model,       // an MLP: its shape, and trained parameters when it comes from training
    Tensor,      // raw values, e.g. predicted classes
    Metrics,     // accuracy, loss, confusion matrix
};

using PortTypes = QList<PortType>;

// "Dataset", "Model", "Tensor", "Metrics": the name shown to the user and in messages.
QString portTypeName(PortType type);
// The type's colour as "#rrggbb" (QColor is Qt Gui; this library is Qt Core only).
QString portTypeColor(PortType type);
// "Dataset", or "Tensor, Model or Metrics" for an input that accepts several.
QString portTypesText(const PortTypes &types);

} // namespace tributary::studio
