#pragma once

// EarningsTracker: settles the task history's pending runs from the coordinator's ledger.
// A run is submitted as pending; when the ledger pays this account for its task the run
// becomes verified (the credits are earned), and a clawback (its node was caught cheating)
// makes it rejected. It reads the account's newest ledger entries every kIntervalMs, on
// a thread of its own ("tributary-earnings"), back to the newest entry it has seen.
//
//   EarningsTracker tracker(endpoint, history);
//   tracker.start();
//   connect(&tracker, &EarningsTracker::polled, dashboard, &Dashboard::refresh);

#include "app/client/channel.h"

#include <QObject>
#include <QThread>

namespace tributary {

class TaskHistory;
class EarningsWorker;

class EarningsTracker : public QObject {
    Q_OBJECT
public:
    static constexpr int kIntervalMs = 10'000;

    // `history` must outlive the tracker.
    EarningsTracker(client::Endpoint endpoint, TaskHistory &history, QObject *parent = nullptr);
    ~EarningsTracker() override; // stops and joins the thread

    void start();
    // Reads the ledger now (queued to the tracker's thread; `polled` tells when done).
    void pollNow();

Q_SIGNALS:
    // After each read: how many payments and clawbacks were new, or what went wrong.
    void polled(int settled, const QString &error);

private:
    QThread m_thread;
    EarningsWorker *m_worker; // lives on m_thread; deleted when it finishes
};

} // namespace tributary
