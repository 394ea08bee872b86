#include "ui/device_table_model.h"

#include "app/contributor/device_advice.h"

#include <QBrush>
#include <QColor>
#include <QLocale>

namespace tributary::ui {

DeviceTableModel::DeviceTableModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

void DeviceTableModel::setDevices(std::vector<engine::DeviceInfo> devices)
{
    beginResetModel();
    m_devices = std::move(devices);
    endResetModel();
}

int DeviceTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_devices.size());
}

int DeviceTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

static QString backendLabel(const engine::DeviceInfo &device)
{
    QString label;
    switch (device.backend) {
    case engine::BackendKind::Cpu: label = QStringLiteral("CPU"); break;
    case engine::BackendKind::Vulkan: label = QStringLiteral("Vulkan"); break;
    case engine::BackendKind::Cuda: label = QStringLiteral("CUDA"); break;
    }
    if (device.isSoftware)
        label += QStringLiteral(" (software)");
    return label;
}

QVariant DeviceTableModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount())
        return {};
    const engine::DeviceInfo &device = m_devices[std::size_t(index.row())];
    if (role == AdviceRole)
        return adviceFor(device);
    if (role == RawDataRole) {
        switch (index.column()) {
        case Name: return QString::fromStdString(device.id);
        case Backend: return int(device.backend);
        case Memory: return qulonglong(device.memoryBytes);
        case Status: return device.available;
        }
    }
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case Name: return QString::fromStdString(device.name);
        case Backend: return backendLabel(device);
        case Memory:
            return device.memoryBytes > 0 ? QLocale().formattedDataSize(qint64(device.memoryBytes))
                                          : QStringLiteral("—");
        case Status:
            return device.available
                ? (device.reproducibility == engine::Reproducibility::Exact ? QStringLiteral("Available · exact")
                                                                            : QStringLiteral("Available"))
                : QStringLiteral("Unavailable: %1").arg(QString::fromStdString(device.unavailableReason));
        }
    }
    if (role == Qt::ToolTipRole) {
        QStringList lines{QString::fromStdString(device.id)};
        if (!device.vendor.empty())
            lines << QStringLiteral("Vendor: %1").arg(QString::fromStdString(device.vendor));
        if (device.computeUnits > 0)
            lines << QStringLiteral("Compute units: %1").arg(device.computeUnits);
        if (device.subgroupSize > 0)
            lines << QStringLiteral("Subgroup size: %1").arg(device.subgroupSize);
        if (!device.computeCapability.empty())
            lines << QStringLiteral("Compute capability: %1").arg(QString::fromStdString(device.computeCapability));
        if (!device.driverVersion.empty())
            lines << QStringLiteral("Driver: %1").arg(QString::fromStdString(device.driverVersion));
        lines << QStringLiteral("Reproducibility: %1")
                     .arg(QString::fromStdString(std::string(engine::reproducibilityName(device.reproducibility))));
        if (!device.features.empty())
            lines << QStringLiteral("Features: %1").arg(QString::fromStdString(device.features));
        if (const QString advice = adviceFor(device); !advice.isEmpty())
            lines << QStringLiteral("What to do: %1").arg(advice);
        return lines.join(QLatin1Char('\n'));
    }
    if (role == Qt::ForegroundRole && index.column() == Status)
        return QBrush(device.available ? QColor(0x1b, 0x7f, 0x3a) : QColor(0x9a, 0x5b, 0x00));
    return {};
}

QVariant DeviceTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Name: return QStringLiteral("Device");
    case Backend: return QStringLiteral("Backend");
    case Memory: return QStringLiteral("Memory");
    case Status: return QStringLiteral("Status");
    }
    return {};
}

} // namespace tributary::ui
