#pragma once

// ActivityLog: what the contributor runtime did and why, newest first, for the Activity
// view: "10:42:07  cuda:0  paused: on battery power",
// "10:43:15  cuda:0  task job-3f…-t12 computed in 84 ms".
//
//   ActivityLog log;
//   log.add(QStringLiteral("cuda:0"), QStringLiteral("throttled: 83 °C over the 80 °C limit"));
//   view->setModel(&log);
//
// Keeps the newest kMaxEntries; older ones are dropped (the task history keeps what
// matters for earnings). GUI-thread only, like any item model: connect other threads'
// signals queued.

#include <QAbstractListModel>
#include <QDateTime>
#include <QString>

#include <deque>

namespace tributary {

class ActivityLog : public QAbstractListModel {
    Q_OBJECT
public:
    static constexpr int kMaxEntries = 1000;

    enum Role {
        TimeRole = Qt::UserRole + 1, // QDateTime
        DeviceRole, // QString, e.g. "cuda:0"; empty for the whole machine
        TextRole, // QString, the event in plain words
    };

    struct Entry {
        QDateTime time;
        QString deviceId;
        QString text;
    };

    explicit ActivityLog(QObject *parent = nullptr);

    // Adds an entry at the top, stamped now (or at `time`).
    void add(const QString &deviceId, const QString &text, const QDateTime &time = QDateTime::currentDateTime());
    const Entry &entry(int row) const { return m_entries[std::size_t(row)]; }

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

private:
    std::deque<Entry> m_entries; // newest first
};

} // namespace tributary
