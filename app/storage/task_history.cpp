#include "app/storage/task_history.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QLocale>
#include <QLoggingCategory>
#include <QSaveFile>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTimer>
#include <QVariant>

#include <cmath>
#include <limits>

namespace tributary {

Q_LOGGING_CATEGORY(lcHistory, "tributary.history", QtInfoMsg)

// Lives on the writer thread: owns the thread's Qt SQL connection and the commit timer.
class TaskHistoryWriter : public QObject {
public:
    TaskHistoryWriter(QString path, QString connectionName)
        : m_path(std::move(path))
        , m_connection(std::move(connectionName))
    {
        m_commitTimer.setSingleShot(true);
        m_commitTimer.setInterval(TaskHistory::kCommitDelayMs);
    }

    QTimer &commitTimer() { return m_commitTimer; }
    QSqlDatabase database() const { return QSqlDatabase::database(m_connection, false); }

    bool open(QString *error);
    void close();

private:
    bool checkSchema(QSqlDatabase &db, QString *error);

    const QString m_path;
    const QString m_connection;
    QTimer m_commitTimer { this }; // a child, so that it moves to the writer thread with us
};

namespace {

const QString kRunColumns = QStringLiteral("task_id, job_id, attempt, device_id, started_ms, finished_ms, "
                                           "flops, credit_units, energy_wh, outcome, message");

// Prepares `sql`, binds `values` in order and runs it; logs why when it fails.
bool exec(QSqlQuery &query, const QString &sql, const QVariantList &values = {})
{
    if (!query.prepare(sql)) {
        qCWarning(lcHistory).noquote() << "Cannot prepare" << sql << ":" << query.lastError().text();
        return false;
    }
    for (const QVariant &value : values)
        query.addBindValue(value);
    if (!query.exec()) {
        qCWarning(lcHistory).noquote() << "Query failed:" << sql << ":" << query.lastError().text();
        return false;
    }
    return true;
}

// Runs a statement that returns nothing, filling *error with SQLite's reason on failure.
bool execOrExplain(QSqlDatabase &db, const QString &sql, QString *error)
{
    QSqlQuery query(db);
    if (query.exec(sql))
        return true;
    *error = query.lastError().text();
    return false;
}

TaskRun runFromRow(const QSqlQuery &query)
{
    TaskRun run;
    run.taskId = query.value(0).toString();
    run.jobId = query.value(1).toString();
    run.attempt = quint32(query.value(2).toLongLong());
    run.deviceId = query.value(3).toString();
    run.startedMs = query.value(4).toLongLong();
    run.finishedMs = query.value(5).toLongLong();
    run.flops = quint64(query.value(6).toLongLong());
    run.creditUnits = query.value(7).toLongLong();
    run.energyWh = query.value(8).toDouble();
    // The CHECK constraint keeps unknown names out of the table.
    run.outcome = taskOutcomeFromName(query.value(9).toString()).value_or(TaskRun::Outcome::Failed);
    run.message = query.value(10).toString();
    return run;
}

// Why `run` cannot be recorded; empty when it can.
QString invalidReason(const TaskRun &run)
{
    if (run.taskId.isEmpty())
        return QStringLiteral("the task id is empty");
    if (run.finishedMs < run.startedMs)
        return QStringLiteral("it finished (%1 ms) before it started (%2 ms)")
            .arg(run.finishedMs)
            .arg(run.startedMs);
    if (run.flops > quint64(std::numeric_limits<qint64>::max()))
        return QStringLiteral("its FLOP count %1 does not fit SQLite's 64-bit signed integers")
            .arg(run.flops);
    if (!std::isfinite(run.energyWh) || run.energyWh < 0)
        return QStringLiteral("its energy %1 Wh is not a non-negative number").arg(run.energyWh);
    if (taskOutcomeName(run.outcome).isEmpty())
        return QStringLiteral("its outcome %1 is not one of TaskRun::Outcome").arg(int(run.outcome));
    return {};
}

QString isoTime(qint64 ms)
{
    // Qt::UTC rather than QTimeZone::utc(): Qt 6.4 writes the former as "Z", the latter as "+00:00".
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs);
}

// Qt binds a null QString as SQL NULL; the columns are NOT NULL, and "" is what we mean.
QVariant text(const QString &value)
{
    return value.isNull() ? QVariant(QStringLiteral("")) : QVariant(value);
}

// One CSV field: quoted (quotes doubled) when it holds a comma, a quote or a line break.
QString csvField(const QString &value)
{
    if (!value.contains(QLatin1Char(',')) && !value.contains(QLatin1Char('"'))
        && !value.contains(QLatin1Char('\n')) && !value.contains(QLatin1Char('\r')))
        return value;
    QString quoted = value;
    quoted.replace(QLatin1String("\""), QLatin1String("\"\""));
    return QLatin1Char('"') + quoted + QLatin1Char('"');
}

} // namespace

bool TaskHistoryWriter::open(QString *error)
{
    const QFileInfo file(m_path);
    if (!QDir().mkpath(file.absolutePath())) {
        *error = QStringLiteral("cannot create the folder %1").arg(file.absolutePath());
        return false;
    }
    bool ok = false;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connection);
        if (!db.isValid()) {
            *error = QStringLiteral("Qt's SQLite driver (QSQLITE) is not installed");
        } else {
            db.setDatabaseName(m_path);
            // Another process (a second app instance, a backup tool) may hold the file briefly.
            db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
            if (!db.open()) {
                *error = db.lastError().text();
            } else {
                QSqlQuery mode(db);
                if (!mode.exec(QStringLiteral("PRAGMA journal_mode=WAL")) || !mode.next()) {
                    *error = mode.lastError().text();
                } else if (const QString journal = mode.value(0).toString();
                           journal.compare(QLatin1String("wal"), Qt::CaseInsensitive) != 0) {
                    *error = QStringLiteral("cannot use write-ahead logging (journal mode stays %1)")
                                 .arg(journal);
                } else {
                    mode.finish(); // an active statement would keep the schema transaction from committing
                    // NORMAL is crash-safe under WAL and saves an fsync per commit.
                    ok = execOrExplain(db, QStringLiteral("PRAGMA synchronous=NORMAL"), error)
                        && checkSchema(db, error);
                }
            }
        }
    }
    if (!ok)
        close();
    return ok;
}

bool TaskHistoryWriter::checkSchema(QSqlDatabase &db, QString *error)
{
    if (!db.transaction()) {
        *error = db.lastError().text();
        return false;
    }
    auto fail = [&](const QString &reason) {
        *error = reason;
        db.rollback();
        return false;
    };
    if (!execOrExplain(db,
            QStringLiteral("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"), error))
        return fail(*error);
    QSqlQuery version(db);
    if (!version.exec(QStringLiteral("SELECT MAX(version) FROM schema_version")) || !version.next())
        return fail(version.lastError().text());
    const QVariant found = version.value(0);
    version.finish(); // an active statement would keep the transaction from committing
    if (found.isNull()) {
        const char *const statements[] = {
            "CREATE TABLE task_runs ("
            " task_id TEXT NOT NULL CHECK (task_id <> ''),"
            " attempt INTEGER NOT NULL,"
            " job_id TEXT NOT NULL,"
            " device_id TEXT NOT NULL,"
            " started_ms INTEGER NOT NULL,"
            " finished_ms INTEGER NOT NULL CHECK (finished_ms >= started_ms),"
            " flops INTEGER NOT NULL,"
            " credit_units INTEGER NOT NULL,"
            " energy_wh REAL NOT NULL,"
            " outcome TEXT NOT NULL"
            "  CHECK (outcome IN ('pending', 'verified', 'rejected', 'failed', 'handed-back')),"
            " message TEXT NOT NULL,"
            " PRIMARY KEY (task_id, attempt))",
            // Every dashboard query selects a range of finish times.
            "CREATE INDEX task_runs_by_finish ON task_runs (finished_ms)",
            "INSERT INTO schema_version (version) VALUES (1)",
        };
        for (const char *statement : statements) {
            if (!execOrExplain(db, QString::fromLatin1(statement), error))
                return fail(*error);
        }
    } else {
        if (found.toInt() > TaskHistory::kSchemaVersion) {
            return fail(
                QStringLiteral("it was written by a newer version of Tributary (schema version %1; this "
                               "version reads up to %2). Update Tributary, or move the file away to start "
                               "a new history.")
                    .arg(found.toInt())
                    .arg(TaskHistory::kSchemaVersion));
        }
        if (found.toInt() < 1)
            return fail(QStringLiteral("its schema version %1 is not one Tributary ever wrote")
                            .arg(found.toString()));
    }
    if (!db.commit())
        return fail(db.lastError().text());
    return true;
}

void TaskHistoryWriter::close()
{
    m_commitTimer.stop();
    if (!QSqlDatabase::contains(m_connection))
        return;
    database().close();
    // Every QSqlDatabase and QSqlQuery on the connection is gone by now, as removeDatabase needs.
    QSqlDatabase::removeDatabase(m_connection);
}

TaskHistory::TaskHistory(QString databasePath, QObject *parent)
    : QObject(parent)
    , m_databasePath(std::move(databasePath))
{
    m_writer = new TaskHistoryWriter(
        m_databasePath, QStringLiteral("tributary-history-%1").arg(quintptr(this), 0, 16));
    connect(&m_writer->commitTimer(), &QTimer::timeout, m_writer, [this] { commitPending(); });
    m_writer->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_writer, &QObject::deleteLater);
    m_thread.setObjectName(QStringLiteral("tributary-history"));
    m_thread.start();
}

TaskHistory::~TaskHistory()
{
    if (m_open)
        flush();
    m_open = false; // a straggling record() is refused with a warning rather than lost silently
    onWriter([this] { m_writer->close(); });
    m_thread.quit();
    m_thread.wait();
}

bool TaskHistory::open()
{
    if (m_open)
        return true;
    QString error;
    bool ok = false;
    onWriter([&] { ok = m_writer->open(&error); });
    m_error
        = ok ? QString() : QStringLiteral("Cannot open the task history %1: %2").arg(m_databasePath, error);
    if (!ok)
        qCWarning(lcHistory).noquote() << m_error;
    m_open = ok;
    return ok;
}

QString TaskHistory::errorString() const
{
    return m_error;
}

bool TaskHistory::record(const TaskRun &run)
{
    const QString reason = m_open ? invalidReason(run) : QStringLiteral("the task history is not open");
    if (!reason.isEmpty()) {
        qCWarning(lcHistory).noquote() << QStringLiteral("Not recording run %1 (attempt %2): %3")
                                              .arg(run.taskId, QString::number(run.attempt), reason);
        return false;
    }
    enqueue({ false, run });
    return true;
}

bool TaskHistory::setOutcome(
    const QString &taskId, quint32 attempt, TaskRun::Outcome outcome, const QString &message)
{
    QString reason;
    if (!m_open)
        reason = QStringLiteral("the task history is not open");
    else if (taskId.isEmpty())
        reason = QStringLiteral("the task id is empty");
    else if (taskOutcomeName(outcome).isEmpty())
        reason = QStringLiteral("outcome %1 is not one of TaskRun::Outcome").arg(int(outcome));
    if (!reason.isEmpty()) {
        qCWarning(lcHistory).noquote() << QStringLiteral("Not setting the outcome of run %1 (attempt %2): %3")
                                              .arg(taskId, QString::number(attempt), reason);
        return false;
    }
    PendingChange change { true, {} };
    change.run.taskId = taskId;
    change.run.attempt = attempt;
    change.run.outcome = outcome;
    change.run.message = message;
    enqueue(std::move(change));
    return true;
}

void TaskHistory::enqueue(PendingChange change)
{
    bool schedule = false;
    {
        QMutexLocker lock(&m_mutex);
        m_pending.push_back(std::move(change));
        schedule = !m_commitScheduled;
        m_commitScheduled = true;
    }
    // Only the first change of a batch starts the timer; the rest ride along.
    if (schedule) {
        TaskHistoryWriter *writer = m_writer;
        QMetaObject::invokeMethod(
            writer, [writer] { writer->commitTimer().start(); }, Qt::QueuedConnection);
    }
}

bool TaskHistory::flush()
{
    if (!m_open)
        return false;
    bool ok = false;
    onWriter([&] { ok = commitPending(); });
    return ok;
}

bool TaskHistory::commitPending()
{
    m_writer->commitTimer().stop();
    std::vector<PendingChange> changes;
    {
        QMutexLocker lock(&m_mutex);
        changes.swap(m_pending);
        m_commitScheduled = false;
    }
    if (changes.empty())
        return true;

    QString error;
    if (!writeChanges(changes, &error)) {
        qCWarning(lcHistory).noquote()
            << QStringLiteral("Cannot commit %1 changes to the task history %2: %3; "
                              "retrying in %4 ms")
                   .arg(QString::number(changes.size()), m_databasePath, error,
                       QString::number(kCommitDelayMs));
        {
            // Back in front of anything queued meanwhile, so that the order is kept.
            QMutexLocker lock(&m_mutex);
            m_pending.insert(m_pending.begin(), std::make_move_iterator(changes.begin()),
                std::make_move_iterator(changes.end()));
            m_commitScheduled = true;
        }
        m_writer->commitTimer().start();
        Q_EMIT writeFailed(error);
        return false;
    }
    Q_EMIT committed(int(changes.size()));
    return true;
}

bool TaskHistory::writeChanges(const std::vector<PendingChange> &changes, QString *error)
{
    QSqlDatabase db = m_writer->database();
    if (!db.transaction()) {
        *error = db.lastError().text();
        return false;
    }
    auto fail = [&](const QSqlQuery &query) {
        *error = query.lastError().text();
        db.rollback();
        return false;
    };
    QSqlQuery insert(db);
    if (!insert.prepare(QStringLiteral("INSERT OR REPLACE INTO task_runs (%1)"
                                       " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                            .arg(kRunColumns)))
        return fail(insert);
    QSqlQuery update(db);
    if (!update.prepare(
            QStringLiteral("UPDATE task_runs SET outcome = ?, message = COALESCE(NULLIF(?, ''), message)"
                           " WHERE task_id = ? AND (attempt = ? OR (? = 0 AND outcome IN ('pending', 'verified')))")))
        return fail(update);

    for (const PendingChange &change : changes) {
        const TaskRun &run = change.run;
        const QString outcome = taskOutcomeName(run.outcome);
        if (!change.outcomeOnly) {
            const QVariantList values = { QVariant(run.taskId), text(run.jobId),
                QVariant(qint64(run.attempt)), text(run.deviceId), QVariant(run.startedMs),
                QVariant(run.finishedMs), QVariant(qint64(run.flops)), QVariant(run.creditUnits),
                QVariant(run.energyWh), QVariant(outcome), text(run.message) };
            for (const QVariant &value : values)
                insert.addBindValue(value);
            if (!insert.exec())
                return fail(insert);
            continue;
        }
        for (const QVariant &value :
            { QVariant(outcome), text(run.message), QVariant(run.taskId), QVariant(qint64(run.attempt)),
                QVariant(qint64(run.attempt)) })
            update.addBindValue(value);
        if (!update.exec())
            return fail(update);
        if (update.numRowsAffected() == 0 && run.attempt != 0) {
            qCWarning(lcHistory).noquote() << QStringLiteral(
                "Not setting the outcome of run %1 (attempt %2) to %3: no such run is recorded")
                                                  .arg(run.taskId, QString::number(run.attempt), outcome);
        }
    }
    if (!db.commit()) {
        *error = db.lastError().text();
        db.rollback();
        return false;
    }
    return true;
}

void TaskHistory::onWriter(const std::function<void()> &work)
{
    if (QThread::currentThread() == &m_thread)
        work();
    else
        QMetaObject::invokeMethod(m_writer, work, Qt::BlockingQueuedConnection);
}

void TaskHistory::read(const std::function<void(QSqlQuery &)> &work)
{
    if (!m_open)
        return;
    onWriter([&] {
        // Commit first, so that a query sees every change recorded before it.
        commitPending();
        QSqlQuery query(m_writer->database());
        work(query);
    });
}

TaskHistory::Totals TaskHistory::totals(qint64 fromMs, qint64 toMs)
{
    Totals totals;
    read([&](QSqlQuery &query) {
        if (!exec(query,
                QStringLiteral(
                    "SELECT COUNT(*),"
                    " COALESCE(SUM(CASE WHEN outcome = 'verified' THEN credit_units END), 0),"
                    " COALESCE(SUM(CASE WHEN outcome = 'pending' THEN credit_units END), 0),"
                    " COALESCE(SUM(outcome = 'rejected'), 0), COALESCE(SUM(outcome = 'failed'), 0),"
                    " TOTAL(flops), TOTAL(energy_wh)"
                    " FROM task_runs WHERE finished_ms >= ? AND finished_ms < ?"),
                { fromMs, toMs })
            || !query.next())
            return;
        totals.tasks = query.value(0).toLongLong();
        totals.verifiedUnits = query.value(1).toLongLong();
        totals.pendingUnits = query.value(2).toLongLong();
        totals.rejected = query.value(3).toLongLong();
        totals.failed = query.value(4).toLongLong();
        totals.flops = query.value(5).toDouble();
        totals.energyWh = query.value(6).toDouble();
    });
    return totals;
}

QList<TaskHistory::DayCredits> TaskHistory::creditsPerDay(qint64 fromMs, qint64 toMs)
{
    QList<DayCredits> days;
    read([&](QSqlQuery &query) {
        // SQLite's 'localtime' and QDateTime both follow the C library's time zone (TZ).
        if (!exec(query,
                QStringLiteral("SELECT date(finished_ms / 1000, 'unixepoch', 'localtime') AS day,"
                               " COALESCE(SUM(CASE WHEN outcome = 'verified' THEN credit_units END), 0),"
                               " COALESCE(SUM(CASE WHEN outcome = 'pending' THEN credit_units END), 0)"
                               " FROM task_runs WHERE finished_ms >= ? AND finished_ms < ?"
                               " GROUP BY day ORDER BY day"),
                { fromMs, toMs }))
            return;
        while (query.next()) {
            days.append({ QDate::fromString(query.value(0).toString(), Qt::ISODate),
                query.value(1).toLongLong(), query.value(2).toLongLong() });
        }
    });
    return days;
}

QList<TaskHistory::GroupTotals> TaskHistory::byDevice(qint64 fromMs, qint64 toMs)
{
    return groupTotals(QStringLiteral("device_id"), fromMs, toMs);
}

QList<TaskHistory::GroupTotals> TaskHistory::byJob(qint64 fromMs, qint64 toMs)
{
    return groupTotals(QStringLiteral("job_id"), fromMs, toMs);
}

QList<TaskHistory::GroupTotals> TaskHistory::groupTotals(const QString &column, qint64 fromMs, qint64 toMs)
{
    QList<GroupTotals> groups;
    read([&](QSqlQuery &query) {
        if (!exec(query,
                QStringLiteral("SELECT %1, COUNT(*),"
                               " COALESCE(SUM(CASE WHEN outcome = 'verified' THEN credit_units END), 0),"
                               " COALESCE(SUM(CASE WHEN outcome = 'pending' THEN credit_units END), 0),"
                               " TOTAL(energy_wh)"
                               " FROM task_runs WHERE finished_ms >= ? AND finished_ms < ?"
                               " GROUP BY %1 ORDER BY %1")
                    .arg(column),
                { fromMs, toMs }))
            return;
        while (query.next()) {
            groups.append({ query.value(0).toString(), query.value(1).toLongLong(),
                query.value(2).toLongLong(), query.value(3).toLongLong(), query.value(4).toDouble() });
        }
    });
    return groups;
}

QList<TaskRun> TaskHistory::recent(int limit)
{
    QList<TaskRun> runs;
    if (limit <= 0)
        return runs;
    read([&](QSqlQuery &query) {
        if (!exec(query,
                QStringLiteral("SELECT %1 FROM task_runs ORDER BY finished_ms DESC, rowid DESC LIMIT ?")
                    .arg(kRunColumns),
                { limit }))
            return;
        while (query.next())
            runs.append(runFromRow(query));
    });
    return runs;
}

QList<TaskRun> TaskHistory::runs(qint64 fromMs, qint64 toMs)
{
    QList<TaskRun> runs;
    read([&](QSqlQuery &query) {
        if (!exec(query,
                QStringLiteral("SELECT %1 FROM task_runs WHERE finished_ms >= ? AND finished_ms < ?"
                               " ORDER BY finished_ms, rowid")
                    .arg(kRunColumns),
                { fromMs, toMs }))
            return;
        while (query.next())
            runs.append(runFromRow(query));
    });
    return runs;
}

bool TaskHistory::exportCsv(const QString &path, qint64 fromMs, qint64 toMs, QString *error)
{
    auto fail = [&](const QString &reason) {
        const QString message = QStringLiteral("Cannot export the task history to %1: %2").arg(path, reason);
        qCWarning(lcHistory).noquote() << message;
        if (error)
            *error = message;
        return false;
    };
    if (path.isEmpty())
        return fail(QStringLiteral("no file name given"));
    if (!m_open)
        return fail(QStringLiteral("the task history is not open"));

    // Read first, write on the caller's thread: the writer is not held up by the file.
    const QList<TaskRun> rows = runs(fromMs, toMs);
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return fail(file.errorString());
    QString text
        = QStringLiteral("task_id,job_id,attempt,device_id,started,finished,flops,credit_units,energy_wh,"
                         "outcome,message\r\n");
    for (const TaskRun &run : rows) {
        const QStringList fields = { csvField(run.taskId), csvField(run.jobId), QString::number(run.attempt),
            csvField(run.deviceId), isoTime(run.startedMs), isoTime(run.finishedMs),
            QString::number(run.flops), QString::number(run.creditUnits),
            QString::number(run.energyWh, 'g', QLocale::FloatingPointShortest), taskOutcomeName(run.outcome),
            csvField(run.message) };
        text += fields.join(QLatin1Char(',')) + QLatin1String("\r\n");
    }
    if (file.write(text.toUtf8()) < 0 || !file.commit())
        return fail(file.errorString());
    return true;
}

} // namespace tributary
