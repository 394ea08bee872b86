// Durability under fire: the coordinator is killed with SIGKILL at random moments, again
// and again, while two nodes run a replicate(2) job against it, and restarted each time on
// the same database and port. Afterwards the database must hold exactly what a run with no
// kills would: every task DONE with exactly two accepted results from two different
// nodes, no result paid twice or left unpaid, a ledger whose books balance, an empty
// escrow, and the right product. The kills land wherever they land (the seed is logged);
// SQLite's WAL and the one-transaction-per-change rule are what make that safe.

#include "app/client/channel.h"
#include "app/client/job_client.h"
#include "app/jobs/sample_job.h"
#include "coordinator/ledger/ledger.h"
#include "coordinator/ledger/pricing.h"
#include "coordinator/store/sqlite_store.h"
#include "engine/engine.h"
#include "tests/app/test_processes.h"

#include <QElapsedTimer>
#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

#include <map>
#include <set>

using namespace tributary;

class CoordinatorKillLoopE2eTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void randomKillsLoseAndDuplicateNothing();
};

namespace {

QProcess *startNode(const QString &address, const QString &tokenFile, const QString &name, QObject *parent)
{
    auto *node = new QProcess(parent);
    node->setProcessChannelMode(QProcess::MergedChannels);
    node->start(test::binaryPath(QStringLiteral("tributary-node")),
                {QStringLiteral("--coordinator"), address, QStringLiteral("--token-file"), tokenFile,
                 QStringLiteral("--device"), QStringLiteral("cpu:0"), QStringLiteral("--name"), name,
                 QStringLiteral("--history"),
                 QFileInfo(tokenFile).absoluteDir().filePath(name + QStringLiteral("-history.sqlite"))});
    return node;
}

} // namespace

void CoordinatorKillLoopE2eTest::randomKillsLoseAndDuplicateNothing()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString database = dir.filePath(QStringLiteral("coordinator.db"));
    // Short leases and backoff, so that work held at a kill comes back quickly.
    const QStringList coordinatorArguments{QStringLiteral("--lease-ms"), QStringLiteral("1000"),
                                           QStringLiteral("--max-attempts"), QStringLiteral("100")};

    auto coordinator = std::make_unique<QProcess>();
    QString log;
    const QString address = test::startCoordinator(*coordinator, QStringLiteral("127.0.0.1:0"), database,
                                                   coordinatorArguments, &log);
    QVERIFY2(!address.isEmpty(), qPrintable("coordinator did not start: " + log));
    const QString tokenFile = database + QStringLiteral(".admin-token");
    QString tokenError;
    const client::Endpoint endpoint{address, client::readTokenFile(tokenFile, &tokenError), {}};
    QVERIFY2(!endpoint.token.isEmpty(), qPrintable(tokenError));

    QProcess *first = startNode(address, tokenFile, QStringLiteral("kill-loop-1"), this);
    QProcess *second = startNode(address, tokenFile, QStringLiteral("kill-loop-2"), this);
    QVERIFY(first->waitForStarted() && second->waitForStarted());

    v1::JobSpec spec;
    spec.set_name("kill loop");
    v1::GemmJobSpec *gemm = spec.mutable_gemm();
    gemm->set_m(384);
    gemm->set_n(384);
    gemm->set_k(64);
    gemm->set_tile_m(16);
    gemm->set_tile_n(16);
    gemm->set_seed(4242);
    spec.mutable_verification()->mutable_replicate()->set_k(2);
    const quint32 totalTasks = 24 * 24;

    v1::SubmitJobResponse submitted;
    {
        client::JobClient jobs(endpoint);
        const grpc::Status status = jobs.submitJob(spec, &submitted);
        QVERIFY2(status.ok(), qPrintable(client::describeStatus(status)));
    }
    QCOMPARE(submitted.task_count(), totalTasks);
    const QString jobId = QString::fromStdString(submitted.job_id());

    const quint64 seed = QRandomGenerator::global()->generate64();
    qInfo("kill loop seed %llu", static_cast<unsigned long long>(seed));
    QRandomGenerator random(seed);
    int kills = 0;
    v1::JobStatus status;
    QElapsedTimer elapsed;
    elapsed.start();
    while (kills < 12 && elapsed.elapsed() < 240000) {
        QTest::qWait(int(random.bounded(150, 700)));
        {
            client::JobClient jobs(endpoint);
            if (jobs.getJob(jobId, &status).ok() && status.state() == v1::JOB_STATE_COMPLETED)
                break;
        }
        coordinator->kill();
        QVERIFY(coordinator->waitForFinished(10000));
        ++kills;
        coordinator = std::make_unique<QProcess>();
        const QString again = test::startCoordinator(*coordinator, address, database, coordinatorArguments, &log);
        QVERIFY2(again == address, qPrintable(QStringLiteral("restart %1 failed: %2").arg(kills).arg(log)));
    }
    qInfo("killed the coordinator %d times", kills);
    QVERIFY2(kills >= 3, "the job finished before three kills; make it bigger");

    client::JobClient jobs(endpoint);
    QTRY_VERIFY_WITH_TIMEOUT(jobs.getJob(jobId, &status).ok() && status.state() == v1::JOB_STATE_COMPLETED, 300000);
    QCOMPARE(status.tasks_done(), totalTasks);
    v1::JobResult result;
    const grpc::Status call = jobs.getJobResult(jobId, &result);
    QVERIFY2(call.ok(), qPrintable(client::describeStatus(call)));
    const engine::Engine engine(engine::LogCallback{}, engine::SelfTest::Skip);
    QString detail;
    QVERIFY2(checkGemmResultLocally(engine, spec.gemm(), result, &detail), qPrintable(detail));

    test::killProcess(*first);
    test::killProcess(*second);
    coordinator->terminate();
    QVERIFY(coordinator->waitForFinished(10000));

    // Now the database itself, as the coordinator left it.
    std::unique_ptr<coordinator::SqliteStore> store;
    QVERIFY2(coordinator::SqliteStore::open(database.toStdString(), &store), "cannot reopen the database");
    const std::string job = jobId.toStdString();
    const engine::Status checked = store->read([&](coordinator::StoreTransaction &tx) -> engine::Status {
        using namespace tributary::coordinator;
        std::vector<TaskRecord> tasks;
        if (auto read = tx.jobTasks(job, &tasks); !read)
            return read;
        if (tasks.size() != totalTasks)
            return engine::Status::error("expected " + std::to_string(totalTasks) + " tasks, found "
                                         + std::to_string(tasks.size()));
        std::size_t accepted = 0;
        std::int64_t expectedPaid = 0;
        for (const TaskRecord &task : tasks) {
            if (task.state != TaskState::Done)
                return engine::Status::error("task " + task.id + " is not DONE");
            std::vector<AttemptRecord> attempts;
            if (auto read = tx.taskAttempts(task.id, &attempts); !read)
                return read;
            std::set<std::string> nodes;
            int acceptedHere = 0;
            for (const AttemptRecord &attempt : attempts) {
                if (attempt.state == AttemptState::Leased || attempt.state == AttemptState::Submitted)
                    return engine::Status::error("task " + task.id + " still has an open attempt");
                if (attempt.state == AttemptState::Accepted) {
                    ++acceptedHere;
                    nodes.insert(attempt.nodeId);
                }
            }
            if (acceptedHere != 2 || nodes.size() != 2)
                return engine::Status::error("task " + task.id + " has " + std::to_string(acceptedHere)
                                             + " accepted results from " + std::to_string(nodes.size())
                                             + " nodes, expected 2 from 2");
            accepted += std::size_t(acceptedHere);
            expectedPaid += 2 * unitsForFlops(task.flops);
        }

        std::int64_t cost = 0;
        if (auto read = tx.jobCost(job, &cost); !read)
            return read;
        if (cost != expectedPaid)
            return engine::Status::error("the job paid " + std::to_string(cost) + " units for "
                                         + std::to_string(accepted) + " accepted results, expected "
                                         + std::to_string(expectedPaid));
        std::int64_t escrow = 0;
        if (auto read = tx.balance(Ledger::escrowBook(job), &escrow); !read)
            return read;
        if (escrow != 0)
            return engine::Status::error("the job's escrow still holds " + std::to_string(escrow));

        // Double entry: all books sum to zero, and each book's balance is the sum of its
        // entries.
        std::vector<LedgerPosting> balances;
        if (auto read = tx.allBalances(&balances); !read)
            return read;
        std::int64_t total = 0;
        for (const LedgerPosting &book : balances) {
            total += book.amountUnits;
            std::int64_t sum = 0;
            std::int64_t before = 0;
            for (;;) {
                std::vector<LedgerEntryRecord> entries;
                if (auto read = tx.ledgerEntries(book.book, before, 1000, &entries); !read)
                    return read;
                if (entries.empty())
                    break;
                for (const LedgerEntryRecord &entry : entries)
                    sum += entry.amountUnits;
                before = entries.back().id;
            }
            if (sum != book.amountUnits)
                return engine::Status::error("book " + book.book + " has balance " + std::to_string(book.amountUnits)
                                             + " but its entries sum to " + std::to_string(sum));
        }
        if (total != 0)
            return engine::Status::error("the books sum to " + std::to_string(total) + ", not 0");
        return engine::Status::ok();
    });
    QVERIFY2(checked, checked.message().c_str());
}

QTEST_GUILESS_MAIN(CoordinatorKillLoopE2eTest)
#include "coordinator_kill_loop_e2e_test.moc"
