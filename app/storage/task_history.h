#pragma once

// TaskHistory: the contributor's local record of every task this machine ran, kept in an
// SQLite file so that the Earnings dashboard can show what was earned, when, on which
// device and for which job, and what the electricity cost.
//
//   TaskHistory history(dataDirectory + "/history.sqlite");
//   if (!history.open())
//       qWarning() << history.errorString();
//   history.record(run);                                    // from any thread, never blocks on disk
//   history.setOutcome(taskId, attempt, TaskRun::Outcome::Verified);
//   TaskHistory::Totals month = history.totals(fromMs, toMs);
//   double net = double(month.verifiedUnits) / kCreditUnitsPerCredit * creditPrice
//              - estimatedCost(month.energyWh, pricePerKWh);
//
// Threads. Every database access happens on one thread the history owns, named
// "tributary-history", through its own Qt SQL connection (a connection may only be used
// on the thread that opened it). record() and setOutcome() check their input, queue the
// change and return; the writer commits what has queued up in one transaction at most
// kCommitDelayMs after the first change arrived, so a burst of results costs one disk
// sync. flush() waits until everything queued so far is committed.
//
// Queries run on the writer thread too: the calling thread blocks while the writer first
// commits what is queued and then reads. So a query always sees every change recorded
// before it, and no second connection has to be kept per calling thread. They may be
// called from any thread, the writer included (a slot connected directly to committed()),
// where they simply run in place.
//
// Durability. The file uses WAL with synchronous=NORMAL: a committed run survives the app
// being killed; a power cut may lose the last commits, never corrupt the file. Runs still
// queued when the process dies are lost, which is at most kCommitDelayMs of results.
//
// Time ranges are half-open, [fromMs, toMs), on the run's finishedMs. Days are local
// calendar days (the dashboard's user lives there, not in UTC).
//
// Logging goes to the category "tributary.history".

#include "app/storage/task_run.h"

#include <QDate>
#include <QList>
#include <QMutex>
#include <QObject>
#include <QString>
#include <QThread>

#include <atomic>
#include <functional>
#include <vector>

class QSqlQuery;

namespace tributary {

class TaskHistoryWriter;

// What the electricity for `energyWh` costs at `pricePerKWh` (in the user's currency).
inline double estimatedCost(double energyWh, double pricePerKWh)
{
    return energyWh / 1000.0 * pricePerKWh;
}

class TaskHistory : public QObject {
    Q_OBJECT
public:
    // The schema this build writes; a file with a newer one is refused, not misread.
    static constexpr int kSchemaVersion = 1;
    // The longest a recorded change waits before it is committed.
    static constexpr int kCommitDelayMs = 500;

    struct Totals {
        qint64 tasks = 0; // runs in the range, whatever their outcome
        qint64 verifiedUnits = 0; // credits earned (credit units)
        qint64 pendingUnits = 0; // credits waiting for verification (credit units)
        qint64 rejected = 0; // runs the coordinator rejected
        qint64 failed = 0; // runs that failed on this machine
        // A double: a busy GPU passes 2^64 FLOP within days, and a dashboard shows 3 digits.
        double flops = 0;
        double energyWh = 0;
    };
    struct DayCredits {
        QDate day; // local date
        qint64 verifiedUnits = 0;
        qint64 pendingUnits = 0;
    };
    // Totals for one device or one job.
    struct GroupTotals {
        QString key; // device id or job id
        qint64 tasks = 0;
        qint64 verifiedUnits = 0;
        qint64 pendingUnits = 0;
        double energyWh = 0;
    };

    // Nothing is opened until open(); the writer thread starts here.
    explicit TaskHistory(QString databasePath, QObject *parent = nullptr);
    // Commits what is queued, closes the connection and stops the writer thread.
    ~TaskHistory() override;

    TaskHistory(const TaskHistory &) = delete;
    TaskHistory &operator=(const TaskHistory &) = delete;

    // Opens (creating the file and its folder if needed) and checks the schema. On failure
    // errorString() names the file and the reason, e.g. a newer schema version.
    bool open();
    bool isOpen() const { return m_open; }
    QString errorString() const;
    QString databasePath() const { return m_databasePath; }

    // Queues a run (a run with the same taskId and attempt is replaced). Refused, with a
    // warning and nothing written, when the history is not open or the run is invalid:
    // empty taskId, finishedMs before startedMs, flops over 2^63 - 1, negative or NaN
    // energy, an outcome out of range. Returns whether it was queued.
    bool record(const TaskRun &run);
    // Queues a change of a recorded run's outcome; a non-empty `message` replaces the
    // run's message. A run that is not recorded (when the change is committed) is left
    // alone with a warning. Attempt 0 means every run of the task that is pending or
    // verified, whatever its attempt, and no warning when there is none: the ledger names
    // the tasks it pays, not the attempts. Returns whether it was queued.
    bool setOutcome(
        const QString &taskId, quint32 attempt, TaskRun::Outcome outcome, const QString &message = {});
    // Blocks until everything queued before the call is committed. False when the history
    // is not open or the commit failed (the changes stay queued and are retried).
    bool flush();

    // Queries (blocking; see Threads above). Empty when the history is not open, and on a
    // database error (with a warning).
    Totals totals(qint64 fromMs, qint64 toMs);
    // One entry per local day that has runs, oldest first.
    QList<DayCredits> creditsPerDay(qint64 fromMs, qint64 toMs);
    // Sorted by key.
    QList<GroupTotals> byDevice(qint64 fromMs, qint64 toMs);
    QList<GroupTotals> byJob(qint64 fromMs, qint64 toMs);
    // The `limit` runs that finished last, newest first.
    QList<TaskRun> recent(int limit);
    // Every run in the range, oldest first.
    QList<TaskRun> runs(qint64 fromMs, qint64 toMs);

    // Writes the runs in the range as CSV (RFC 4180: CRLF line ends, fields with commas,
    // quotes or line breaks quoted): a header row, then one row per run, oldest first,
    // with times in ISO 8601 UTC. The file is replaced only once it is complete. On
    // failure returns false and sets *error (if given) to a message naming the file.
    bool exportCsv(const QString &path, qint64 fromMs, qint64 toMs, QString *error = nullptr);

Q_SIGNALS:
    // Emitted on the writer thread after each transaction, with the number of changes it
    // held: the dashboard's cue to query again.
    void committed(int changes);
    // A commit failed (disk full, file removed...). The changes stay queued and are
    // retried after kCommitDelayMs.
    void writeFailed(const QString &error);

private:
    struct PendingChange {
        bool outcomeOnly = false; // setOutcome(): only taskId, attempt, outcome, message count
        TaskRun run;
    };

    void enqueue(PendingChange change);
    // Writer thread only: commits the queue in one transaction.
    bool commitPending();
    // Writer thread only: one transaction; on failure rolls back and says why.
    bool writeChanges(const std::vector<PendingChange> &changes, QString *error);
    // Runs `work` on the writer thread and waits for it.
    void onWriter(const std::function<void()> &work);
    // Runs a query on the writer thread, after committing what is queued.
    void read(const std::function<void(QSqlQuery &)> &work);
    QList<GroupTotals> groupTotals(const QString &column, qint64 fromMs, qint64 toMs);

    const QString m_databasePath;
    QThread m_thread;
    TaskHistoryWriter *m_writer; // lives on m_thread; deleted when the thread finishes
    std::atomic<bool> m_open = false;
    QString m_error; // set by open() only

    QMutex m_mutex;
    std::vector<PendingChange> m_pending; // guarded by m_mutex
    bool m_commitScheduled = false; // guarded by m_mutex
};

} // namespace tributary
