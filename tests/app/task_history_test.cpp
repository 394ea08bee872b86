// The contributor's TaskHistory against real SQLite files in a temporary folder: runs come
// back intact after a reopen and after the process is killed (SIGKILL, through
// task_history_crash_helper); changes are committed on the "tributary-history" thread in
// batches without a flush; the dashboard's queries on a known data set (days split at a
// local midnight that is not UTC's, devices, jobs, pending turning verified); CSV quoting;
// bad runs, unknown runs, a newer schema and a file that is not a database are refused
// with clear messages; a commit that fails is kept, in order, and retried; four threads
// recording and flushing at once lose nothing.

#include "app/storage/task_history.h"
#include "tests/app/task_history_crash_runs.h"

#include <QDateTime>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QTimeZone>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <ctime>
#include <limits>
#include <memory>
#include <mutex>
#include <vector>

#ifndef TASK_HISTORY_CRASH_HELPER
#error "Define TASK_HISTORY_CRASH_HELPER as the path of task_history_crash_helper"
#endif

using namespace tributary;

class TaskHistoryTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void commitsInABatchOnTheWriterThread();
    void runsSurviveAReopen();
    void runsSurviveAKill();
    void queriesOnAKnownDataSet();
    void setOutcomeOfEveryAttemptOfATask();
    void setOutcomeOfAnUnknownRunChangesNothing();
    void refusesBadRuns();
    void aFailedCommitIsKeptAndRetried();
    void refusesANewerSchema();
    void refusesAFileThatIsNotADatabase();
    void exportsCsvWithQuoting();
    void exportToAnUnwritablePathFails();
    void flushWhileSeveralThreadsRecord();
    void estimatesElectricityCost();
};

namespace {

const qint64 kAllTime = std::numeric_limits<qint64>::max();

// Every field, so that a failed comparison shows which one differs.
QString describe(const TaskRun &run)
{
    return QStringList { run.taskId, run.jobId, QString::number(run.attempt), run.deviceId,
        QString::number(run.startedMs), QString::number(run.finishedMs), QString::number(run.flops),
        QString::number(run.creditUnits), QString::number(run.energyWh, 'g', 17),
        taskOutcomeName(run.outcome), run.message }
        .join(QLatin1Char('|'));
}

TaskRun makeRun(const QString &taskId, qint64 finishedMs, qint64 creditUnits = 1'000'000'000)
{
    TaskRun run;
    run.taskId = taskId;
    run.jobId = QStringLiteral("job-a");
    run.attempt = 1;
    run.deviceId = QStringLiteral("cuda:0");
    run.startedMs = finishedMs - 5'000;
    run.finishedMs = finishedMs;
    run.flops = 1'000'000;
    run.creditUnits = creditUnits;
    run.energyWh = 1.5;
    run.message = QStringLiteral("ok");
    return run;
}


qint64 localMs(QDate day, int hour, int minute)
{
    return QDateTime(day, QTime(hour, minute), Qt::LocalTime).toMSecsSinceEpoch();
}

bool historyConnectionsLeft()
{
    const QStringList names = QSqlDatabase::connectionNames();
    return std::any_of(names.begin(), names.end(),
        [](const QString &name) { return name.startsWith(QLatin1String("tributary-history")); });
}

} // namespace

void TaskHistoryTest::initTestCase()
{
    // UTC+5:30: a local midnight that is neither UTC's nor on a whole hour. POSIX TZ needs
    // no tzdata; both QDateTime and SQLite's 'localtime' read it through the C library.
    qputenv("TZ", "IST-5:30");
    tzset();
    QCOMPARE(QDateTime(QDate(2024, 3, 10), QTime(0, 0), Qt::LocalTime).offsetFromUtc(), 5 * 3600 + 1800);
}

void TaskHistoryTest::commitsInABatchOnTheWriterThread()
{
    QTemporaryDir dir;
    TaskHistory history(dir.filePath(QStringLiteral("history.sqlite")));
    QVERIFY2(history.open(), qPrintable(history.errorString()));

    std::mutex mutex;
    QStringList commits; // "<thread name>:<changes>", guarded by mutex
    connect(
        &history, &TaskHistory::committed, &history,
        [&](int changes) {
            std::lock_guard lock(mutex);
            commits.append(
                QThread::currentThread()->objectName() + QLatin1Char(':') + QString::number(changes));
        },
        Qt::DirectConnection);

    for (int i = 0; i < 20; ++i)
        QVERIFY(history.record(makeRun(QStringLiteral("batch-%1").arg(i), 1'000'000 + i)));
    // No flush: the writer's own timer commits, within about a second.
    const auto committedList = [&] {
        std::lock_guard lock(mutex);
        return commits;
    };
    QTRY_COMPARE_WITH_TIMEOUT(committedList(), QStringList { QStringLiteral("tributary-history:20") }, 5000);

    // Another history's connection is a separate file read from outside: the commit is on disk.
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("outside"));
        db.setDatabaseName(history.databasePath());
        QVERIFY(db.open());
        QSqlQuery query(db);
        QVERIFY(query.exec(QStringLiteral("SELECT COUNT(*) FROM task_runs")) && query.next());
        QCOMPARE(query.value(0).toInt(), 20);
        QVERIFY(query.exec(QStringLiteral("PRAGMA journal_mode")) && query.next());
        QCOMPARE(query.value(0).toString(), QStringLiteral("wal"));
        QVERIFY(query.exec(QStringLiteral("SELECT version FROM schema_version")) && query.next());
        QCOMPARE(query.value(0).toInt(), 1);
    }
    QSqlDatabase::removeDatabase(QStringLiteral("outside"));
}

void TaskHistoryTest::runsSurviveAReopen()
{
    QTemporaryDir dir;
    // A folder that does not exist yet is created.
    const QString path = dir.filePath(QStringLiteral("nested/folder/history.sqlite"));
    std::vector<TaskRun> written;
    for (int i = 0; i < 12; ++i)
        written.push_back(test::crashRun(i));
    written[3].outcome = TaskRun::Outcome::HandedBack;
    written[4].outcome = TaskRun::Outcome::Failed;
    written[5].energyWh = 0; // unknown
    written[6].flops = quint64(std::numeric_limits<qint64>::max());
    written[8].message = QString(); // null strings are stored as empty ones
    written[8].jobId = QString();
    {
        TaskHistory history(path);
        QVERIFY2(history.open(), qPrintable(history.errorString()));
        QVERIFY(historyConnectionsLeft());
        for (const TaskRun &run : written)
            QVERIFY(history.record(run));
        // Recording a run again replaces it rather than adding a second row.
        written[7].message = QStringLiteral("replaced");
        QVERIFY(history.record(written[7]));
        // No flush: the destructor commits what is queued.
    }
    QVERIFY2(!historyConnectionsLeft(), "the writer's connection was not removed");

    TaskHistory history(path);
    QVERIFY2(history.open(), qPrintable(history.errorString()));
    const QList<TaskRun> read = history.runs(0, kAllTime);
    QCOMPARE(read.size(), qsizetype(written.size()));
    for (std::size_t i = 0; i < written.size(); ++i)
        QCOMPARE(describe(read[qsizetype(i)]), describe(written[i]));

    const QList<TaskRun> newest = history.recent(2);
    QCOMPARE(newest.size(), 2);
    QCOMPARE(newest[0].taskId, written[11].taskId);
    QCOMPARE(newest[1].taskId, written[10].taskId);
    QVERIFY(history.recent(0).isEmpty());
}

void TaskHistoryTest::runsSurviveAKill()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("history.sqlite"));
    const int count = 200;
    QProcess helper;
    helper.start(QStringLiteral(TASK_HISTORY_CRASH_HELPER), { path, QString::number(count) });
    QVERIFY2(helper.waitForStarted(5000), qPrintable(helper.errorString()));
    QVERIFY(helper.waitForFinished(15000));
    const QByteArray output = helper.readAllStandardOutput();
    QVERIFY2(output.contains("ready"), helper.readAllStandardError().constData());
    QCOMPARE(helper.exitStatus(), QProcess::CrashExit);

    TaskHistory history(path);
    QVERIFY2(history.open(), qPrintable(history.errorString()));
    const QList<TaskRun> read = history.runs(0, kAllTime);
    QCOMPARE(read.size(), count);
    for (int i = 0; i < count; ++i)
        QCOMPARE(describe(read[i]), describe(test::crashRun(i)));
}

void TaskHistoryTest::queriesOnAKnownDataSet()
{
    QTemporaryDir dir;
    TaskHistory history(dir.filePath(QStringLiteral("history.sqlite")));
    QVERIFY2(history.open(), qPrintable(history.errorString()));

    const QDate day(2024, 3, 10);
    const qint64 billion = kCreditUnitsPerCredit;
    auto run = [&](const char *id, qint64 finishedMs, const char *device, const char *job, qint64 credits,
                   double energyWh, TaskRun::Outcome outcome = TaskRun::Outcome::Pending) {
        TaskRun r = makeRun(QString::fromLatin1(id), finishedMs, credits * billion);
        r.deviceId = QString::fromLatin1(device);
        r.jobId = QString::fromLatin1(job);
        r.energyWh = energyWh;
        r.flops = 1000;
        r.outcome = outcome;
        return r;
    };
    const TaskRun morning = run("a", localMs(day, 10, 0), "cuda:0", "J1", 5, 100);
    const TaskRun beforeMidnight = run("b", localMs(day, 23, 50), "cuda:0", "J2", 2, 50);
    const TaskRun afterMidnight = run("c", localMs(day.addDays(1), 0, 10), "vulkan:0", "J1", 3, 30);
    const TaskRun noon = run("d", localMs(day.addDays(1), 12, 0), "vulkan:0", "J2", 4, 20);
    const TaskRun failed
        = run("e", localMs(day.addDays(1), 13, 0), "cuda:0", "J1", 1, 0, TaskRun::Outcome::Failed);
    const TaskRun later
        = run("f", localMs(day.addDays(3), 9, 0), "cuda:0", "J1", 7, 10, TaskRun::Outcome::Verified);
    // The two runs either side of the local midnight share a UTC date: grouping by UTC would merge them.
    QCOMPARE(QDateTime::fromMSecsSinceEpoch(beforeMidnight.finishedMs, QTimeZone::utc()).date(),
        QDateTime::fromMSecsSinceEpoch(afterMidnight.finishedMs, QTimeZone::utc()).date());
    for (const TaskRun &r : { morning, beforeMidnight, afterMidnight, noon, failed, later })
        QVERIFY(history.record(r));

    const qint64 fromMs = localMs(day, 0, 0);
    const qint64 toMs = localMs(day.addDays(2), 0, 0);

    TaskHistory::Totals totals = history.totals(fromMs, toMs);
    QCOMPARE(totals.tasks, 5);
    QCOMPARE(totals.verifiedUnits, 0);
    QCOMPARE(totals.pendingUnits, (5 + 2 + 3 + 4) * billion);
    QCOMPARE(totals.failed, 1);

    QVERIFY(history.setOutcome(QStringLiteral("a"), 1, TaskRun::Outcome::Verified));
    QVERIFY(history.setOutcome(
        QStringLiteral("c"), 1, TaskRun::Outcome::Rejected, QStringLiteral("result mismatch")));
    QVERIFY(history.setOutcome(QStringLiteral("d"), 1, TaskRun::Outcome::Verified));

    totals = history.totals(fromMs, toMs);
    QCOMPARE(totals.tasks, 5);
    QCOMPARE(totals.verifiedUnits, (5 + 4) * billion);
    QCOMPARE(totals.pendingUnits, 2 * billion);
    QCOMPARE(totals.rejected, 1);
    QCOMPARE(totals.failed, 1);
    QCOMPARE(totals.flops, 5000.0);
    QCOMPARE(totals.energyWh, 200.0);
    QCOMPARE(history.totals(0, kAllTime).tasks, 6);
    QCOMPARE(history.totals(toMs, fromMs).tasks, 0);

    const QList<TaskHistory::DayCredits> days = history.creditsPerDay(fromMs, toMs);
    QCOMPARE(days.size(), 2);
    QCOMPARE(days[0].day, day);
    QCOMPARE(days[0].verifiedUnits, 5 * billion);
    QCOMPARE(days[0].pendingUnits, 2 * billion);
    QCOMPARE(days[1].day, day.addDays(1));
    QCOMPARE(days[1].verifiedUnits, 4 * billion);
    QCOMPARE(days[1].pendingUnits, 0);

    const QList<TaskHistory::GroupTotals> devices = history.byDevice(fromMs, toMs);
    QCOMPARE(devices.size(), 2);
    QCOMPARE(devices[0].key, QStringLiteral("cuda:0"));
    QCOMPARE(devices[0].tasks, 3);
    QCOMPARE(devices[0].verifiedUnits, 5 * billion);
    QCOMPARE(devices[0].pendingUnits, 2 * billion);
    QCOMPARE(devices[0].energyWh, 150.0);
    QCOMPARE(devices[1].key, QStringLiteral("vulkan:0"));
    QCOMPARE(devices[1].tasks, 2);
    QCOMPARE(devices[1].verifiedUnits, 4 * billion);
    QCOMPARE(devices[1].pendingUnits, 0);
    QCOMPARE(devices[1].energyWh, 50.0);

    const QList<TaskHistory::GroupTotals> jobs = history.byJob(fromMs, toMs);
    QCOMPARE(jobs.size(), 2);
    QCOMPARE(jobs[0].key, QStringLiteral("J1"));
    QCOMPARE(jobs[0].tasks, 3);
    QCOMPARE(jobs[0].verifiedUnits, 5 * billion);
    QCOMPARE(jobs[0].pendingUnits, 0);
    QCOMPARE(jobs[0].energyWh, 130.0);
    QCOMPARE(jobs[1].key, QStringLiteral("J2"));
    QCOMPARE(jobs[1].tasks, 2);
    QCOMPARE(jobs[1].verifiedUnits, 4 * billion);
    QCOMPARE(jobs[1].pendingUnits, 2 * billion);
    QCOMPARE(jobs[1].energyWh, 70.0);

    const QList<TaskRun> newest = history.recent(3);
    QCOMPARE(newest.size(), 3);
    QCOMPARE(newest[0].taskId, QStringLiteral("f"));
    QCOMPARE(newest[1].taskId, QStringLiteral("e"));
    QCOMPARE(newest[2].taskId, QStringLiteral("d"));
    QCOMPARE(newest[2].outcome, TaskRun::Outcome::Verified);

    // setOutcome replaces the message only when given one.
    const QList<TaskRun> all = history.runs(fromMs, toMs);
    QCOMPARE(all[0].taskId, QStringLiteral("a"));
    QCOMPARE(all[0].message, QStringLiteral("ok"));
    QCOMPARE(all[2].taskId, QStringLiteral("c"));
    QCOMPARE(all[2].outcome, TaskRun::Outcome::Rejected);
    QCOMPARE(all[2].message, QStringLiteral("result mismatch"));
}

// The ledger names tasks, not attempts: attempt 0 settles the task's pending or verified
// runs and leaves failed or handed-back ones as they were.
void TaskHistoryTest::setOutcomeOfEveryAttemptOfATask()
{
    QTemporaryDir dir;
    TaskHistory history(dir.filePath(QStringLiteral("history.sqlite")));
    QVERIFY2(history.open(), qPrintable(history.errorString()));
    TaskRun failed = makeRun(QStringLiteral("t1"), 10'000);
    failed.outcome = TaskRun::Outcome::Failed;
    TaskRun pending = makeRun(QStringLiteral("t1"), 20'000);
    pending.attempt = 2;
    QVERIFY(history.record(failed));
    QVERIFY(history.record(pending));
    QVERIFY(history.record(makeRun(QStringLiteral("t2"), 30'000)));

    QVERIFY(history.setOutcome(QStringLiteral("t1"), 0, TaskRun::Outcome::Verified));
    QVERIFY(history.setOutcome(QStringLiteral("elsewhere"), 0, TaskRun::Outcome::Verified)); // no warning
    QVERIFY(history.flush());
    QList<TaskRun> runs = history.runs(0, kAllTime);
    QCOMPARE(runs.size(), 3);
    QCOMPARE(runs[0].outcome, TaskRun::Outcome::Failed);
    QCOMPARE(runs[1].outcome, TaskRun::Outcome::Verified);
    QCOMPARE(runs[2].outcome, TaskRun::Outcome::Pending);

    // A clawback undoes a verified run.
    QVERIFY(history.setOutcome(QStringLiteral("t1"), 0, TaskRun::Outcome::Rejected, QStringLiteral("undone")));
    QVERIFY(history.flush());
    runs = history.runs(0, kAllTime);
    QCOMPARE(runs[1].outcome, TaskRun::Outcome::Rejected);
    QCOMPARE(runs[1].message, QStringLiteral("undone"));
    QCOMPARE(runs[0].outcome, TaskRun::Outcome::Failed);
}

void TaskHistoryTest::setOutcomeOfAnUnknownRunChangesNothing()
{
    QTemporaryDir dir;
    TaskHistory history(dir.filePath(QStringLiteral("history.sqlite")));
    QVERIFY2(history.open(), qPrintable(history.errorString()));
    QVERIFY(history.record(makeRun(QStringLiteral("known"), 10'000)));

    QTest::ignoreMessage(
        QtWarningMsg, QRegularExpression(QStringLiteral("run known \\(attempt 2\\).*no such run")));
    QTest::ignoreMessage(
        QtWarningMsg, QRegularExpression(QStringLiteral("run ghost \\(attempt 1\\).*no such run")));
    QVERIFY(history.setOutcome(QStringLiteral("known"), 2, TaskRun::Outcome::Verified));
    QVERIFY(history.setOutcome(QStringLiteral("ghost"), 1, TaskRun::Outcome::Verified));
    QVERIFY(history.flush());

    const QList<TaskRun> runs = history.runs(0, kAllTime);
    QCOMPARE(runs.size(), 1);
    QCOMPARE(runs[0].outcome, TaskRun::Outcome::Pending);

    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("task id is empty")));
    QVERIFY(!history.setOutcome(QString(), 1, TaskRun::Outcome::Verified));
}

void TaskHistoryTest::refusesBadRuns()
{
    QTemporaryDir dir;
    TaskHistory history(dir.filePath(QStringLiteral("history.sqlite")));

    QTest::ignoreMessage(
        QtWarningMsg, QRegularExpression(QStringLiteral("Not recording run early.*not open")));
    QVERIFY(!history.record(makeRun(QStringLiteral("early"), 10'000)));
    QVERIFY2(history.open(), qPrintable(history.errorString()));

    TaskRun noId = makeRun(QString(), 10'000);
    TaskRun backwards = makeRun(QStringLiteral("backwards"), 10'000);
    backwards.finishedMs = backwards.startedMs - 1;
    TaskRun tooManyFlops = makeRun(QStringLiteral("flops"), 10'000);
    tooManyFlops.flops = quint64(std::numeric_limits<qint64>::max()) + 1;
    TaskRun negativeEnergy = makeRun(QStringLiteral("energy"), 10'000);
    negativeEnergy.energyWh = -1;
    TaskRun noOutcome = makeRun(QStringLiteral("outcome"), 10'000);
    noOutcome.outcome = TaskRun::Outcome(0);

    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("task id is empty")));
    QTest::ignoreMessage(
        QtWarningMsg, QRegularExpression(QStringLiteral("run backwards.*finished .* before it started")));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("run flops.*FLOP count")));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("run energy.*energy -1 Wh")));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("run outcome.*outcome 0")));
    for (const TaskRun &bad : { noId, backwards, tooManyFlops, negativeEnergy, noOutcome })
        QVERIFY(!history.record(bad));

    // A run that starts and finishes in the same millisecond is fine.
    TaskRun instant = makeRun(QStringLiteral("instant"), 10'000);
    instant.startedMs = instant.finishedMs;
    QVERIFY(history.record(instant));
    const QList<TaskRun> runs = history.runs(0, kAllTime);
    QCOMPARE(runs.size(), 1);
    QCOMPARE(runs[0].taskId, QStringLiteral("instant"));
}

void TaskHistoryTest::aFailedCommitIsKeptAndRetried()
{
    QTemporaryDir dir;
    TaskHistory history(dir.filePath(QStringLiteral("history.sqlite")));
    QVERIFY2(history.open(), qPrintable(history.errorString()));
    std::mutex mutex;
    QStringList failures; // guarded by mutex
    connect(
        &history, &TaskHistory::writeFailed, &history,
        [&](const QString &error) {
            std::lock_guard lock(mutex);
            failures.append(error);
        },
        Qt::DirectConnection);

    // A trigger stands in for a disk that refuses the write.
    const QString outside = QStringLiteral("outside");
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), outside);
        db.setDatabaseName(history.databasePath());
        QVERIFY(db.open());
        QSqlQuery query(db);
        QVERIFY(query.exec(QStringLiteral("CREATE TRIGGER refuse BEFORE INSERT ON task_runs"
                                          " WHEN NEW.task_id = 'second'"
                                          " BEGIN SELECT RAISE(ABORT, 'the disk says no'); END")));
    }

    QVERIFY(history.record(makeRun(QStringLiteral("first"), 10'000)));
    QVERIFY(history.record(makeRun(QStringLiteral("second"), 20'000)));
    QTest::ignoreMessage(
        QtWarningMsg, QRegularExpression(QStringLiteral("Cannot commit 2 changes.*the disk says no")));
    QVERIFY(!history.flush());
    {
        std::lock_guard lock(mutex);
        QCOMPARE(failures.size(), 1);
        QVERIFY2(failures[0].contains(QLatin1String("the disk says no")), qPrintable(failures[0]));
    }

    // Nothing of the failed transaction is on disk, and a later change queues behind it.
    QVERIFY(history.setOutcome(QStringLiteral("second"), 1, TaskRun::Outcome::Verified));
    {
        QSqlDatabase db = QSqlDatabase::database(outside);
        QSqlQuery query(db);
        QVERIFY(query.exec(QStringLiteral("SELECT COUNT(*) FROM task_runs")) && query.next());
        QCOMPARE(query.value(0).toInt(), 0);
        QVERIFY(query.exec(QStringLiteral("DROP TRIGGER refuse")));
    }
    QSqlDatabase::removeDatabase(outside);

    QVERIFY(history.flush());
    const QList<TaskRun> runs = history.runs(0, kAllTime);
    QCOMPARE(runs.size(), 2);
    QCOMPARE(runs[0].taskId, QStringLiteral("first"));
    QCOMPARE(runs[1].taskId, QStringLiteral("second"));
    QCOMPARE(runs[1].outcome, TaskRun::Outcome::Verified);
}

void TaskHistoryTest::refusesANewerSchema()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("history.sqlite"));
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("future"));
        db.setDatabaseName(path);
        QVERIFY(db.open());
        QSqlQuery query(db);
        QVERIFY(query.exec(QStringLiteral("CREATE TABLE schema_version (version INTEGER NOT NULL)")));
        QVERIFY(query.exec(QStringLiteral("INSERT INTO schema_version (version) VALUES (2)")));
    }
    QSqlDatabase::removeDatabase(QStringLiteral("future"));

    TaskHistory history(path);
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("newer version")));
    QVERIFY(!history.open());
    QVERIFY2(history.errorString().contains(path), qPrintable(history.errorString()));
    QVERIFY2(
        history.errorString().contains(QLatin1String("schema version 2")), qPrintable(history.errorString()));
    QVERIFY2(history.errorString().contains(QLatin1String("newer version of Tributary")),
        qPrintable(history.errorString()));
    QVERIFY(!history.isOpen());
    QVERIFY2(!historyConnectionsLeft(), "a failed open left its connection behind");
}

void TaskHistoryTest::refusesAFileThatIsNotADatabase()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("history.sqlite"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(QByteArray("these are notes, not a database\n").repeated(64));
    file.close();

    TaskHistory history(path);
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("Cannot open the task history")));
    QVERIFY(!history.open());
    QVERIFY2(history.errorString().contains(path), qPrintable(history.errorString()));
    QVERIFY2(
        history.errorString().contains(QLatin1String("not a database")), qPrintable(history.errorString()));
}

void TaskHistoryTest::exportsCsvWithQuoting()
{
    QTemporaryDir dir;
    TaskHistory history(dir.filePath(QStringLiteral("history.sqlite")));
    QVERIFY2(history.open(), qPrintable(history.errorString()));
    TaskRun plain = makeRun(QStringLiteral("t1"), 1'700'000'000'123);
    plain.energyWh = 12.3;
    TaskRun tricky = makeRun(QStringLiteral("t2"), 1'700'000'060'000);
    tricky.jobId = QStringLiteral("job, with comma");
    tricky.outcome = TaskRun::Outcome::Rejected;
    tricky.message = QStringLiteral("said \"no\"\nthen left");
    QVERIFY(history.record(plain));
    QVERIFY(history.record(tricky));

    const QString csvPath = dir.filePath(QStringLiteral("export.csv"));
    QString error;
    QVERIFY2(history.exportCsv(csvPath, 0, kAllTime, &error), qPrintable(error));
    QFile csv(csvPath);
    QVERIFY(csv.open(QIODevice::ReadOnly));
    const QString text = QString::fromUtf8(csv.readAll());
    csv.close();
    // Split at CRLF only: the bare LF inside the quoted message belongs to the field.
    const QStringList lines = text.split(QLatin1String("\r\n"));
    QCOMPARE(lines.size(), 4);
    QCOMPARE(lines[0],
        QStringLiteral("task_id,job_id,attempt,device_id,started,finished,flops,credit_units,"
                       "energy_wh,outcome,message"));
    QCOMPARE(lines[1],
        QStringLiteral("t1,job-a,1,cuda:0,2023-11-14T22:13:15.123Z,2023-11-14T22:13:20.123Z,"
                       "1000000,1000000000,12.3,pending,ok"));
    QCOMPARE(lines[2],
        QStringLiteral("t2,\"job, with comma\",1,cuda:0,2023-11-14T22:14:15.000Z,"
                       "2023-11-14T22:14:20.000Z,1000000,1000000000,1.5,rejected,"
                       "\"said \"\"no\"\"\nthen left\""));
    QCOMPARE(lines[3], QString()); // the last row ends with CRLF too

    // A range with no runs still gets its header.
    QVERIFY2(history.exportCsv(csvPath, 0, 1, &error), qPrintable(error));
    QVERIFY(csv.open(QIODevice::ReadOnly));
    QCOMPARE(csv.readAll().count("\r\n"), 1);
}

void TaskHistoryTest::exportToAnUnwritablePathFails()
{
    QTemporaryDir dir;
    TaskHistory history(dir.filePath(QStringLiteral("history.sqlite")));
    QVERIFY2(history.open(), qPrintable(history.errorString()));
    QVERIFY(history.record(makeRun(QStringLiteral("t1"), 10'000)));

    const QString path = dir.filePath(QStringLiteral("no-such-folder/export.csv"));
    QString error;
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("Cannot export the task history")));
    QVERIFY(!history.exportCsv(path, 0, kAllTime, &error));
    QVERIFY2(error.contains(path), qPrintable(error));
    QVERIFY(!QFile::exists(path));
}

void TaskHistoryTest::flushWhileSeveralThreadsRecord()
{
    QTemporaryDir dir;
    TaskHistory history(dir.filePath(QStringLiteral("history.sqlite")));
    QVERIFY2(history.open(), qPrintable(history.errorString()));

    const int threads = 4;
    const int perThread = 200;
    std::atomic<int> refused = 0;
    std::atomic<int> failedFlushes = 0;
    std::vector<std::unique_ptr<QThread>> workers;
    for (int t = 0; t < threads; ++t) {
        workers.emplace_back(QThread::create([&, t] {
            for (int i = 0; i < perThread; ++i) {
                TaskRun run = makeRun(QStringLiteral("thread-%1-run-%2").arg(t).arg(i), 1'000'000 + i);
                run.deviceId = QStringLiteral("device-%1").arg(t);
                if (!history.record(run))
                    ++refused;
                // Flushes from every thread, interleaved with the others' records.
                if (i % 50 == 49 && !history.flush())
                    ++failedFlushes;
            }
        }));
        workers.back()->start();
    }
    for (auto &worker : workers)
        QVERIFY(worker->wait(10'000));
    QCOMPARE(refused.load(), 0);
    QCOMPARE(failedFlushes.load(), 0);

    QCOMPARE(history.totals(0, kAllTime).tasks, threads * perThread);
    const QList<TaskHistory::GroupTotals> devices = history.byDevice(0, kAllTime);
    QCOMPARE(devices.size(), threads);
    for (const TaskHistory::GroupTotals &device : devices)
        QCOMPARE(device.tasks, perThread);
}

void TaskHistoryTest::estimatesElectricityCost()
{
    QCOMPARE(estimatedCost(1500.0, 0.20), 0.30);
    QCOMPARE(estimatedCost(0.0, 0.20), 0.0);
}

QTEST_GUILESS_MAIN(TaskHistoryTest)
#include "task_history_test.moc"
