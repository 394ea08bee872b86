// Unit tests for the coordinator's verification rules (coordinator/verification), driven
// directly on an in-memory SQLite store: replicate(k) quorums and disputes, duplicate and
// stray submissions, spot checks and trust, a cheater caught after the fact, node errors
// and the reference policy. Digests are plain strings ("honest", "cheat"): exact mode
// compares them for equality.

#include "domain_fixture.h"

#include "coordinator/ledger/pricing.h"
#include "coordinator/verification/spot_check.h"

#include <QTest>

using namespace tributary::coordinator;
using namespace tributary::coordinator::test;

namespace {

constexpr std::int64_t kOwnerGrant = DomainFixture::kOwnerGrantUnits;

// A job id "<prefix><n>" whose task 0 draws a spot-check number in [low, high) at attempt
// 1; empty when none of the first candidates does.
std::string jobIdWithDraw(const std::string &prefix, double low, double high)
{
    for (int n = 0; n < 100'000; ++n) {
        const std::string jobId = prefix + std::to_string(n);
        const double draw = spotCheckDraw(taskId(jobId, 0), 1);
        if (draw >= low && draw < high)
            return jobId;
    }
    return {};
}

} // namespace

class VerificationTest : public QObject {
    Q_OBJECT

private slots:
    void replicateAcceptsWhenTwoHonestNodesAgree()
    {
        DomainFixture fx;
        TRIBUTARY_CHECK_OK(fx.setUp({ "node-a", "node-b" }));
        JobOptions options;
        options.tasks = 2;
        options.flopsPerTask = 1'234'567; // not a whole number of units: rounded up
        TRIBUTARY_CHECK_OK(fx.addJob(options));
        const std::int64_t perRun = unitsForFlops(options.flopsPerTask);
        QCOMPARE(perRun, std::int64_t(1235));

        std::vector<LeasedTask> leased;
        TRIBUTARY_CHECK_OK(fx.lease("node-a", 2, 1000, &leased));
        QCOMPARE(leased.size(), std::size_t(2));
        TRIBUTARY_CHECK_OK(fx.lease("node-b", 2, 1000, &leased));
        QCOMPARE(leased.size(), std::size_t(2));

        const std::string task0 = taskId("job", 0);
        SubmitVerdict verdict;
        TRIBUTARY_CHECK_OK(fx.submit("node-a", task0, 1, "honest-0", 2000, &verdict));
        QCOMPARE(verdict.outcome, SubmitOutcome::Accepted);
        QCOMPARE(verdict.jobId, std::string("job"));
        QVERIFY(!verdict.jobEnded);
        TaskRecord task;
        TRIBUTARY_CHECK_OK(fx.task(task0, &task));
        QCOMPARE(task.state, TaskState::Verifying);
        QCOMPARE(task.submitted, 1u);
        QCOMPARE(task.live, 1u);
        std::int64_t paidA = -1, paidB = -1;
        TRIBUTARY_CHECK_OK(fx.balance(DomainFixture::accountOf("node-a"), &paidA));
        QCOMPARE(paidA, std::int64_t(0)); // nothing until the quorum agrees

        TRIBUTARY_CHECK_OK(fx.submit("node-b", task0, 2, "honest-0", 2100, &verdict));
        QCOMPARE(verdict.outcome, SubmitOutcome::Accepted);
        QVERIFY(!verdict.jobEnded);
        TRIBUTARY_CHECK_OK(fx.task(task0, &task));
        QCOMPARE(task.state, TaskState::Done);
        QCOMPARE(task.acceptedAttempt, 1u);
        QCOMPARE(task.outputSha256, std::string("honest-0"));
        QVERIFY(!task.unconfirmed);
        QCOMPARE(task.completedMs, std::int64_t(2100));
        QCOMPARE(task.submitted, 0u);
        QCOMPARE(task.live, 0u);
        for (std::uint32_t n : { 1u, 2u }) {
            AttemptRecord attempt;
            TRIBUTARY_CHECK_OK(fx.attempt(task0, n, &attempt));
            QCOMPARE(attempt.state, AttemptState::Accepted);
        }
        JobRecord job;
        TRIBUTARY_CHECK_OK(fx.job("job", &job));
        QCOMPARE(job.state, JobState::Running);
        QCOMPARE(job.tasksDone, 1u);
        QCOMPARE(fx.assemblerLog().callsFor("job"), 0);
        TRIBUTARY_CHECK_OK(fx.balance(DomainFixture::accountOf("node-a"), &paidA));
        TRIBUTARY_CHECK_OK(fx.balance(DomainFixture::accountOf("node-b"), &paidB));
        QCOMPARE(paidA, perRun);
        QCOMPARE(paidB, perRun);

        const std::string task1 = taskId("job", 1);
        TRIBUTARY_CHECK_OK(fx.submit("node-b", task1, 2, "honest-1", 3000, &verdict));
        QCOMPARE(verdict.outcome, SubmitOutcome::Accepted);
        QVERIFY(!verdict.jobEnded);
        TRIBUTARY_CHECK_OK(fx.submit("node-a", task1, 1, "honest-1", 3100, &verdict));
        QCOMPARE(verdict.outcome, SubmitOutcome::Accepted);
        QVERIFY(verdict.jobEnded);

        TRIBUTARY_CHECK_OK(fx.job("job", &job));
        QCOMPARE(job.state, JobState::Completed);
        QCOMPARE(job.tasksDone, 2u);
        QCOMPARE(job.liveAttempts, 0u);
        QCOMPARE(job.finishedMs, std::int64_t(3100));
        QCOMPARE(job.resultSha256, std::string(DomainFixture::kAssembledSha256));
        QCOMPARE(fx.assemblerLog().callsFor("job"), 1);

        TRIBUTARY_CHECK_OK(fx.balance(DomainFixture::accountOf("node-a"), &paidA));
        TRIBUTARY_CHECK_OK(fx.balance(DomainFixture::accountOf("node-b"), &paidB));
        QCOMPARE(paidA, 2 * perRun);
        QCOMPARE(paidB, 2 * perRun);
        std::int64_t escrow = -1, owner = 0;
        TRIBUTARY_CHECK_OK(fx.balance(Ledger::escrowBook("job"), &escrow));
        TRIBUTARY_CHECK_OK(fx.balance(DomainFixture::kOwner, &owner));
        QCOMPARE(escrow, std::int64_t(0));
        QCOMPARE(owner, kOwnerGrant - 4 * perRun);

        for (const char *id : { "node-a", "node-b" }) {
            NodeRecord node;
            TRIBUTARY_CHECK_OK(fx.node(id, &node));
            QCOMPARE(node.verifiedStreak, 2u);
            QCOMPARE(node.verifiedTotal, std::uint64_t(2));
            QCOMPARE(node.dishonestMs, std::int64_t(0));
        }
    }

    void duplicateSubmitIsNotPaidTwice()
    {
        DomainFixture fx;
        TRIBUTARY_CHECK_OK(fx.setUp({ "node-a", "node-b" }));
        TRIBUTARY_CHECK_OK(fx.addJob(JobOptions {}));
        const std::string task0 = taskId("job", 0);

        std::vector<LeasedTask> leased;
        TRIBUTARY_CHECK_OK(fx.lease("node-a", 1, 1000, &leased));
        SubmitVerdict verdict;
        TRIBUTARY_CHECK_OK(fx.submit("node-a", task0, 1, "honest", 2000, &verdict));
        QCOMPARE(verdict.outcome, SubmitOutcome::Accepted);
        TRIBUTARY_CHECK_OK(fx.submit("node-a", task0, 1, "honest", 2001, &verdict));
        QCOMPARE(verdict.outcome, SubmitOutcome::Duplicate);
        TaskRecord task;
        TRIBUTARY_CHECK_OK(fx.task(task0, &task));
        QCOMPARE(task.submitted, 1u); // the duplicate does not count as a second result
        QCOMPARE(task.state, TaskState::Queued);

        TRIBUTARY_CHECK_OK(fx.lease("node-b", 1, 2100, &leased));
        QCOMPARE(leased.size(), std::size_t(1));
        TRIBUTARY_CHECK_OK(fx.submit("node-b", task0, 2, "honest", 3000, &verdict));
        QCOMPARE(verdict.outcome, SubmitOutcome::Accepted);
        QVERIFY(verdict.jobEnded);
        TRIBUTARY_CHECK_OK(fx.submit("node-b", task0, 2, "honest", 3001, &verdict));
        QCOMPARE(verdict.outcome, SubmitOutcome::Duplicate);
        TRIBUTARY_CHECK_OK(fx.submit("node-a", task0, 1, "honest", 3002, &verdict));
        QCOMPARE(verdict.outcome, SubmitOutcome::Duplicate);
        QVERIFY(!verdict.jobEnded);

        for (const char *id : { "node-a", "node-b" }) {
            std::int64_t paid = 0;
            TRIBUTARY_CHECK_OK(fx.balance(DomainFixture::accountOf(id), &paid));
            QCOMPARE(paid, std::int64_t(1000));
            std::vector<LedgerEntryRecord> entries;
            TRIBUTARY_CHECK_OK(fx.entries(DomainFixture::accountOf(id), &entries));
            QCOMPARE(entries.size(), std::size_t(1));
            QCOMPARE(entries[0].kind, std::string("payment"));
            NodeRecord node;
            TRIBUTARY_CHECK_OK(fx.node(id, &node));
            QCOMPARE(node.verifiedStreak, 1u);
        }
        QCOMPARE(fx.assemblerLog().callsFor("job"), 1);
    }

    void submitWithoutTheLeaseIsNotHeld()
    {
        DomainFixture fx;
        TRIBUTARY_CHECK_OK(fx.setUp({ "node-a", "node-c" }));
        TRIBUTARY_CHECK_OK(fx.addJob(JobOptions {}));
        const std::string task0 = taskId("job", 0);
        std::vector<LeasedTask> leased;
        TRIBUTARY_CHECK_OK(fx.lease("node-a", 1, 1000, &leased));
        QCOMPARE(leased.size(), std::size_t(1));

        SubmitVerdict verdict;
        TRIBUTARY_CHECK_OK(fx.submit("node-c", task0, 1, "honest", 2000, &verdict));
        QCOMPARE(verdict.outcome, SubmitOutcome::NotHeld);
        QVERIFY2(verdict.message.find("node-c") != std::string::npos, verdict.message.c_str());
        TRIBUTARY_CHECK_OK(fx.submit("node-a", task0, 7, "honest", 2000, &verdict));
        QCOMPARE(verdict.outcome, SubmitOutcome::NotHeld);
        TRIBUTARY_CHECK_OK(fx.submit("node-a", "no-such-task", 1, "honest", 2000, &verdict));
        QCOMPARE(verdict.outcome, SubmitOutcome::NotHeld);

        AttemptRecord attempt;
        TRIBUTARY_CHECK_OK(fx.attempt(task0, 1, &attempt));
        QCOMPARE(attempt.state, AttemptState::Leased);
        QCOMPARE(attempt.outputSha256, std::string());
        TaskRecord task;
        TRIBUTARY_CHECK_OK(fx.task(task0, &task));
        QCOMPARE(task.submitted, 0u);
        QCOMPARE(task.live, 1u);
    }

    void cheaterIsOutvotedByAThirdNode()
    {
        DomainFixture fx;
        TRIBUTARY_CHECK_OK(fx.setUp({ "honest-a", "cheater", "honest-c" }));
        TRIBUTARY_CHECK_OK(fx.addNode("cheater", DomainFixture::accountOf("cheater"), 5)); // some trust
        TRIBUTARY_CHECK_OK(fx.addJob(JobOptions {}));
        const std::string task0 = taskId("job", 0);

        std::vector<LeasedTask> leased;
        TRIBUTARY_CHECK_OK(fx.lease("honest-a", 1, 1000, &leased));
        QCOMPARE(leased.size(), std::size_t(1));
        TRIBUTARY_CHECK_OK(fx.lease("cheater", 1, 1000, &leased));
        QCOMPARE(leased.size(), std::size_t(1));
        SubmitVerdict verdict;
        TRIBUTARY_CHECK_OK(fx.submit("honest-a", task0, 1, "honest", 2000, &verdict));
        QCOMPARE(verdict.outcome, SubmitOutcome::Accepted);
        TRIBUTARY_CHECK_OK(fx.submit("cheater", task0, 2, "cheat", 2100, &verdict));
        QCOMPARE(verdict.outcome, SubmitOutcome::Accepted); // recorded: nobody knows yet who is right
        QVERIFY(!verdict.jobEnded);

        // A mismatch: a third node must break the tie, and neither of the two may run it.
        TaskRecord task;
        TRIBUTARY_CHECK_OK(fx.task(task0, &task));
        QCOMPARE(task.state, TaskState::Queued);
        QCOMPARE(task.needed, 3u);
        QCOMPARE(task.submitted, 2u);
        TRIBUTARY_CHECK_OK(fx.lease("honest-a", 1, 2200, &leased));
        QVERIFY(leased.empty());
        TRIBUTARY_CHECK_OK(fx.lease("cheater", 1, 2200, &leased));
        QVERIFY(leased.empty());
        std::int64_t paid = -1;
        TRIBUTARY_CHECK_OK(fx.balance(DomainFixture::accountOf("honest-a"), &paid));
        QCOMPARE(paid, std::int64_t(0));

        TRIBUTARY_CHECK_OK(fx.lease("honest-c", 1, 2200, &leased));
        QCOMPARE(leased.size(), std::size_t(1));
        QCOMPARE(leased[0].attempt.attempt, 3u);
        TRIBUTARY_CHECK_OK(fx.submit("honest-c", task0, 3, "honest", 3000, &verdict));
        QCOMPARE(verdict.outcome, SubmitOutcome::Accepted);
        QVERIFY(verdict.jobEnded);

        TRIBUTARY_CHECK_OK(fx.task(task0, &task));
        QCOMPARE(task.state, TaskState::Done);
        QCOMPARE(task.outputSha256, std::string("honest"));
        QCOMPARE(task.acceptedAttempt, 1u);
        QVERIFY(!task.unconfirmed);
        AttemptRecord attempt;
        TRIBUTARY_CHECK_OK(fx.attempt(task0, 1, &attempt));
        QCOMPARE(attempt.state, AttemptState::Accepted);
        TRIBUTARY_CHECK_OK(fx.attempt(task0, 3, &attempt));
        QCOMPARE(attempt.state, AttemptState::Accepted);
        TRIBUTARY_CHECK_OK(fx.attempt(task0, 2, &attempt));
        QCOMPARE(attempt.state, AttemptState::Rejected);
        QVERIFY2(attempt.message.find("outvoted") != std::string::npos, attempt.message.c_str());

        NodeRecord cheater;
        TRIBUTARY_CHECK_OK(fx.node("cheater", &cheater));
        QCOMPARE(cheater.dishonestMs, std::int64_t(3000));
        QCOMPARE(cheater.verifiedStreak, 0u); // a lost vote resets the streak
        for (const char *id : { "honest-a", "honest-c" }) {
            NodeRecord node;
            TRIBUTARY_CHECK_OK(fx.node(id, &node));
            QCOMPARE(node.dishonestMs, std::int64_t(0));
            QCOMPARE(node.verifiedStreak, 1u);
            TRIBUTARY_CHECK_OK(fx.balance(DomainFixture::accountOf(id), &paid));
            QCOMPARE(paid, std::int64_t(1000));
        }
        TRIBUTARY_CHECK_OK(fx.balance(DomainFixture::accountOf("cheater"), &paid));
        QCOMPARE(paid, std::int64_t(0));
        std::int64_t escrow = -1, owner = 0;
        TRIBUTARY_CHECK_OK(fx.balance(Ledger::escrowBook("job"), &escrow));
        TRIBUTARY_CHECK_OK(fx.balance(DomainFixture::kOwner, &owner));
        QCOMPARE(escrow, std::int64_t(0));
        QCOMPARE(owner, kOwnerGrant - 2000);
    }

    void disputeWithoutAgreementFailsTheJob()
    {
        // replicate(2) takes at most k + 2 = 4 results; four different ones end the job.
        DomainFixture fx;
        TRIBUTARY_CHECK_OK(fx.setUp({ "node-1", "node-2", "node-3", "node-4", "node-5" }));
        TRIBUTARY_CHECK_OK(fx.addJob(JobOptions {}));
        const std::string task0 = taskId("job", 0);
        const std::uint32_t neededAfter[] = { 2, 3, 4, 0 };
        SubmitVerdict verdict;
        for (std::uint32_t n = 1; n <= 4; ++n) {
            const std::string node = "node-" + std::to_string(n);
            std::vector<LeasedTask> leased;
            TRIBUTARY_CHECK_OK(fx.lease(node, 1, 1000 * n, &leased));
            QCOMPARE(leased.size(), std::size_t(1));
            QCOMPARE(leased[0].attempt.attempt, n);
            TRIBUTARY_CHECK_OK(
                fx.submit(node, leased[0], "result-" + std::to_string(n), 1000 * n + 500, &verdict));
            QCOMPARE(verdict.outcome, SubmitOutcome::Accepted);
            TaskRecord task;
            TRIBUTARY_CHECK_OK(fx.task(task0, &task));
            if (n < 4) {
                QVERIFY(!verdict.jobEnded);
                QCOMPARE(task.needed, neededAfter[n - 1]);
                QCOMPARE(task.state, TaskState::Queued);
            } else {
                QVERIFY(verdict.jobEnded);
                QCOMPARE(task.state, TaskState::Failed);
            }
        }
        JobRecord job;
        TRIBUTARY_CHECK_OK(fx.job("job", &job));
        QCOMPARE(job.state, JobState::Failed);
        QCOMPARE(job.message, std::string("task 0: no 2 of 4 results agreed"));
        std::vector<LeasedTask> leased;
        TRIBUTARY_CHECK_OK(fx.lease("node-5", 1, 9000, &leased));
        QVERIFY(leased.empty());
        for (std::uint32_t n = 1; n <= 4; ++n) {
            AttemptRecord attempt;
            TRIBUTARY_CHECK_OK(fx.attempt(task0, n, &attempt));
            QCOMPARE(attempt.state, AttemptState::Revoked);
            std::int64_t paid = -1;
            TRIBUTARY_CHECK_OK(fx.balance(DomainFixture::accountOf("node-" + std::to_string(n)), &paid));
            QCOMPARE(paid, std::int64_t(0));
        }
        std::int64_t owner = 0;
        TRIBUTARY_CHECK_OK(fx.balance(DomainFixture::kOwner, &owner));
        QCOMPARE(owner, kOwnerGrant);
        QCOMPARE(fx.assemblerLog().callsFor("job"), 0);
    }

    void replicateThreeOutvotesTheMinority()
    {
        DomainFixture fx;
        TRIBUTARY_CHECK_OK(fx.setUp({ "node-a", "node-b", "odd-one", "node-d" }));
        JobOptions options;
        options.replicas = 3;
        TRIBUTARY_CHECK_OK(fx.addJob(options));
        const std::string task0 = taskId("job", 0);
        SubmitVerdict verdict;
        std::uint32_t attempt = 0;
        for (const char *node : { "node-a", "node-b", "odd-one" }) {
            std::vector<LeasedTask> leased;
            TRIBUTARY_CHECK_OK(fx.lease(node, 1, 1000, &leased));
            QCOMPARE(leased.size(), std::size_t(1));
            QCOMPARE(leased[0].attempt.attempt, ++attempt);
        }
        TRIBUTARY_CHECK_OK(fx.submit("node-a", task0, 1, "x", 2000, &verdict));
        TRIBUTARY_CHECK_OK(fx.submit("node-b", task0, 2, "x", 2000, &verdict));
        TRIBUTARY_CHECK_OK(fx.submit("odd-one", task0, 3, "y", 2000, &verdict));
        QVERIFY(!verdict.jobEnded);
        TaskRecord task;
        TRIBUTARY_CHECK_OK(fx.task(task0, &task));
        QCOMPARE(task.needed, 4u); // two agree; a third must join them
        QCOMPARE(task.state, TaskState::Queued);

        std::vector<LeasedTask> leased;
        TRIBUTARY_CHECK_OK(fx.lease("node-d", 1, 3000, &leased));
        QCOMPARE(leased.size(), std::size_t(1));
        TRIBUTARY_CHECK_OK(fx.submit("node-d", leased[0], "x", 4000, &verdict));
        QVERIFY(verdict.jobEnded);
        TRIBUTARY_CHECK_OK(fx.task(task0, &task));
        QCOMPARE(task.state, TaskState::Done);
        QCOMPARE(task.outputSha256, std::string("x"));
        for (const char *node : { "node-a", "node-b", "node-d" }) {
            std::int64_t paid = 0;
            TRIBUTARY_CHECK_OK(fx.balance(DomainFixture::accountOf(node), &paid));
            QCOMPARE(paid, std::int64_t(1000));
        }
        std::int64_t paid = -1;
        TRIBUTARY_CHECK_OK(fx.balance(DomainFixture::accountOf("odd-one"), &paid));
        QCOMPARE(paid, std::int64_t(0));
        NodeRecord odd;
        TRIBUTARY_CHECK_OK(fx.node("odd-one", &odd));
        QCOMPARE(odd.dishonestMs, std::int64_t(4000));
        AttemptRecord rejected;
        TRIBUTARY_CHECK_OK(fx.attempt(task0, 3, &rejected));
        QCOMPARE(rejected.state, AttemptState::Rejected);
    }

    void caughtCheatersPendingResultsAreDiscarded()
    {
        DomainFixture fx;
        TRIBUTARY_CHECK_OK(fx.setUp({ "honest-a", "cheater", "honest-c" }));
        JobOptions options;
        options.tasks = 2; // replicate(2)
        TRIBUTARY_CHECK_OK(fx.addJob(options));
        const std::string task0 = taskId("job", 0);
        const std::string task1 = taskId("job", 1);

        std::vector<LeasedTask> leased;
        TRIBUTARY_CHECK_OK(fx.lease("honest-a", 2, 1000, &leased));
        TRIBUTARY_CHECK_OK(fx.lease("cheater", 2, 1000, &leased));
        QCOMPARE(leased.size(), std::size_t(2));
        SubmitVerdict verdict;
        // The cheater's result for task 1 waits for honest-a's.
        TRIBUTARY_CHECK_OK(fx.submit("cheater", task1, 2, "pending", 1500, &verdict));
        TRIBUTARY_CHECK_OK(fx.submit("honest-a", task0, 1, "honest", 2000, &verdict));
        TRIBUTARY_CHECK_OK(fx.submit("cheater", task0, 2, "cheat", 2000, &verdict));
        TRIBUTARY_CHECK_OK(fx.lease("honest-c", 1, 2500, &leased));
        QCOMPARE(leased.size(), std::size_t(1));
        QCOMPARE(leased[0].task.id, task0);
        TRIBUTARY_CHECK_OK(fx.submit("honest-c", leased[0], "honest", 3000, &verdict));

        AttemptRecord pending;
        TRIBUTARY_CHECK_OK(fx.attempt(task1, 2, &pending));
        QCOMPARE(pending.state, AttemptState::Rejected);
        TaskRecord task;
        TRIBUTARY_CHECK_OK(fx.task(task1, &task));
        QCOMPARE(task.submitted, 0u);
        QCOMPARE(task.live, 1u); // honest-a's lease
        QCOMPARE(task.state, TaskState::Queued);

        // honest-c takes the cheater's place; honest-a's result then agrees with it.
        TRIBUTARY_CHECK_OK(fx.lease("honest-c", 1, 3500, &leased));
        QCOMPARE(leased.size(), std::size_t(1));
        QCOMPARE(leased[0].task.id, task1);
        TRIBUTARY_CHECK_OK(fx.submit("honest-c", leased[0], "right", 4000, &verdict));
        TRIBUTARY_CHECK_OK(fx.submit("honest-a", task1, 1, "right", 4100, &verdict));
        QVERIFY(verdict.jobEnded);
        TRIBUTARY_CHECK_OK(fx.task(task1, &task));
        QCOMPARE(task.state, TaskState::Done);
        QCOMPARE(task.outputSha256, std::string("right"));
        std::int64_t paid = -1;
        TRIBUTARY_CHECK_OK(fx.balance(DomainFixture::accountOf("cheater"), &paid));
        QCOMPARE(paid, std::int64_t(0));
    }

    void spotCheckWithPOneAlwaysNeedsASecondNode()
    {
        DomainFixture fx;
        TRIBUTARY_CHECK_OK(fx.setUp({ "node-a", "node-b" }));
        JobOptions options;
        options.policy = VerificationPolicy::SpotCheck;
        options.spotCheckP = 1.0;
        options.tasks = 4;
        TRIBUTARY_CHECK_OK(fx.addJob(options));

        std::vector<LeasedTask> leased;
        TRIBUTARY_CHECK_OK(fx.lease("node-a", 4, 1000, &leased));
        QCOMPARE(leased.size(), std::size_t(4));
        SubmitVerdict verdict;
        for (std::uint32_t i = 0; i < 4; ++i) {
            TRIBUTARY_CHECK_OK(fx.submit("node-a", taskId("job", i), 1, "honest", 2000, &verdict));
            QCOMPARE(verdict.outcome, SubmitOutcome::Accepted);
            QVERIFY(!verdict.jobEnded);
            TaskRecord task;
            TRIBUTARY_CHECK_OK(fx.task(taskId("job", i), &task));
            QCOMPARE(task.needed, 2u);
            QCOMPARE(task.state, TaskState::Queued);
        }
        std::int64_t paid = -1;
        TRIBUTARY_CHECK_OK(fx.balance(DomainFixture::accountOf("node-a"), &paid));
        QCOMPARE(paid, std::int64_t(0));

        TRIBUTARY_CHECK_OK(fx.lease("node-b", 4, 3000, &leased));
        QCOMPARE(leased.size(), std::size_t(4));
        for (const LeasedTask &granted : leased)
            TRIBUTARY_CHECK_OK(fx.submit("node-b", granted, "honest", 4000, &verdict));
        QVERIFY(verdict.jobEnded);
        for (std::uint32_t i = 0; i < 4; ++i) {
            TaskRecord task;
            TRIBUTARY_CHECK_OK(fx.task(taskId("job", i), &task));
            QCOMPARE(task.state, TaskState::Done);
            QVERIFY(!task.unconfirmed);
        }
        // The hold covered one run per task; the owner pays the checks directly.
        for (const char *id : { "node-a", "node-b" }) {
            TRIBUTARY_CHECK_OK(fx.balance(DomainFixture::accountOf(id), &paid));
            QCOMPARE(paid, std::int64_t(4000));
        }
        std::int64_t escrow = -1, owner = 0;
        TRIBUTARY_CHECK_OK(fx.balance(Ledger::escrowBook("job"), &escrow));
        TRIBUTARY_CHECK_OK(fx.balance(DomainFixture::kOwner, &owner));
        QCOMPARE(escrow, std::int64_t(0));
        QCOMPARE(owner, kOwnerGrant - 8000);
    }

    void spotCheckWithTinyPAcceptsOnOneResult()
    {
        DomainFixture fx;
        TRIBUTARY_CHECK_OK(fx.setUp({ "node-a" }));
        JobOptions options;
        options.policy = VerificationPolicy::SpotCheck;
        options.spotCheckP = 1e-9;
        TRIBUTARY_CHECK_OK(fx.addJob(options));
        const std::string task0 = taskId("job", 0);
        QVERIFY(spotCheckDraw(task0, 1) >= options.spotCheckP); // the draw does not pick it

        std::vector<LeasedTask> leased;
        TRIBUTARY_CHECK_OK(fx.lease("node-a", 1, 1000, &leased));
        QCOMPARE(leased.size(), std::size_t(1));
        SubmitVerdict verdict;
        TRIBUTARY_CHECK_OK(fx.submit("node-a", task0, 1, "digest", 2000, &verdict));
        QCOMPARE(verdict.outcome, SubmitOutcome::Accepted);
        QVERIFY(verdict.jobEnded);

        TaskRecord task;
        TRIBUTARY_CHECK_OK(fx.task(task0, &task));
        QCOMPARE(task.state, TaskState::Done);
        QCOMPARE(task.needed, 1u);
        QVERIFY(task.unconfirmed);
        QCOMPARE(task.outputSha256, std::string("digest"));
        std::int64_t paid = -1;
        TRIBUTARY_CHECK_OK(fx.balance(DomainFixture::accountOf("node-a"), &paid));
        QCOMPARE(paid, std::int64_t(1000));
        NodeRecord node;
        TRIBUTARY_CHECK_OK(fx.node("node-a", &node));
        QCOMPARE(node.verifiedStreak, 0u); // nobody confirmed it: no trust earned
        QCOMPARE(node.verifiedTotal, std::uint64_t(0));
        JobRecord job;
        TRIBUTARY_CHECK_OK(fx.job("job", &job));
        QCOMPARE(job.state, JobState::Completed);
        QCOMPARE(fx.assemblerLog().callsFor("job"), 1);
    }

    void cheaterCaughtLaterHasUnconfirmedResultsUndone()
    {
        DomainFixture fx;
        TRIBUTARY_CHECK_OK(fx.setUp({ "cheater", "honest-a", "honest-c" }));
        const std::string cheaterAccount = DomainFixture::accountOf("cheater");

        // The cheater's wrong result for a spot-checked job is taken on its word.
        JobOptions spot;
        spot.id = "spot";
        spot.policy = VerificationPolicy::SpotCheck;
        spot.spotCheckP = 1e-9;
        spot.createdMs = 1;
        TRIBUTARY_CHECK_OK(fx.addJob(spot));
        const std::string spotTask = taskId("spot", 0);
        QVERIFY(spotCheckDraw(spotTask, 1) >= spot.spotCheckP);
        std::vector<LeasedTask> leased;
        TRIBUTARY_CHECK_OK(fx.lease("cheater", 1, 1000, &leased));
        QCOMPARE(leased.size(), std::size_t(1));
        SubmitVerdict verdict;
        TRIBUTARY_CHECK_OK(fx.submit("cheater", spotTask, 1, "cheat", 2000, &verdict));
        QCOMPARE(verdict.outcome, SubmitOutcome::Accepted);
        QVERIFY(verdict.jobEnded);
        std::int64_t cheaterBalance = 0;
        TRIBUTARY_CHECK_OK(fx.balance(cheaterAccount, &cheaterBalance));
        QCOMPARE(cheaterBalance, std::int64_t(1000));

        // Later it loses a replicate(2) vote elsewhere.
        JobOptions replica;
        replica.id = "replica";
        replica.createdMs = 3000;
        TRIBUTARY_CHECK_OK(fx.addJob(replica));
        const std::string replicaTask = taskId("replica", 0);
        TRIBUTARY_CHECK_OK(fx.lease("honest-a", 1, 3000, &leased));
        TRIBUTARY_CHECK_OK(fx.lease("cheater", 1, 3000, &leased));
        QCOMPARE(leased.size(), std::size_t(1));
        TRIBUTARY_CHECK_OK(fx.submit("honest-a", replicaTask, 1, "honest", 4000, &verdict));
        TRIBUTARY_CHECK_OK(fx.submit("cheater", replicaTask, 2, "cheat", 4100, &verdict));
        TRIBUTARY_CHECK_OK(fx.lease("honest-c", 1, 4200, &leased));
        QCOMPARE(leased.size(), std::size_t(1));
        TRIBUTARY_CHECK_OK(fx.submit("honest-c", replicaTask, 3, "honest", 5000, &verdict));
        QCOMPARE(verdict.outcome, SubmitOutcome::Accepted);
        NodeRecord cheater;
        TRIBUTARY_CHECK_OK(fx.node("cheater", &cheater));
        QCOMPARE(cheater.dishonestMs, std::int64_t(5000));

        // Its unconfirmed result is undone: rejected, clawed back, re-queued for two nodes.
        AttemptRecord attempt;
        TRIBUTARY_CHECK_OK(fx.attempt(spotTask, 1, &attempt));
        QCOMPARE(attempt.state, AttemptState::Rejected);
        TaskRecord task;
        TRIBUTARY_CHECK_OK(fx.task(spotTask, &task));
        QCOMPARE(task.state, TaskState::Queued);
        QCOMPARE(task.needed, 2u);
        QCOMPARE(task.submitted, 0u);
        QCOMPARE(task.live, 0u);
        QCOMPARE(task.acceptedAttempt, 0u);
        QCOMPARE(task.outputSha256, std::string());
        QVERIFY(!task.unconfirmed);
        JobRecord job;
        TRIBUTARY_CHECK_OK(fx.job("spot", &job));
        QCOMPARE(job.state, JobState::Running);
        QCOMPARE(job.tasksDone, 0u);
        QCOMPARE(job.finishedMs, std::int64_t(0));
        QCOMPARE(job.resultSha256, std::string());
        std::vector<LedgerEntryRecord> entries;
        TRIBUTARY_CHECK_OK(fx.entries(cheaterAccount, &entries));
        QCOMPARE(entries.size(), std::size_t(2));
        QCOMPARE(entries[0].kind, std::string("payment"));
        QCOMPARE(entries[1].kind, std::string("clawback"));
        QCOMPARE(entries[1].amountUnits, std::int64_t(-1000));
        QCOMPARE(entries[1].taskId, spotTask);
        TRIBUTARY_CHECK_OK(fx.balance(cheaterAccount, &cheaterBalance));
        QCOMPARE(cheaterBalance, std::int64_t(0)); // zero net from the undone task
        std::int64_t escrow = 0;
        TRIBUTARY_CHECK_OK(fx.balance(Ledger::escrowBook("spot"), &escrow));
        QCOMPARE(escrow, std::int64_t(1000));

        // Two other nodes re-run it; the cheater's own rejected attempt keeps it away.
        TRIBUTARY_CHECK_OK(fx.lease("cheater", 1, 6000, &leased));
        QVERIFY(leased.empty());
        TRIBUTARY_CHECK_OK(fx.lease("honest-a", 1, 6000, &leased));
        QCOMPARE(leased.size(), std::size_t(1));
        QCOMPARE(leased[0].task.id, spotTask);
        TRIBUTARY_CHECK_OK(fx.lease("honest-c", 1, 6000, &leased));
        QCOMPARE(leased.size(), std::size_t(1));
        TRIBUTARY_CHECK_OK(fx.submit("honest-a", spotTask, 2, "honest", 7000, &verdict));
        TRIBUTARY_CHECK_OK(fx.task(spotTask, &task));
        QCOMPARE(task.state, TaskState::Verifying); // one result is no longer enough
        TRIBUTARY_CHECK_OK(fx.submit("honest-c", spotTask, 3, "honest", 7100, &verdict));
        QVERIFY(verdict.jobEnded);
        TRIBUTARY_CHECK_OK(fx.task(spotTask, &task));
        QCOMPARE(task.state, TaskState::Done);
        QVERIFY(!task.unconfirmed);
        QCOMPARE(task.outputSha256, std::string("honest"));
        TRIBUTARY_CHECK_OK(fx.job("spot", &job));
        QCOMPARE(job.state, JobState::Completed);
        QCOMPARE(job.tasksDone, 1u);
        QCOMPARE(fx.assemblerLog().callsFor("spot"), 2);

        // Each honest node earned a run of each job; the owner paid the re-run's second
        // run beyond the hold.
        for (const char *id : { "honest-a", "honest-c" }) {
            std::int64_t paid = 0;
            TRIBUTARY_CHECK_OK(fx.balance(DomainFixture::accountOf(id), &paid));
            QCOMPARE(paid, std::int64_t(2000));
        }
        TRIBUTARY_CHECK_OK(fx.balance(cheaterAccount, &cheaterBalance));
        QCOMPARE(cheaterBalance, std::int64_t(0));
        std::int64_t owner = 0;
        TRIBUTARY_CHECK_OK(fx.balance(DomainFixture::kOwner, &owner));
        QCOMPARE(owner, kOwnerGrant - 4000);
        TRIBUTARY_CHECK_OK(fx.balance(Ledger::escrowBook("spot"), &escrow));
        QCOMPARE(escrow, std::int64_t(0));
    }

    void cheaterCaughtInTheJobItCompletesReopensIt()
    {
        // spot_check(0.5): task 0 is taken on the cheater's word, task 1 is checked.
        std::string jobId;
        for (int n = 0; n < 100'000 && jobId.empty(); ++n) {
            const std::string candidate = "same-" + std::to_string(n);
            if (spotCheckDraw(taskId(candidate, 0), 1) >= 0.5 && spotCheckDraw(taskId(candidate, 1), 1) < 0.5)
                jobId = candidate;
        }
        QVERIFY(!jobId.empty());
        DomainFixture fx;
        TRIBUTARY_CHECK_OK(fx.setUp({ "cheater", "honest-a", "honest-c" }));
        JobOptions options;
        options.id = jobId;
        options.policy = VerificationPolicy::SpotCheck;
        options.spotCheckP = 0.5;
        options.tasks = 2;
        TRIBUTARY_CHECK_OK(fx.addJob(options));
        const std::string task0 = taskId(jobId, 0);
        const std::string task1 = taskId(jobId, 1);

        std::vector<LeasedTask> leased;
        TRIBUTARY_CHECK_OK(fx.lease("cheater", 2, 1000, &leased));
        QCOMPARE(leased.size(), std::size_t(2));
        SubmitVerdict verdict;
        TRIBUTARY_CHECK_OK(fx.submit("cheater", task0, 1, "cheat-0", 2000, &verdict));
        TaskRecord task;
        TRIBUTARY_CHECK_OK(fx.task(task0, &task));
        QCOMPARE(task.state, TaskState::Done);
        QVERIFY(task.unconfirmed);
        TRIBUTARY_CHECK_OK(fx.submit("cheater", task1, 1, "cheat-1", 2000, &verdict));
        TRIBUTARY_CHECK_OK(fx.task(task1, &task));
        QCOMPARE(task.needed, 2u);
        TRIBUTARY_CHECK_OK(fx.lease("honest-a", 2, 3000, &leased));
        QCOMPARE(leased.size(), std::size_t(1));
        TRIBUTARY_CHECK_OK(fx.submit("honest-a", leased[0], "honest-1", 4000, &verdict));
        TRIBUTARY_CHECK_OK(fx.lease("honest-c", 2, 5000, &leased));
        QCOMPARE(leased.size(), std::size_t(1));
        QCOMPARE(leased[0].task.id, task1);
        // This result completes the job and unmasks the cheater, whose task 0 re-opens it.
        TRIBUTARY_CHECK_OK(fx.submit("honest-c", leased[0], "honest-1", 6000, &verdict));
        QCOMPARE(verdict.outcome, SubmitOutcome::Accepted);
        JobRecord job;
        TRIBUTARY_CHECK_OK(fx.job(jobId, &job));
        QCOMPARE(job.state, JobState::Running);
        QCOMPARE(job.tasksDone, 1u);
        QCOMPARE(job.resultSha256, std::string());
        QVERIFY2(
            !verdict.jobEnded, "the verdict says the job ended, but it was re-opened in the same submit");
        TRIBUTARY_CHECK_OK(fx.task(task0, &task));
        QCOMPARE(task.state, TaskState::Queued);
        QCOMPARE(task.needed, 2u);
        std::int64_t cheaterBalance = -1;
        TRIBUTARY_CHECK_OK(fx.balance(DomainFixture::accountOf("cheater"), &cheaterBalance));
        QCOMPARE(cheaterBalance, std::int64_t(0));
    }

    void resultsOlderThanTheRecheckWindowStand()
    {
        DomainFixture fx(SchedulerOptions {}, std::chrono::milliseconds(1000));
        TRIBUTARY_CHECK_OK(fx.setUp({ "cheater", "honest-a", "honest-c" }));
        JobOptions spot;
        spot.id = "spot";
        spot.policy = VerificationPolicy::SpotCheck;
        spot.spotCheckP = 1e-9;
        TRIBUTARY_CHECK_OK(fx.addJob(spot));
        QVERIFY(spotCheckDraw(taskId("spot", 0), 1) >= spot.spotCheckP);
        std::vector<LeasedTask> leased;
        TRIBUTARY_CHECK_OK(fx.lease("cheater", 1, 1000, &leased));
        SubmitVerdict verdict;
        TRIBUTARY_CHECK_OK(fx.submit("cheater", taskId("spot", 0), 1, "cheat", 2000, &verdict));
        QVERIFY(verdict.jobEnded);

        JobOptions replica;
        replica.id = "replica";
        replica.createdMs = 3000;
        TRIBUTARY_CHECK_OK(fx.addJob(replica));
        TRIBUTARY_CHECK_OK(fx.lease("honest-a", 1, 3000, &leased));
        TRIBUTARY_CHECK_OK(fx.lease("cheater", 1, 3000, &leased));
        TRIBUTARY_CHECK_OK(fx.submit("honest-a", taskId("replica", 0), 1, "honest", 4000, &verdict));
        TRIBUTARY_CHECK_OK(fx.submit("cheater", taskId("replica", 0), 2, "cheat", 4000, &verdict));
        TRIBUTARY_CHECK_OK(fx.lease("honest-c", 1, 4000, &leased));
        TRIBUTARY_CHECK_OK(fx.submit("honest-c", taskId("replica", 0), 3, "honest", 5000, &verdict));
        NodeRecord cheater;
        TRIBUTARY_CHECK_OK(fx.node("cheater", &cheater));
        QCOMPARE(cheater.dishonestMs, std::int64_t(5000));

        // Submitted at 2000, caught at 5000 with a 1000 ms window: left alone.
        JobRecord job;
        TRIBUTARY_CHECK_OK(fx.job("spot", &job));
        QCOMPARE(job.state, JobState::Completed);
        TaskRecord task;
        TRIBUTARY_CHECK_OK(fx.task(taskId("spot", 0), &task));
        QCOMPARE(task.state, TaskState::Done);
        std::int64_t paid = 0;
        TRIBUTARY_CHECK_OK(fx.balance(DomainFixture::accountOf("cheater"), &paid));
        QCOMPARE(paid, std::int64_t(1000));
    }

    void trustLowersTheSpotCheckProbability()
    {
        const double p = 0.5;
        for (std::uint32_t streak = 0; streak <= kTrustedStreak; ++streak)
            QCOMPARE(spotCheckProbability(p, streak), p);
        QVERIFY(spotCheckProbability(p, kTrustedStreak + 1) < p);
        QCOMPARE(spotCheckProbability(p, 2 * kTrustedStreak), p / 2);
        double previous = p;
        for (std::uint32_t streak = 0; streak <= 100'000; ++streak) {
            const double probability = spotCheckProbability(p, streak);
            QVERIFY(probability <= previous);
            QVERIFY(probability >= p / 10);
            previous = probability;
        }
        QCOMPARE(spotCheckProbability(p, 100'000), p / 10);
        QCOMPARE(spotCheckProbability(p, UINT32_MAX), p / 10);
        QCOMPARE(spotCheckProbability(1.0, 0), 1.0);

        // The draw is a pure function of the task and attempt.
        QCOMPARE(spotCheckDraw("task", 1), spotCheckDraw("task", 1));
        QVERIFY(spotCheckDraw("task", 1) != spotCheckDraw("task", 2));
    }

    void trustedNodesAreCheckedLessOften()
    {
        const double p = 0.5;
        const double atStreak11 = spotCheckProbability(p, kTrustedStreak + 1);
        // A task that a new node's result is checked for, and a trusted one's is not.
        const std::string jobId = jobIdWithDraw("trust-", atStreak11, p);
        QVERIFY(!jobId.empty());
        JobOptions spot;
        spot.id = jobId;
        spot.policy = VerificationPolicy::SpotCheck;
        spot.spotCheckP = p;
        spot.createdMs = 100;

        for (const bool trusted : { false, true }) {
            DomainFixture fx;
            TRIBUTARY_CHECK_OK(fx.setUp({ "node-a", "node-b" }));
            if (trusted) {
                // node-a earns its streak with results that node-b confirms.
                JobOptions warmUp;
                warmUp.id = "warm-up";
                warmUp.tasks = kTrustedStreak + 1;
                TRIBUTARY_CHECK_OK(fx.addJob(warmUp));
                std::vector<LeasedTask> leased;
                TRIBUTARY_CHECK_OK(fx.lease("node-a", 100, 10, &leased));
                TRIBUTARY_CHECK_OK(fx.lease("node-b", 100, 10, &leased));
                QCOMPARE(leased.size(), std::size_t(kTrustedStreak + 1));
                SubmitVerdict verdict;
                for (const LeasedTask &task : leased) {
                    TRIBUTARY_CHECK_OK(
                        fx.submit("node-a", task.task.id, task.attempt.attempt - 1, "ok", 20, &verdict));
                    TRIBUTARY_CHECK_OK(fx.submit("node-b", task, "ok", 20, &verdict));
                }
                QVERIFY(verdict.jobEnded);
                NodeRecord node;
                TRIBUTARY_CHECK_OK(fx.node("node-a", &node));
                QCOMPARE(node.verifiedStreak, kTrustedStreak + 1);
            }
            TRIBUTARY_CHECK_OK(fx.addJob(spot));
            std::vector<LeasedTask> leased;
            TRIBUTARY_CHECK_OK(fx.lease("node-a", 1, 1000, &leased));
            QCOMPARE(leased.size(), std::size_t(1));
            QCOMPARE(leased[0].attempt.attempt, 1u);
            SubmitVerdict verdict;
            TRIBUTARY_CHECK_OK(fx.submit("node-a", leased[0], "digest", 2000, &verdict));
            TaskRecord task;
            TRIBUTARY_CHECK_OK(fx.task(taskId(jobId, 0), &task));
            if (trusted) {
                QCOMPARE(task.state, TaskState::Done);
                QVERIFY(task.unconfirmed);
            } else {
                QCOMPARE(task.needed, 2u);
                QCOMPARE(task.state, TaskState::Queued);
            }
        }

        // However long the streak, p/10 is still checked.
        const std::string floorJob = jobIdWithDraw("floor-", p / 10 - 0.01, p / 10);
        QVERIFY(!floorJob.empty());
        DomainFixture fx;
        TRIBUTARY_CHECK_OK(fx.setUp({}));
        TRIBUTARY_CHECK_OK(fx.addAccount("veteran"));
        TRIBUTARY_CHECK_OK(fx.addNode("veteran", "veteran", 1'000'000));
        spot.id = floorJob;
        TRIBUTARY_CHECK_OK(fx.addJob(spot));
        std::vector<LeasedTask> leased;
        TRIBUTARY_CHECK_OK(fx.lease("veteran", 1, 1000, &leased));
        QCOMPARE(leased.size(), std::size_t(1));
        SubmitVerdict verdict;
        TRIBUTARY_CHECK_OK(fx.submit("veteran", leased[0], "digest", 2000, &verdict));
        TaskRecord task;
        TRIBUTARY_CHECK_OK(fx.task(taskId(floorJob, 0), &task));
        QCOMPARE(task.needed, 2u);
        QCOMPARE(task.state, TaskState::Queued);
    }

    void nodeErrorIsAFailureWithBackoff()
    {
        DomainFixture fx;
        TRIBUTARY_CHECK_OK(fx.setUp({ "node-a" }));
        TRIBUTARY_CHECK_OK(fx.addJob(JobOptions {}));
        const std::string task0 = taskId("job", 0);

        std::vector<LeasedTask> leased;
        TRIBUTARY_CHECK_OK(fx.lease("node-a", 1, 1000, &leased));
        QCOMPARE(leased.size(), std::size_t(1));
        SubmitVerdict verdict;
        TRIBUTARY_CHECK_OK(fx.submit("node-a", task0, 1, "", 2000, &verdict, "out of device memory"));
        QCOMPARE(verdict.outcome, SubmitOutcome::Rejected);
        QVERIFY(!verdict.jobEnded);
        AttemptRecord attempt;
        TRIBUTARY_CHECK_OK(fx.attempt(task0, 1, &attempt));
        QCOMPARE(attempt.state, AttemptState::Failed);
        QVERIFY2(attempt.message.find("out of device memory") != std::string::npos, attempt.message.c_str());
        TaskRecord task;
        TRIBUTARY_CHECK_OK(fx.task(task0, &task));
        QCOMPARE(task.state, TaskState::Queued);
        QCOMPARE(task.failures, 1u);
        QCOMPARE(task.live, 0u);
        QCOMPARE(task.submitted, 0u);
        QCOMPARE(task.notBeforeMs, std::int64_t(3000));
        JobRecord job;
        TRIBUTARY_CHECK_OK(fx.job("job", &job));
        QCOMPARE(job.liveAttempts, 0u);
        QCOMPARE(job.state, JobState::Running);

        TRIBUTARY_CHECK_OK(fx.lease("node-a", 1, 2999, &leased));
        QVERIFY(leased.empty());
        TRIBUTARY_CHECK_OK(fx.lease("node-a", 1, 3000, &leased));
        QCOMPARE(leased.size(), std::size_t(1));
        QCOMPARE(leased[0].attempt.attempt, 2u);
        TRIBUTARY_CHECK_OK(fx.submit("node-a", task0, 2, "", 4000, &verdict, "driver crashed"));
        QCOMPARE(verdict.outcome, SubmitOutcome::Rejected);
        TRIBUTARY_CHECK_OK(fx.task(task0, &task));
        QCOMPARE(task.failures, 2u);
        QCOMPARE(task.notBeforeMs, std::int64_t(6000)); // doubled

        // A repeated error report is a duplicate, not a third failure.
        TRIBUTARY_CHECK_OK(fx.submit("node-a", task0, 2, "", 4001, &verdict, "driver crashed"));
        QCOMPARE(verdict.outcome, SubmitOutcome::Duplicate);
        TRIBUTARY_CHECK_OK(fx.task(task0, &task));
        QCOMPARE(task.failures, 2u);
        std::int64_t paid = -1;
        TRIBUTARY_CHECK_OK(fx.balance(DomainFixture::accountOf("node-a"), &paid));
        QCOMPARE(paid, std::int64_t(0));
    }

    void referencePolicyTakesTheCallersVerdict()
    {
        DomainFixture fx;
        TRIBUTARY_CHECK_OK(fx.setUp({ "node-a" }));
        JobOptions options;
        options.policy = VerificationPolicy::Reference;
        options.tasks = 2;
        TRIBUTARY_CHECK_OK(fx.addJob(options));
        const std::string task0 = taskId("job", 0);
        const std::string task1 = taskId("job", 1);

        std::vector<LeasedTask> leased;
        TRIBUTARY_CHECK_OK(fx.lease("node-a", 2, 1000, &leased));
        QCOMPARE(leased.size(), std::size_t(2));
        SubmitVerdict verdict;
        const std::string why = "element (3, 4) differs from the reference";
        TRIBUTARY_CHECK_OK(fx.submit("node-a", task0, 1, "wrong", 2000, &verdict, {}, why));
        QCOMPARE(verdict.outcome, SubmitOutcome::Rejected);
        QCOMPARE(verdict.message, why);
        AttemptRecord attempt;
        TRIBUTARY_CHECK_OK(fx.attempt(task0, 1, &attempt));
        QCOMPARE(attempt.state, AttemptState::Rejected);
        QCOMPARE(attempt.message, why);
        TaskRecord task;
        TRIBUTARY_CHECK_OK(fx.task(task0, &task));
        QCOMPARE(task.state, TaskState::Queued);
        QCOMPARE(task.failures, 1u);
        QCOMPARE(task.notBeforeMs, std::int64_t(3000));

        // An empty rejection means the result matched.
        TRIBUTARY_CHECK_OK(fx.submit("node-a", task1, 1, "right", 2000, &verdict, {}, std::string()));
        QCOMPARE(verdict.outcome, SubmitOutcome::Accepted);
        QVERIFY(!verdict.jobEnded);
        TRIBUTARY_CHECK_OK(fx.task(task1, &task));
        QCOMPARE(task.state, TaskState::Done);
        QVERIFY(!task.unconfirmed);
        QCOMPARE(task.outputSha256, std::string("right"));
        std::int64_t paid = -1;
        TRIBUTARY_CHECK_OK(fx.balance(DomainFixture::accountOf("node-a"), &paid));
        QCOMPARE(paid, std::int64_t(1000));
        NodeRecord node;
        TRIBUTARY_CHECK_OK(fx.node("node-a", &node));
        QCOMPARE(node.verifiedStreak, 1u); // the reference confirmed it

        // The same node may retry the rejected task after the backoff.
        TRIBUTARY_CHECK_OK(fx.lease("node-a", 1, 3000, &leased));
        QCOMPARE(leased.size(), std::size_t(1));
        QCOMPARE(leased[0].attempt.attempt, 2u);
        TRIBUTARY_CHECK_OK(fx.submit("node-a", task0, 2, "right", 4000, &verdict));
        QCOMPARE(verdict.outcome, SubmitOutcome::Accepted);
        QVERIFY(verdict.jobEnded);
        TRIBUTARY_CHECK_OK(fx.balance(DomainFixture::accountOf("node-a"), &paid));
        QCOMPARE(paid, std::int64_t(2000));
        JobRecord job;
        TRIBUTARY_CHECK_OK(fx.job("job", &job));
        QCOMPARE(job.state, JobState::Completed);
    }
};

QTEST_GUILESS_MAIN(VerificationTest)
#include "verification_test.moc"
