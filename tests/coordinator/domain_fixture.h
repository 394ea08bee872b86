#pragma once

// DomainFixture: the coordinator's domain layer (scheduler, verifier, ledger) on a private
// in-memory SQLite store, driven directly, without gRPC. Time is whatever the test passes
// as nowMs; nothing here reads a clock or sleeps.
//
//   DomainFixture fx;
//   TRIBUTARY_CHECK_OK(fx.setUp({ "node-a", "node-b" }));       // owner account, two nodes
//   JobOptions options;
//   options.id = "job";
//   options.tasks = 2;
//   TRIBUTARY_CHECK_OK(fx.addJob(options));                        // replicate(2), exact
//   std::vector<LeasedTask> leased;
//   TRIBUTARY_CHECK_OK(fx.lease("node-a", 10, 1000, &leased));
//   SubmitVerdict verdict;
//   TRIBUTARY_CHECK_OK(fx.submit("node-a", leased[0], "honest", 2000, &verdict));
//
// Every call is one store transaction, as the services make them. Helpers report storage
// failures and missing rows through engine::Status so that tests check them with
// TRIBUTARY_CHECK_OK.

#include "coordinator/ledger/ledger.h"
#include "coordinator/scheduling/scheduler.h"
#include "coordinator/store/sqlite_store.h"
#include "coordinator/verification/verifier.h"

#include "tributary/v1/common.pb.h"

#include <QTest>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

// Fails the current Qt test function with the status's message unless it is ok.
#define TRIBUTARY_CHECK_OK(expression)                                                                       \
    do {                                                                                                     \
        const ::tributary::engine::Status checkedStatus_ = (expression);                                     \
        QVERIFY2(checkedStatus_.isOk(), checkedStatus_.message().c_str());                                   \
    } while (false)

namespace tributary::coordinator {

// Names for QCOMPARE failure messages (found by argument-dependent lookup); the caller
// frees them with delete[], as QTest does.
char *toString(JobState state);
char *toString(TaskState state);
char *toString(AttemptState state);
char *toString(SubmitOutcome outcome);

} // namespace tributary::coordinator

namespace tributary::coordinator::test {

// The job DomainFixture::addJob makes; the defaults are a one-task replicate(2) exact job.
struct JobOptions {
    std::string id = "job";
    std::string owner = "owner"; // an account added before
    VerificationPolicy policy = VerificationPolicy::Replicate;
    std::uint32_t replicas = 2;
    double spotCheckP = 0;
    ExecutionMode mode = ExecutionMode::Exact;
    std::uint32_t tasks = 1;
    std::uint64_t flopsPerTask = 1'000'000; // 1000 units per verified run
    std::uint32_t maxAttempts = 5;
    std::int64_t deadlineMs = 0;
    std::int64_t createdMs = 0; // activeJobs() lists older jobs first
    v1::Requirements requirements;
    // Held in escrow when the job is added; unset: the estimate without disputes, every
    // task's needed runs at unitsForFlops(flopsPerTask).
    std::optional<std::int64_t> holdUnits;
};

// What the fixture's assembler saw: ResultAssembler calls per job.
struct AssemblerLog {
    std::vector<std::string> jobIds;
    int callsFor(const std::string &jobId) const;
};

class DomainFixture {
public:
    // The assembler sets job.resultSha256 to kAssembledSha256 and logs the call.
    static constexpr const char *kAssembledSha256 = "assembled";
    // The account that owns jobs by default (JobOptions::owner), and what setUp grants it.
    static constexpr const char *kOwner = "owner";
    static constexpr std::int64_t kOwnerGrantUnits = 1'000'000;

    explicit DomainFixture(SchedulerOptions schedulerOptions = {},
        std::chrono::milliseconds recheckWindow = std::chrono::hours(24 * 7));

    // Opens a fresh ":memory:" store. Call once, before anything else.
    engine::Status open();
    // open(), then the account kOwner with ownerGrantUnits and, for each node id, a node
    // registered by its own account accountOf(id) (no credits).
    engine::Status setUp(
        const std::vector<std::string> &nodeIds, std::int64_t ownerGrantUnits = kOwnerGrantUnits);
    static std::string accountOf(const std::string &nodeId) { return "account-of-" + nodeId; }

    Store &store() { return *m_store; }
    Scheduler &scheduler() { return m_scheduler; }
    Verifier &verifier() { return m_verifier; }
    const AssemblerLog &assemblerLog() const { return *m_assemblerLog; }

    // An account named `id`; grantUnits > 0 are granted from the issuance at time 0.
    engine::Status addAccount(const std::string &id, std::int64_t grantUnits = 0);
    // A node registered by accountId, with no trust record unless given one.
    engine::Status addNode(
        const std::string &id, const std::string &accountId, std::uint32_t verifiedStreak = 0);
    // A QUEUED job with options.tasks QUEUED tasks "<id>-t<index>", and its escrow hold.
    engine::Status addJob(const JobOptions &options);

    // An available CPU device that passed the determinism self-test (fits exact mode).
    static v1::Device exactDevice(const std::string &id = "cpu:0");

    // Scheduler::lease for the node as stored now, with `device` (exactDevice() if unset).
    engine::Status lease(const std::string &nodeId, std::uint32_t maxTasks, std::int64_t nowMs,
        std::vector<LeasedTask> *leased, const std::optional<v1::Device> &device = std::nullopt);
    engine::Status sweep(std::int64_t nowMs, std::vector<std::string> *endedJobs);
    engine::Status renew(const std::string &nodeId, const std::vector<TaskRef> &tasks, std::int64_t nowMs,
        std::vector<TaskRef> *revoked);
    engine::Status release(const std::string &nodeId, const std::vector<TaskRef> &tasks, std::int64_t nowMs,
        std::vector<TaskRef> *released, std::vector<TaskRef> *notHeld);
    engine::Status cancel(const std::string &jobId, const std::string &reason, std::int64_t nowMs);

    // Verifier::submit of a result with this digest (no output bytes) by the node as
    // stored now. `error` and `referenceRejection` are passed through.
    engine::Status submit(const std::string &nodeId, const std::string &taskId, std::uint32_t attempt,
        const std::string &digest, std::int64_t nowMs, SubmitVerdict *verdict, const std::string &error = {},
        const std::optional<std::string> &referenceRejection = std::nullopt);
    engine::Status submit(const std::string &nodeId, const LeasedTask &leased, const std::string &digest,
        std::int64_t nowMs, SubmitVerdict *verdict);

    // Rows as stored now; an error when the row does not exist.
    engine::Status job(const std::string &id, JobRecord *job);
    engine::Status task(const std::string &id, TaskRecord *task);
    engine::Status attempt(const std::string &taskId, std::uint32_t attempt, AttemptRecord *record);
    engine::Status node(const std::string &id, NodeRecord *node);
    engine::Status balance(const std::string &book, std::int64_t *units);
    // Every entry of the book, oldest first.
    engine::Status entries(const std::string &book, std::vector<LedgerEntryRecord> *entries);

private:
    SchedulerOptions m_schedulerOptions;
    // Shared with the assembler closure inside m_verifier, so the fixture may move.
    std::shared_ptr<AssemblerLog> m_assemblerLog;
    Scheduler m_scheduler;
    Verifier m_verifier;
    std::unique_ptr<SqliteStore> m_store;
};

// The task id addJob gives task `index` of job `jobId`.
std::string taskId(const std::string &jobId, std::uint32_t index);

} // namespace tributary::coordinator::test
