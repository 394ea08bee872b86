// Fast-mode verification: results computed with vendor libraries differ in their last
// bits from node to node, so the verifier compares them element by element within the
// GEMM tolerance (engine/verify/tolerance.h) instead of by digest. Two results a few ulps
// apart agree; a result with one element badly wrong is outvoted and its node caught.
// Driven directly on a real SQLite store with the coordinator's own comparator
// (gemmResultsAgree), no gRPC.

#include "coordinator/jobs/gemm_tasks.h"
#include "coordinator/ledger/ledger.h"
#include "coordinator/scheduling/scheduler.h"
#include "coordinator/store/sqlite_store.h"
#include "coordinator/verification/verifier.h"
#include "engine/sha256.h"

#include <QTest>

#include <cmath>
#include <cstring>

using namespace tributary;
using namespace tributary::coordinator;

class FastModeVerificationTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void resultsWithinToleranceAgree();
    void aResultOutsideToleranceIsOutvoted();

private:
    engine::Status submit(const std::string &node, const LeasedTask &leased, const std::vector<float> &tile,
                          SubmitVerdict *verdict);
    engine::Status leaseOne(const std::string &node, LeasedTask *leased);

    std::unique_ptr<SqliteStore> m_store;
    std::unique_ptr<Scheduler> m_scheduler;
    std::unique_ptr<Verifier> m_verifier;
    std::int64_t m_now = 1000;
};

namespace {

constexpr std::uint32_t kK = 64;

std::vector<float> referenceTile()
{
    std::vector<float> tile(8 * 8);
    for (std::size_t i = 0; i < tile.size(); ++i)
        tile[i] = std::sin(float(i)) * 3.0f;
    return tile;
}

// The same tile a few units in the last place away, as another library's summation
// order gives.
std::vector<float> nudged(std::vector<float> tile)
{
    for (std::size_t i = 0; i < tile.size(); i += 3)
        tile[i] = std::nextafter(std::nextafter(tile[i], 10.0f), 10.0f);
    return tile;
}

v1::Device fastDevice()
{
    v1::Device device;
    device.set_id("cuda:0");
    device.set_backend(v1::BACKEND_KIND_CUDA);
    device.set_available(true);
    device.set_reproducibility(v1::REPRODUCIBILITY_UNTESTED); // fast mode does not need the self-test
    device.set_memory_bytes(std::uint64_t(16) << 30);
    return device;
}

} // namespace

void FastModeVerificationTest::init()
{
    QVERIFY(SqliteStore::open(":memory:", &m_store));
    m_scheduler = std::make_unique<Scheduler>(SchedulerOptions{});
    VerifierOptions options;
    options.assemble = [](StoreTransaction &, JobRecord &job) {
        job.resultSha256 = "assembled";
        return engine::Status::ok();
    };
    options.resultsAgree = gemmResultsAgree;
    m_verifier = std::make_unique<Verifier>(options);

    const auto status = m_store->write([&](StoreTransaction &tx) -> engine::Status {
        if (auto s = tx.insertAccount({"owner", "owner", "hash-owner", false, 0}); !s)
            return s;
        bool duplicate = false;
        if (auto s = Ledger::grant(tx, "owner", 1'000'000, "test", "grant-owner", 0, &duplicate); !s)
            return s;
        for (const char *node : {"a", "b", "c"}) {
            if (auto s = tx.insertAccount({std::string("acct-") + node, std::string("acct-") + node,
                                           std::string("hash-") + node, false, 0});
                !s)
                return s;
            NodeRecord record;
            record.id = node;
            record.accountId = std::string("acct-") + node;
            v1::RegisterRequest holder;
            *holder.add_devices() = fastDevice();
            record.devices = holder.SerializeAsString();
            if (auto s = tx.saveNode(record); !s)
                return s;
        }
        v1::JobSpec spec;
        spec.set_mode(v1::EXECUTION_MODE_FAST);
        v1::GemmJobSpec *gemm = spec.mutable_gemm();
        gemm->set_m(8);
        gemm->set_n(8);
        gemm->set_k(kK);
        gemm->set_tile_m(8);
        gemm->set_tile_n(8);
        JobRecord job;
        job.id = "job";
        job.accountId = "owner";
        job.name = "fast";
        job.kind = "gemm";
        job.spec = spec.SerializeAsString();
        job.mode = ExecutionMode::Fast;
        job.policy = VerificationPolicy::Replicate;
        job.replicas = 2;
        job.tasksTotal = 1;
        if (auto s = tx.insertJob(job); !s)
            return s;
        const std::vector<TaskRecord> tasks = gemmTasks(job, GemmJob(spec.gemm()), 2);
        if (auto s = tx.insertTasks(tasks); !s)
            return s;
        return Ledger::hold(tx, job, 10'000, 0);
    });
    QVERIFY2(status, status.message().c_str());
}

engine::Status FastModeVerificationTest::leaseOne(const std::string &node, LeasedTask *leased)
{
    return m_store->write([&](StoreTransaction &tx) -> engine::Status {
        std::optional<NodeRecord> record;
        if (auto s = tx.findNode(node, &record); !s || !record)
            return s ? engine::Status::error("no node " + node) : s;
        LeaseRequest request{*record, fastDevice(), 1, m_now};
        std::vector<LeasedTask> tasks;
        if (auto s = m_scheduler->lease(tx, request, &tasks); !s)
            return s;
        if (tasks.size() != 1)
            return engine::Status::error(node + " leased " + std::to_string(tasks.size()) + " tasks, expected 1");
        *leased = tasks.front();
        return engine::Status::ok();
    });
}

engine::Status FastModeVerificationTest::submit(const std::string &node, const LeasedTask &leased,
                                                const std::vector<float> &tile, SubmitVerdict *verdict)
{
    const auto bytes = std::as_bytes(std::span(tile));
    return m_store->write([&](StoreTransaction &tx) -> engine::Status {
        std::optional<NodeRecord> record;
        if (auto s = tx.findNode(node, &record); !s || !record)
            return s ? engine::Status::error("no node " + node) : s;
        SubmittedResult result;
        result.node = *record;
        result.taskId = leased.task.id;
        result.attempt = leased.attempt.attempt;
        result.outputSha256 = engine::sha256Hex(bytes);
        result.output = bytes;
        return m_verifier->submit(tx, result, ++m_now, verdict);
    });
}

void FastModeVerificationTest::resultsWithinToleranceAgree()
{
    LeasedTask first, second;
    QVERIFY(leaseOne("a", &first));
    QVERIFY(leaseOne("b", &second));
    const std::vector<float> exact = referenceTile(), close = nudged(exact);
    QVERIFY(std::memcmp(exact.data(), close.data(), exact.size() * sizeof(float)) != 0);

    SubmitVerdict verdict;
    QVERIFY(submit("a", first, exact, &verdict));
    QCOMPARE(verdict.outcome, SubmitOutcome::Accepted);
    QVERIFY(!verdict.jobEnded);
    QVERIFY(submit("b", second, close, &verdict));
    QCOMPARE(verdict.outcome, SubmitOutcome::Accepted);
    QVERIFY2(verdict.jobEnded, "two results a few ulps apart should agree in fast mode");

    std::optional<JobRecord> job;
    QVERIFY(m_store->read([&](StoreTransaction &tx) { return tx.findJob("job", &job); }));
    QCOMPARE(job->state, JobState::Completed);
}

void FastModeVerificationTest::aResultOutsideToleranceIsOutvoted()
{
    LeasedTask first, second, third;
    QVERIFY(leaseOne("a", &first));
    QVERIFY(leaseOne("c", &second));
    std::vector<float> wrong = referenceTile();
    wrong[17] += 1.0f; // far beyond any rounding difference

    SubmitVerdict verdict;
    QVERIFY(submit("a", first, referenceTile(), &verdict));
    QVERIFY(submit("c", second, wrong, &verdict));
    QVERIFY2(!verdict.jobEnded, "a result outside the tolerance must not be accepted");

    // A third node decides, a few ulps from the first.
    QVERIFY(leaseOne("b", &third));
    QVERIFY(submit("b", third, nudged(referenceTile()), &verdict));
    QVERIFY(verdict.jobEnded);

    std::optional<NodeRecord> cheater, honest;
    std::int64_t cheaterBalance = -1, honestBalance = -1;
    QVERIFY(m_store->read([&](StoreTransaction &tx) -> engine::Status {
        if (auto s = tx.findNode("c", &cheater); !s)
            return s;
        if (auto s = tx.findNode("b", &honest); !s)
            return s;
        if (auto s = tx.balance("acct-c", &cheaterBalance); !s)
            return s;
        return tx.balance("acct-b", &honestBalance);
    }));
    QVERIFY(cheater->dishonestMs != 0);
    QCOMPARE(honest->dishonestMs, std::int64_t(0));
    QCOMPARE(cheaterBalance, std::int64_t(0));
    QVERIFY(honestBalance > 0);
}

QTEST_GUILESS_MAIN(FastModeVerificationTest)
#include "fast_mode_verification_test.moc"
