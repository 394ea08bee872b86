// The activity log's model: newest first, plain display text, bounded.

#include "app/contributor/activity_log.h"

#include <QSignalSpy>
#include <QTest>

using namespace tributary;

class ActivityLogTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void newestFirstAndBounded()
    {
        ActivityLog log;
        QSignalSpy inserted(&log, &QAbstractItemModel::rowsInserted);
        const QDateTime morning(QDate(2026, 11, 23), QTime(10, 42, 7));
        log.add(QStringLiteral("cuda:0"), QStringLiteral("paused: on battery power"), morning);
        log.add({}, QStringLiteral("started"), morning.addSecs(60));
        QCOMPARE(log.rowCount(), 2);
        QCOMPARE(inserted.count(), 2);
        QCOMPARE(log.index(0).data().toString(), QStringLiteral("10:43:07  started"));
        QCOMPARE(log.index(1).data().toString(), QStringLiteral("10:42:07  cuda:0  paused: on battery power"));
        QCOMPARE(log.index(1).data(ActivityLog::DeviceRole).toString(), QStringLiteral("cuda:0"));
        QCOMPARE(log.index(1).data(ActivityLog::TimeRole).toDateTime(), morning);

        for (int i = 0; i < ActivityLog::kMaxEntries + 5; ++i)
            log.add(QStringLiteral("cpu:0"), QStringLiteral("event %1").arg(i));
        QCOMPARE(log.rowCount(), ActivityLog::kMaxEntries);
        QCOMPARE(log.index(0).data(ActivityLog::TextRole).toString(),
            QStringLiteral("event %1").arg(ActivityLog::kMaxEntries + 4));
        // The oldest went first: nothing of the first two entries is left.
        QCOMPARE(log.index(ActivityLog::kMaxEntries - 1).data(ActivityLog::TextRole).toString(),
            QStringLiteral("event 5"));
    }
};

QTEST_GUILESS_MAIN(ActivityLogTest)
#include "activity_log_test.moc"
