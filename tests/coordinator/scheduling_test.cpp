// Unit tests for the coordinator's scheduling rules (coordinator/scheduling), driven
// directly on an in-memory SQLite store with hand-picked times: lease expiry, retry
// backoff, the attempt limit, renewal, cancel, deadlines, device capability matching,
// distinct nodes per replica and fair share between jobs.

#include "domain_fixture.h"

#include "coordinator/scheduling/retry_backoff.h"

#include <QTest>

#include <algorithm>
#include <map>

using namespace tributary::coordinator;
using namespace tributary::coordinator::test;

namespace {

constexpr std::int64_t kOwnerGrant = DomainFixture::kOwnerGrantUnits;

std::vector<std::string> leasedJobIds(const std::vector<LeasedTask> &leased)
{
    std::vector<std::string> ids;
    for (const LeasedTask &task : leased)
        ids.push_back(task.job->id);
    std::sort(ids.begin(), ids.end());
    return ids;
}

} // namespace

class SchedulingTest : public QObject {
    Q_OBJECT

private slots:
    void leaseExpiresExactlyAtItsDuration()
    {
        DomainFixture fx;
        TRIBUTARY_CHECK_OK(fx.setUp({ "node-a" }));
        JobOptions options;
        options.policy = VerificationPolicy::Reference;
        TRIBUTARY_CHECK_OK(fx.addJob(options));
        const std::int64_t leaseMs = fx.scheduler().options().leaseDuration.count();
        const std::string task0 = taskId("job", 0);

        const std::int64_t t = 1000;
        std::vector<LeasedTask> leased;
        TRIBUTARY_CHECK_OK(fx.lease("node-a", 1, t, &leased));
        QCOMPARE(leased.size(), std::size_t(1));
        QCOMPARE(leased[0].task.id, task0);
        QCOMPARE(leased[0].attempt.attempt, 1u);
        QCOMPARE(leased[0].attempt.leaseExpiresMs, t + leaseMs);
        QCOMPARE(leased[0].job->state, JobState::Running);
        QCOMPARE(leased[0].job->liveAttempts, 1u);

        std::vector<std::string> ended;
        TRIBUTARY_CHECK_OK(fx.sweep(t + leaseMs - 1, &ended));
        QVERIFY(ended.empty());
        AttemptRecord attempt;
        TaskRecord task;
        TRIBUTARY_CHECK_OK(fx.attempt(task0, 1, &attempt));
        QCOMPARE(attempt.state, AttemptState::Leased);
        TRIBUTARY_CHECK_OK(fx.task(task0, &task));
        QCOMPARE(task.state, TaskState::Running);
        QCOMPARE(task.live, 1u);

        TRIBUTARY_CHECK_OK(fx.sweep(t + leaseMs, &ended));
        QVERIFY(ended.empty());
        TRIBUTARY_CHECK_OK(fx.attempt(task0, 1, &attempt));
        QCOMPARE(attempt.state, AttemptState::Expired);
        QVERIFY2(attempt.message.find("lease ran out") != std::string::npos, attempt.message.c_str());
        TRIBUTARY_CHECK_OK(fx.task(task0, &task));
        QCOMPARE(task.state, TaskState::Queued);
        QCOMPARE(task.live, 0u);
        QCOMPARE(task.failures, 1u);
        QCOMPARE(task.notBeforeMs, t + leaseMs + 1000); // the default base backoff
        JobRecord job;
        TRIBUTARY_CHECK_OK(fx.job("job", &job));
        QCOMPARE(job.state, JobState::Running);
        QCOMPARE(job.liveAttempts, 0u);

        // A result that comes after the lease ran out is not taken.
        SubmitVerdict verdict;
        TRIBUTARY_CHECK_OK(fx.submit("node-a", task0, 1, "late", t + leaseMs + 1, &verdict));
        QCOMPARE(verdict.outcome, SubmitOutcome::NotHeld);
        TRIBUTARY_CHECK_OK(fx.task(task0, &task));
        QCOMPARE(task.submitted, 0u);
    }

    void retryBackoffDoublesAndCaps()
    {
        const RetryBackoff defaults;
        QCOMPARE(defaults.delayMs(0), std::int64_t(0));
        QCOMPARE(defaults.delayMs(1), std::int64_t(1000));
        QCOMPARE(defaults.delayMs(2), std::int64_t(2000));
        QCOMPARE(defaults.delayMs(3), std::int64_t(4000));
        QCOMPARE(defaults.delayMs(6), std::int64_t(32000));
        QCOMPARE(defaults.delayMs(7), std::int64_t(60000)); // 64 s, capped
        QCOMPARE(defaults.delayMs(40), std::int64_t(60000)); // no overflow past 31 doublings
        QCOMPARE(defaults.delayMs(UINT32_MAX), std::int64_t(60000));

        RetryBackoff small;
        small.base = std::chrono::milliseconds(250);
        small.max = std::chrono::milliseconds(1000);
        QCOMPARE(small.delayMs(1), std::int64_t(250));
        QCOMPARE(small.delayMs(2), std::int64_t(500));
        QCOMPARE(small.delayMs(3), std::int64_t(1000));
        QCOMPARE(small.delayMs(4), std::int64_t(1000));
    }

    void taskIsNotLeasedBeforeItsBackoff()
    {
        SchedulerOptions scheduling;
        scheduling.leaseDuration = std::chrono::milliseconds(100);
        scheduling.backoff.base = std::chrono::milliseconds(1000);
        scheduling.backoff.max = std::chrono::milliseconds(3000);
        DomainFixture fx(scheduling);
        TRIBUTARY_CHECK_OK(fx.setUp({ "node-a" }));
        JobOptions options;
        options.policy = VerificationPolicy::Reference;
        options.maxAttempts = 10;
        TRIBUTARY_CHECK_OK(fx.addJob(options));
        const std::string task0 = taskId("job", 0);

        // The wait after the 1st, 2nd, ... expiry: doubling, then the cap.
        const std::int64_t expectedDelays[] = { 1000, 2000, 3000, 3000 };
        std::int64_t now = 5000;
        std::uint32_t attempt = 0;
        for (const std::int64_t delay : expectedDelays) {
            std::vector<LeasedTask> leased;
            TRIBUTARY_CHECK_OK(fx.lease("node-a", 1, now, &leased));
            QCOMPARE(leased.size(), std::size_t(1));
            QCOMPARE(leased[0].attempt.attempt, ++attempt);

            const std::int64_t expiry = now + 100;
            std::vector<std::string> ended;
            TRIBUTARY_CHECK_OK(fx.sweep(expiry, &ended));
            QVERIFY(ended.empty());
            TaskRecord task;
            TRIBUTARY_CHECK_OK(fx.task(task0, &task));
            QCOMPARE(task.failures, attempt);
            QCOMPARE(task.state, TaskState::Queued);
            QCOMPARE(task.notBeforeMs, expiry + delay);

            TRIBUTARY_CHECK_OK(fx.lease("node-a", 1, task.notBeforeMs - 1, &leased));
            QVERIFY2(leased.empty(), "a task was leased before its backoff ran out");
            now = task.notBeforeMs;
        }
        std::vector<LeasedTask> leased;
        TRIBUTARY_CHECK_OK(fx.lease("node-a", 1, now, &leased));
        QCOMPARE(leased.size(), std::size_t(1));
        QCOMPARE(leased[0].attempt.attempt, attempt + 1);
    }

    void attemptLimitFailsTheJobAndRefunds()
    {
        DomainFixture fx;
        TRIBUTARY_CHECK_OK(fx.setUp({ "node-a" }));
        JobOptions options;
        options.policy = VerificationPolicy::Reference;
        options.tasks = 2;
        options.maxAttempts = 3;
        TRIBUTARY_CHECK_OK(fx.addJob(options));
        const std::int64_t leaseMs = fx.scheduler().options().leaseDuration.count();
        const std::string task0 = taskId("job", 0);
        std::int64_t escrow = 0;
        TRIBUTARY_CHECK_OK(fx.balance(Ledger::escrowBook("job"), &escrow));
        QCOMPARE(escrow, std::int64_t(2000));

        std::int64_t now = 0;
        std::int64_t lastExpiry = 0;
        for (std::uint32_t i = 1; i <= 3; ++i) {
            std::vector<LeasedTask> leased;
            TRIBUTARY_CHECK_OK(fx.lease("node-a", 1, now, &leased));
            QCOMPARE(leased.size(), std::size_t(1));
            QCOMPARE(leased[0].task.id, task0);
            lastExpiry = now + leaseMs;
            std::vector<std::string> ended;
            TRIBUTARY_CHECK_OK(fx.sweep(lastExpiry, &ended));
            TaskRecord task;
            TRIBUTARY_CHECK_OK(fx.task(task0, &task));
            QCOMPARE(task.failures, i);
            if (i < 3) {
                QVERIFY(ended.empty());
                QCOMPARE(task.state, TaskState::Queued);
                now = task.notBeforeMs;
            } else {
                QCOMPARE(ended, std::vector<std::string> { "job" });
                QCOMPARE(task.state, TaskState::Failed);
            }
        }

        JobRecord job;
        TRIBUTARY_CHECK_OK(fx.job("job", &job));
        QCOMPARE(job.state, JobState::Failed);
        QCOMPARE(job.message, std::string("task 0 failed 3 times; last: lease ran out on node node-a"));
        QCOMPARE(job.finishedMs, lastExpiry);
        QCOMPARE(job.liveAttempts, 0u);
        TaskRecord task1;
        TRIBUTARY_CHECK_OK(fx.task(taskId("job", 1), &task1));
        QCOMPARE(task1.state, TaskState::Failed); // the untouched task ends with its job

        TRIBUTARY_CHECK_OK(fx.balance(Ledger::escrowBook("job"), &escrow));
        QCOMPARE(escrow, std::int64_t(0));
        std::int64_t owner = 0;
        TRIBUTARY_CHECK_OK(fx.balance(DomainFixture::kOwner, &owner));
        QCOMPARE(owner, kOwnerGrant);
        std::vector<LedgerEntryRecord> entries;
        TRIBUTARY_CHECK_OK(fx.entries(DomainFixture::kOwner, &entries));
        QCOMPARE(entries.size(), std::size_t(3)); // grant, hold, refund
        QCOMPARE(entries.back().kind, std::string("refund"));
        QCOMPARE(entries.back().amountUnits, std::int64_t(2000));

        std::vector<LeasedTask> leased;
        TRIBUTARY_CHECK_OK(fx.lease("node-a", 10, lastExpiry + 100'000, &leased));
        QVERIFY(leased.empty());
    }

    void renewExtendsHeldLeasesOnly()
    {
        DomainFixture fx;
        TRIBUTARY_CHECK_OK(fx.setUp({ "node-a", "node-b" }));
        JobOptions options;
        options.policy = VerificationPolicy::Reference;
        TRIBUTARY_CHECK_OK(fx.addJob(options));
        const std::int64_t leaseMs = fx.scheduler().options().leaseDuration.count();
        const std::string task0 = taskId("job", 0);

        std::vector<LeasedTask> leased;
        TRIBUTARY_CHECK_OK(fx.lease("node-a", 1, 1000, &leased));
        QCOMPARE(leased.size(), std::size_t(1));

        std::vector<TaskRef> revoked;
        TRIBUTARY_CHECK_OK(fx.renew("node-a", { { task0, 1 } }, 10'000, &revoked));
        QVERIFY(revoked.empty());
        AttemptRecord attempt;
        TRIBUTARY_CHECK_OK(fx.attempt(task0, 1, &attempt));
        QCOMPARE(attempt.leaseExpiresMs, 10'000 + leaseMs);

        // The original expiry passes without effect; the renewed one ends the lease.
        std::vector<std::string> ended;
        TRIBUTARY_CHECK_OK(fx.sweep(1000 + leaseMs, &ended));
        TRIBUTARY_CHECK_OK(fx.attempt(task0, 1, &attempt));
        QCOMPARE(attempt.state, AttemptState::Leased);

        // Another node's lease, an attempt that does not exist and an unknown task.
        TRIBUTARY_CHECK_OK(fx.renew("node-b", { { task0, 1 } }, 11'000, &revoked));
        QCOMPARE(revoked.size(), std::size_t(1));
        QCOMPARE(revoked[0].taskId, task0);
        QCOMPARE(revoked[0].attempt, 1u);
        TRIBUTARY_CHECK_OK(fx.renew("node-a", { { task0, 2 }, { "no-such-task", 1 } }, 11'000, &revoked));
        QCOMPARE(revoked.size(), std::size_t(2));
        TRIBUTARY_CHECK_OK(fx.attempt(task0, 1, &attempt));
        QCOMPARE(attempt.leaseExpiresMs, 10'000 + leaseMs); // untouched by node-b's renew

        TRIBUTARY_CHECK_OK(fx.sweep(10'000 + leaseMs, &ended));
        TRIBUTARY_CHECK_OK(fx.attempt(task0, 1, &attempt));
        QCOMPARE(attempt.state, AttemptState::Expired);
        TRIBUTARY_CHECK_OK(fx.renew("node-a", { { task0, 1 } }, 10'000 + leaseMs + 1, &revoked));
        QCOMPARE(revoked.size(), std::size_t(1));
        TRIBUTARY_CHECK_OK(fx.attempt(task0, 1, &attempt));
        QCOMPARE(attempt.state, AttemptState::Expired);
    }

    // A node that gives a task back (paused, switched off) frees it for anyone at once:
    // no failure counted, no backoff, and only leases the node holds can be given back.
    void releasedTasksAreOpenAgainAtOnce()
    {
        DomainFixture fx;
        TRIBUTARY_CHECK_OK(fx.setUp({ "node-a", "node-b" }));
        JobOptions options;
        options.policy = VerificationPolicy::Reference;
        options.tasks = 2;
        TRIBUTARY_CHECK_OK(fx.addJob(options));
        const std::int64_t t = 1000;
        std::vector<LeasedTask> leased;
        TRIBUTARY_CHECK_OK(fx.lease("node-a", 2, t, &leased));
        QCOMPARE(leased.size(), std::size_t(2));
        const TaskRef first { leased[0].task.id, leased[0].attempt.attempt };
        const TaskRef second { leased[1].task.id, leased[1].attempt.attempt };

        std::vector<TaskRef> released, notHeld;
        // node-b holds neither; a made-up attempt is not held either.
        TRIBUTARY_CHECK_OK(fx.release("node-b", { first }, t + 10, &released, &notHeld));
        QVERIFY(released.empty());
        QCOMPARE(notHeld.size(), std::size_t(1));
        TRIBUTARY_CHECK_OK(fx.release("node-a", { first, TaskRef { second.taskId, 99 } }, t + 10, &released, &notHeld));
        QCOMPARE(released.size(), std::size_t(1));
        QCOMPARE(released[0].taskId, first.taskId);
        QCOMPARE(notHeld.size(), std::size_t(1));
        QCOMPARE(notHeld[0].attempt, 99u);

        AttemptRecord attempt;
        TRIBUTARY_CHECK_OK(fx.attempt(first.taskId, first.attempt, &attempt));
        QCOMPARE(attempt.state, AttemptState::Revoked);
        QVERIFY2(attempt.message.find("handed back by node node-a: paused by the user") != std::string::npos,
            attempt.message.c_str());
        TaskRecord task;
        TRIBUTARY_CHECK_OK(fx.task(first.taskId, &task));
        QCOMPARE(task.state, TaskState::Queued);
        QCOMPARE(task.live, 0u);
        QCOMPARE(task.failures, 0u);
        QCOMPARE(task.notBeforeMs, std::int64_t(0));
        JobRecord job;
        TRIBUTARY_CHECK_OK(fx.job("job", &job));
        QCOMPARE(job.liveAttempts, 1u); // the second task is still running on node-a

        // Another node gets it straight away.
        TRIBUTARY_CHECK_OK(fx.lease("node-b", 5, t + 11, &leased));
        QCOMPARE(leased.size(), std::size_t(1));
        QCOMPARE(leased[0].task.id, first.taskId);
        // Giving it back twice changes nothing.
        TRIBUTARY_CHECK_OK(fx.release("node-a", { first }, t + 12, &released, &notHeld));
        QVERIFY(released.empty());
        QCOMPARE(notHeld.size(), std::size_t(1));
    }

    void cancelRevokesLeasesAndRefunds()
    {
        DomainFixture fx;
        TRIBUTARY_CHECK_OK(fx.setUp({ "node-a", "node-b" }));
        JobOptions options;
        options.tasks = 2; // replicate(2)
        TRIBUTARY_CHECK_OK(fx.addJob(options));
        const std::string task0 = taskId("job", 0);
        const std::string task1 = taskId("job", 1);

        std::vector<LeasedTask> leased;
        TRIBUTARY_CHECK_OK(fx.lease("node-a", 2, 1000, &leased));
        QCOMPARE(leased.size(), std::size_t(2));
        SubmitVerdict verdict;
        TRIBUTARY_CHECK_OK(fx.submit("node-a", task0, 1, "honest", 2000, &verdict));
        QCOMPARE(verdict.outcome, SubmitOutcome::Accepted); // recorded, waiting for a second result
        TRIBUTARY_CHECK_OK(fx.lease("node-b", 2, 2000, &leased));
        QCOMPARE(leased.size(), std::size_t(2));

        TRIBUTARY_CHECK_OK(fx.cancel("job", "stopped by its owner", 3000));
        JobRecord job;
        TRIBUTARY_CHECK_OK(fx.job("job", &job));
        QCOMPARE(job.state, JobState::Cancelled);
        QCOMPARE(job.message, std::string("stopped by its owner"));
        QCOMPARE(job.finishedMs, std::int64_t(3000));
        QCOMPARE(job.liveAttempts, 0u);
        for (const std::string &id : { task0, task1 }) {
            TaskRecord task;
            TRIBUTARY_CHECK_OK(fx.task(id, &task));
            QCOMPARE(task.state, TaskState::Failed);
            for (std::uint32_t n : { 1u, 2u }) {
                AttemptRecord attempt;
                TRIBUTARY_CHECK_OK(fx.attempt(id, n, &attempt));
                QCOMPARE(attempt.state, AttemptState::Revoked); // leased and submitted alike
            }
        }

        std::vector<TaskRef> revoked;
        TRIBUTARY_CHECK_OK(fx.renew("node-b", { { task0, 2 }, { task1, 2 } }, 4000, &revoked));
        QCOMPARE(revoked.size(), std::size_t(2));
        TRIBUTARY_CHECK_OK(fx.submit("node-b", task0, 2, "honest", 4000, &verdict));
        QCOMPARE(verdict.outcome, SubmitOutcome::NotHeld);
        TRIBUTARY_CHECK_OK(fx.submit("node-a", task1, 1, "honest", 4000, &verdict));
        QCOMPARE(verdict.outcome, SubmitOutcome::NotHeld);

        std::int64_t escrow = -1, owner = 0, paid = -1;
        TRIBUTARY_CHECK_OK(fx.balance(Ledger::escrowBook("job"), &escrow));
        TRIBUTARY_CHECK_OK(fx.balance(DomainFixture::kOwner, &owner));
        TRIBUTARY_CHECK_OK(fx.balance(DomainFixture::accountOf("node-a"), &paid));
        QCOMPARE(escrow, std::int64_t(0));
        QCOMPARE(owner, kOwnerGrant);
        QCOMPARE(paid, std::int64_t(0));

        // Cancelling an ended job changes nothing.
        TRIBUTARY_CHECK_OK(fx.cancel("job", "again", 5000));
        TRIBUTARY_CHECK_OK(fx.job("job", &job));
        QCOMPARE(job.state, JobState::Cancelled);
        QCOMPARE(job.message, std::string("stopped by its owner"));
        QCOMPARE(job.finishedMs, std::int64_t(3000));
        TRIBUTARY_CHECK_OK(fx.lease("node-b", 2, 6000, &leased));
        QVERIFY(leased.empty());
    }

    void deadlineFailsTheJob()
    {
        SchedulerOptions scheduling;
        scheduling.leaseDuration = std::chrono::milliseconds(100'000); // outlives the deadline
        DomainFixture fx(scheduling);
        TRIBUTARY_CHECK_OK(fx.setUp({ "node-a" }));
        JobOptions options;
        options.policy = VerificationPolicy::Reference;
        options.tasks = 2;
        options.deadlineMs = 50'000;
        TRIBUTARY_CHECK_OK(fx.addJob(options));

        std::vector<LeasedTask> leased;
        TRIBUTARY_CHECK_OK(fx.lease("node-a", 1, 1000, &leased));
        QCOMPARE(leased.size(), std::size_t(1));
        SubmitVerdict verdict;
        TRIBUTARY_CHECK_OK(fx.submit("node-a", leased[0], "digest-0", 2000, &verdict));
        QCOMPARE(verdict.outcome, SubmitOutcome::Accepted);
        TRIBUTARY_CHECK_OK(fx.lease("node-a", 1, 3000, &leased));
        QCOMPARE(leased.size(), std::size_t(1));
        const std::string task1 = leased[0].task.id;

        std::vector<std::string> ended;
        TRIBUTARY_CHECK_OK(fx.sweep(49'999, &ended));
        QVERIFY(ended.empty());
        JobRecord job;
        TRIBUTARY_CHECK_OK(fx.job("job", &job));
        QCOMPARE(job.state, JobState::Running);

        TRIBUTARY_CHECK_OK(fx.sweep(50'000, &ended));
        QCOMPARE(ended, std::vector<std::string> { "job" });
        TRIBUTARY_CHECK_OK(fx.job("job", &job));
        QCOMPARE(job.state, JobState::Failed);
        QCOMPARE(job.message, std::string("deadline passed with 1 of 2 tasks done"));
        QCOMPARE(job.finishedMs, std::int64_t(50'000));
        TaskRecord task;
        TRIBUTARY_CHECK_OK(fx.task(task1, &task));
        QCOMPARE(task.state, TaskState::Failed);
        TRIBUTARY_CHECK_OK(fx.task(taskId("job", 0), &task));
        QCOMPARE(task.state, TaskState::Done);
        AttemptRecord attempt;
        TRIBUTARY_CHECK_OK(fx.attempt(task1, 1, &attempt));
        QCOMPARE(attempt.state, AttemptState::Revoked);

        // The done task was paid; the rest of the escrow went back to the owner.
        std::int64_t escrow = -1, owner = 0, node = 0;
        TRIBUTARY_CHECK_OK(fx.balance(Ledger::escrowBook("job"), &escrow));
        TRIBUTARY_CHECK_OK(fx.balance(DomainFixture::kOwner, &owner));
        TRIBUTARY_CHECK_OK(fx.balance(DomainFixture::accountOf("node-a"), &node));
        QCOMPARE(escrow, std::int64_t(0));
        QCOMPARE(node, std::int64_t(1000));
        QCOMPARE(owner, kOwnerGrant - 1000);

        // A later sweep does not end it again.
        TRIBUTARY_CHECK_OK(fx.sweep(60'000, &ended));
        QVERIFY(ended.empty());
    }

    void devicesGetOnlyTheJobsTheyFit()
    {
        DomainFixture fx;
        TRIBUTARY_CHECK_OK(
            fx.setUp({ "untested-cpu", "exact-cpu", "exact-cuda", "big-cpu", "offline-cuda", "failed-cpu" }));
        // replicate(5) with one task each: every node can take one replica of every job.
        JobOptions options;
        options.replicas = 5;
        options.id = "exact-any";
        options.createdMs = 1;
        TRIBUTARY_CHECK_OK(fx.addJob(options));
        options.id = "fast-any";
        options.mode = ExecutionMode::Fast;
        options.createdMs = 2;
        TRIBUTARY_CHECK_OK(fx.addJob(options));
        options.id = "cuda-only";
        options.mode = ExecutionMode::Exact;
        options.requirements.add_backends(tributary::v1::BACKEND_KIND_CUDA);
        options.createdMs = 3;
        TRIBUTARY_CHECK_OK(fx.addJob(options));
        options.id = "big-memory";
        options.requirements.clear_backends();
        options.requirements.set_min_memory_bytes(std::uint64_t(16) << 30);
        options.createdMs = 4;
        TRIBUTARY_CHECK_OK(fx.addJob(options));

        const auto device = [](tributary::v1::BackendKind backend, std::uint64_t memoryGiB,
                                tributary::v1::Reproducibility reproducibility, bool available) {
            tributary::v1::Device result = DomainFixture::exactDevice();
            result.set_backend(backend);
            result.set_memory_bytes(memoryGiB << 30);
            result.set_reproducibility(reproducibility);
            result.set_available(available);
            return result;
        };
        const auto cpu = tributary::v1::BACKEND_KIND_CPU;
        const auto cuda = tributary::v1::BACKEND_KIND_CUDA;
        const auto exact = tributary::v1::REPRODUCIBILITY_EXACT;

        struct Case {
            const char *node;
            tributary::v1::Device device;
            std::vector<std::string> jobs; // sorted
        };
        const Case cases[] = {
            { "untested-cpu", device(cpu, 8, tributary::v1::REPRODUCIBILITY_UNTESTED, true), { "fast-any" } },
            { "exact-cpu", device(cpu, 8, exact, true), { "exact-any", "fast-any" } },
            { "exact-cuda", device(cuda, 32, exact, true),
                { "big-memory", "cuda-only", "exact-any", "fast-any" } },
            { "big-cpu", device(cpu, 16, exact, true), { "big-memory", "exact-any", "fast-any" } },
            { "offline-cuda", device(cuda, 32, exact, false), {} },
            { "failed-cpu", device(cpu, 8, tributary::v1::REPRODUCIBILITY_FAILED, true), {} },
        };
        for (const Case &c : cases) {
            std::vector<LeasedTask> leased;
            TRIBUTARY_CHECK_OK(fx.lease(c.node, 10, 1000, &leased, c.device));
            const std::vector<std::string> jobs = leasedJobIds(leased);
            QVERIFY2(jobs == c.jobs, c.node);
        }
    }

    void aNodeNeverGetsASecondReplica()
    {
        DomainFixture fx;
        TRIBUTARY_CHECK_OK(fx.setUp({ "node-a", "node-b", "node-c" }));
        JobOptions options;
        options.tasks = 3; // replicate(2)
        TRIBUTARY_CHECK_OK(fx.addJob(options));
        const std::int64_t leaseMs = fx.scheduler().options().leaseDuration.count();

        std::vector<LeasedTask> leased;
        TRIBUTARY_CHECK_OK(fx.lease("node-a", 10, 1000, &leased));
        QCOMPARE(leased.size(), std::size_t(3)); // one replica of each task, not two of one
        TRIBUTARY_CHECK_OK(fx.lease("node-a", 10, 1000, &leased));
        QVERIFY(leased.empty());
        TRIBUTARY_CHECK_OK(fx.lease("node-b", 10, 1000, &leased));
        QCOMPARE(leased.size(), std::size_t(3));
        TRIBUTARY_CHECK_OK(fx.lease("node-c", 10, 1000, &leased));
        QVERIFY2(leased.empty(), "a task got more replicas than it needs");
        for (std::uint32_t i = 0; i < 3; ++i) {
            TaskRecord task;
            TRIBUTARY_CHECK_OK(fx.task(taskId("job", i), &task));
            QCOMPARE(task.state, TaskState::Running);
            QCOMPARE(task.live, 2u);
        }

        // node-a submits everything; node-b's leases run out. The tasks are open again,
        // but not to node-a, whose results are waiting.
        SubmitVerdict verdict;
        for (std::uint32_t i = 0; i < 3; ++i) {
            TRIBUTARY_CHECK_OK(fx.submit("node-a", taskId("job", i), 1, "honest", 2000, &verdict));
            QCOMPARE(verdict.outcome, SubmitOutcome::Accepted);
        }
        std::vector<std::string> ended;
        TRIBUTARY_CHECK_OK(fx.sweep(1000 + leaseMs, &ended));
        const std::int64_t retryMs = 1000 + leaseMs + 1000;
        TRIBUTARY_CHECK_OK(fx.lease("node-a", 10, retryMs, &leased));
        QVERIFY(leased.empty());
        TRIBUTARY_CHECK_OK(fx.lease("node-c", 10, retryMs, &leased));
        QCOMPARE(leased.size(), std::size_t(3));
        for (const LeasedTask &task : leased)
            QCOMPARE(task.attempt.attempt, 3u);
    }

    void fairShareBetweenJobs()
    {
        DomainFixture fx;
        TRIBUTARY_CHECK_OK(fx.setUp({ "node-a", "node-b" }));
        JobOptions options;
        options.policy = VerificationPolicy::Reference;
        options.id = "big";
        options.tasks = 100;
        options.createdMs = 1;
        TRIBUTARY_CHECK_OK(fx.addJob(options));
        options.id = "small";
        options.tasks = 10;
        options.createdMs = 2;
        TRIBUTARY_CHECK_OK(fx.addJob(options));

        std::vector<LeasedTask> leased;
        TRIBUTARY_CHECK_OK(fx.lease("node-a", 20, 1000, &leased));
        QCOMPARE(leased.size(), std::size_t(20));
        std::map<std::string, int> perJob;
        for (const LeasedTask &task : leased)
            ++perJob[task.job->id];
        QCOMPARE(perJob["big"], 10);
        QCOMPARE(perJob["small"], 10);
        // The older job wins the tie for the first task.
        QCOMPARE(leased.front().job->id, std::string("big"));
        JobRecord big, small;
        TRIBUTARY_CHECK_OK(fx.job("big", &big));
        TRIBUTARY_CHECK_OK(fx.job("small", &small));
        QCOMPARE(big.liveAttempts, 10u);
        QCOMPARE(small.liveAttempts, 10u);

        // With nothing left of the small job, the big one gets the whole next lease.
        TRIBUTARY_CHECK_OK(fx.lease("node-b", 20, 1000, &leased));
        QCOMPARE(leased.size(), std::size_t(20));
        for (const LeasedTask &task : leased)
            QCOMPARE(task.job->id, std::string("big"));
    }
};

QTEST_GUILESS_MAIN(SchedulingTest)
#include "scheduling_test.moc"
