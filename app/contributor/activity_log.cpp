#include "app/contributor/activity_log.h"

namespace tributary {

ActivityLog::ActivityLog(QObject *parent)
    : QAbstractListModel(parent)
{
}

void ActivityLog::add(const QString &deviceId, const QString &text, const QDateTime &time)
{
    beginInsertRows({}, 0, 0);
    m_entries.push_front({ time, deviceId, text });
    endInsertRows();
    if (m_entries.size() > std::size_t(kMaxEntries)) {
        const int last = int(m_entries.size()) - 1;
        beginRemoveRows({}, last, last);
        m_entries.pop_back();
        endRemoveRows();
    }
}

int ActivityLog::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_entries.size());
}

QVariant ActivityLog::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount())
        return {};
    const Entry &entry = m_entries[std::size_t(index.row())];
    switch (role) {
    case Qt::DisplayRole: {
        const QString time = entry.time.toString(QStringLiteral("HH:mm:ss"));
        return entry.deviceId.isEmpty() ? time + QStringLiteral("  ") + entry.text
                                        : time + QStringLiteral("  ") + entry.deviceId + QStringLiteral("  ") + entry.text;
    }
    case Qt::ToolTipRole:
        return entry.time.toString(Qt::ISODate);
    case TimeRole:
        return entry.time;
    case DeviceRole:
        return entry.deviceId;
    case TextRole:
        return entry.text;
    default:
        return {};
    }
}

QHash<int, QByteArray> ActivityLog::roleNames() const
{
    return { { Qt::DisplayRole, "display" }, { TimeRole, "time" }, { DeviceRole, "device" }, { TextRole, "text" } };
}

} // namespace tributary
