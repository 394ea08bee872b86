#include "app/studio/port_type.h"

namespace tributary::studio {

QString portTypeName(PortType type)
{
    switch (type) {
    case PortType::Dataset:
        return QStringLiteral("Dataset");
    case PortType::Model:
        return QStringLiteral("Model");
    case PortType::Tensor:
        return QStringLiteral("Tensor");
    case PortType::Metrics:
        return QStringLiteral("Metrics");
    }
    return QStringLiteral("Unknown");
}

QString portTypeColor(PortType type)
{
    // Distinct hues that stay readable on light and dark canvases.
    switch (type) {
    case PortType::Dataset:
        return QStringLiteral("#2e86de");
    case PortType::Model:
        return QStringLiteral("#e67e22");
    case PortType::Tensor:
        return QStringLiteral("#27ae60");
    case PortType::Metrics:
        return QStringLiteral("#8e44ad");
    }
    return QStringLiteral("#808080");
}

QString portTypesText(const PortTypes &types)
{
    QString text;
    for (qsizetype i = 0; i < types.size(); ++i) {
        if (i > 0)
            text += i + 1 == types.size() ? QStringLiteral(" or ") : QStringLiteral(", ");
        text += portTypeName(types[i]);
    }
    return text;
}

} // namespace tributary::studio
