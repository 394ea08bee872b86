#include "app/contributor/earnings_tracker.h"

#include "app/client/ledger_client.h"
#include "app/logging_categories.h"
#include "app/storage/task_history.h"

#include <QTimer>

namespace tributary {

// The tracker's worker: owns the gRPC client and the timer, on the tracker's thread.
class EarningsWorker : public QObject {
    Q_OBJECT
public:
    EarningsWorker(client::Endpoint endpoint, TaskHistory &history)
        : m_endpoint(std::move(endpoint))
        , m_history(history)
    {
    }

    void start()
    {
        auto *timer = new QTimer(this);
        timer->setInterval(EarningsTracker::kIntervalMs);
        connect(timer, &QTimer::timeout, this, &EarningsWorker::poll);
        timer->start();
        poll();
    }

    void poll()
    {
        // Made here, on the tracker's thread, by the first read (start() or pollNow()).
        if (!m_ledger)
            m_ledger = std::make_unique<client::LedgerClient>(m_endpoint);
        // Newest first, page by page, back to the newest entry seen last time.
        std::int64_t before = 0;
        std::int64_t newest = m_newestSeen;
        int settled = 0;
        for (int page = 0; page < kMaxPages; ++page) {
            v1::ListEntriesResponse response;
            if (const grpc::Status status = m_ledger->entries(before, kPageSize, &response); !status.ok()) {
                const QString error = client::describeStatus(status);
                qCDebug(lcContributor).noquote() << "reading the ledger:" << error;
                Q_EMIT polled(settled, error);
                return;
            }
            bool reachedSeen = false;
            for (const v1::LedgerEntry &entry : response.entries()) {
                if (entry.entry_id() <= m_newestSeen) {
                    reachedSeen = true;
                    break;
                }
                newest = std::max(newest, entry.entry_id());
                if (entry.task_id().empty())
                    continue;
                const QString taskId = QString::fromStdString(entry.task_id());
                if (entry.kind() == "payment" && entry.amount_units() > 0) {
                    m_history.setOutcome(taskId, 0, TaskRun::Outcome::Verified);
                    ++settled;
                } else if (entry.kind() == "clawback" && entry.amount_units() < 0) {
                    m_history.setOutcome(taskId, 0, TaskRun::Outcome::Rejected,
                        QStringLiteral("undone: %1").arg(QString::fromStdString(entry.memo())));
                    ++settled;
                }
            }
            if (reachedSeen || response.entries_size() < int(kPageSize))
                break;
            before = response.entries(response.entries_size() - 1).entry_id();
        }
        m_newestSeen = newest;
        Q_EMIT polled(settled, {});
    }

Q_SIGNALS:
    void polled(int settled, const QString &error);

private:
    static constexpr std::uint32_t kPageSize = 500;
    static constexpr int kMaxPages = 20; // a first read settles the newest 10,000 entries

    client::Endpoint m_endpoint;
    TaskHistory &m_history;
    std::unique_ptr<client::LedgerClient> m_ledger;
    std::int64_t m_newestSeen = 0;
};

EarningsTracker::EarningsTracker(client::Endpoint endpoint, TaskHistory &history, QObject *parent)
    : QObject(parent)
    , m_worker(new EarningsWorker(std::move(endpoint), history))
{
    m_thread.setObjectName(QStringLiteral("tributary-earnings"));
    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    connect(m_worker, &EarningsWorker::polled, this, &EarningsTracker::polled);
    m_thread.start();
}

EarningsTracker::~EarningsTracker()
{
    m_thread.quit();
    m_thread.wait();
}

void EarningsTracker::start()
{
    QMetaObject::invokeMethod(m_worker, &EarningsWorker::start, Qt::QueuedConnection);
}

void EarningsTracker::pollNow()
{
    QMetaObject::invokeMethod(m_worker, &EarningsWorker::poll, Qt::QueuedConnection);
}

} // namespace tributary

#include "earnings_tracker.moc"
