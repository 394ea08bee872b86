// Unit tests for the coordinator's ledger (coordinator/ledger) on an in-memory SQLite
// store: the double-entry invariants after a whole replicate(2) run with a cheater, and
// the single movements (idempotent payments and grants, payments beyond the escrow,
// unbalanced transactions refused).

#include "domain_fixture.h"

#include "coordinator/ledger/pricing.h"

#include <QTest>

#include <map>
#include <set>

using namespace tributary::coordinator;
using namespace tributary::coordinator::test;
using tributary::engine::Status;

namespace {

constexpr std::int64_t kOwnerGrant = DomainFixture::kOwnerGrantUnits;

// One run to pay, as Ledger::pay takes them.
std::vector<Ledger::Payee> payee(std::uint32_t attempt, const std::string &accountId)
{
    return { Ledger::Payee { attempt, accountId } };
}

struct Loaded {
    JobRecord job;
    TaskRecord task;
};

} // namespace

class LedgerTest : public QObject {
    Q_OBJECT

private:
    // Every book, its balance and its entries.
    static Status allBooks(DomainFixture &fx, std::vector<LedgerPosting> *balances,
        std::map<std::string, std::vector<LedgerEntryRecord>> *entries)
    {
        if (auto status = fx.store().read([&](StoreTransaction &tx) { return tx.allBalances(balances); });
            !status)
            return status;
        for (const LedgerPosting &book : *balances) {
            if (auto status = fx.entries(book.book, &(*entries)[book.book]); !status)
                return status;
        }
        return Status::ok();
    }

    static Status load(DomainFixture &fx, const std::string &jobId, std::uint32_t index, Loaded *loaded)
    {
        if (auto status = fx.job(jobId, &loaded->job); !status)
            return status;
        return fx.task(taskId(jobId, index), &loaded->task);
    }

private slots:
    void invariantsHoldAfterARunWithACheater()
    {
        DomainFixture fx;
        TRIBUTARY_CHECK_OK(fx.setUp({ "honest-a", "cheater", "honest-c" }));
        JobOptions options;
        options.tasks = 3; // replicate(2)
        options.holdUnits = 10'000; // more than it will cost: the rest comes back
        TRIBUTARY_CHECK_OK(fx.addJob(options));

        std::vector<LeasedTask> leased;
        SubmitVerdict verdict;
        TRIBUTARY_CHECK_OK(fx.lease("honest-a", 3, 1000, &leased));
        QCOMPARE(leased.size(), std::size_t(3));
        TRIBUTARY_CHECK_OK(fx.lease("cheater", 3, 1000, &leased));
        QCOMPARE(leased.size(), std::size_t(3));
        for (std::uint32_t i = 0; i < 3; ++i)
            TRIBUTARY_CHECK_OK(
                fx.submit("honest-a", taskId("job", i), 1, "honest-" + std::to_string(i), 2000, &verdict));
        // Wrong on task 0, right on task 1 (and paid for it, confirmed), task 2 pending.
        TRIBUTARY_CHECK_OK(fx.submit("cheater", taskId("job", 0), 2, "cheat", 2100, &verdict));
        TRIBUTARY_CHECK_OK(fx.submit("cheater", taskId("job", 1), 2, "honest-1", 2200, &verdict));
        TRIBUTARY_CHECK_OK(fx.lease("honest-c", 10, 2300, &leased));
        QCOMPARE(leased.size(), std::size_t(1));
        QCOMPARE(leased[0].task.id, taskId("job", 0));
        TRIBUTARY_CHECK_OK(fx.submit("honest-c", leased[0], "honest-0", 3000, &verdict));
        // Caught: its lease on task 2 is revoked and the task goes to honest-c.
        AttemptRecord attempt;
        TRIBUTARY_CHECK_OK(fx.attempt(taskId("job", 2), 2, &attempt));
        QCOMPARE(attempt.state, AttemptState::Revoked);
        TRIBUTARY_CHECK_OK(fx.lease("honest-c", 10, 3100, &leased));
        QCOMPARE(leased.size(), std::size_t(1));
        QCOMPARE(leased[0].task.id, taskId("job", 2));
        TRIBUTARY_CHECK_OK(fx.submit("honest-c", leased[0], "honest-2", 4000, &verdict));
        QVERIFY(verdict.jobEnded);
        JobRecord job;
        TRIBUTARY_CHECK_OK(fx.job("job", &job));
        QCOMPARE(job.state, JobState::Completed);

        std::vector<LedgerPosting> balances;
        std::map<std::string, std::vector<LedgerEntryRecord>> entries;
        TRIBUTARY_CHECK_OK(allBooks(fx, &balances, &entries));

        // All books sum to zero; each book's balance is the sum of its entries; each
        // transaction's entries sum to zero.
        std::int64_t total = 0;
        std::map<std::int64_t, std::int64_t> perTransaction;
        std::map<std::string, std::int64_t> balanceOf;
        for (const LedgerPosting &book : balances) {
            total += book.amountUnits;
            balanceOf[book.book] = book.amountUnits;
            std::int64_t sum = 0;
            for (const LedgerEntryRecord &entry : entries[book.book]) {
                sum += entry.amountUnits;
                perTransaction[entry.transactionId] += entry.amountUnits;
            }
            QVERIFY2(sum == book.amountUnits, book.book.c_str());
        }
        QCOMPARE(total, std::int64_t(0));
        // grant, hold, a payment per task (its two agreeing runs together), refund
        QCOMPARE(perTransaction.size(), std::size_t(1 + 1 + 3 + 1));
        for (const auto &[transactionId, sum] : perTransaction)
            QVERIFY2(sum == 0, std::to_string(transactionId).c_str());

        // What the nodes earned: a run for every accepted attempt, never the cheater's
        // wrong one.
        const std::int64_t run = unitsForFlops(options.flopsPerTask);
        QCOMPARE(balanceOf[DomainFixture::accountOf("honest-a")], 3 * run);
        QCOMPARE(balanceOf[DomainFixture::accountOf("honest-c")], 2 * run);
        QCOMPARE(balanceOf[DomainFixture::accountOf("cheater")], 1 * run);
        const std::int64_t paid = 6 * run;

        // The escrow is empty and its rest went back to the owner.
        QCOMPARE(balanceOf[Ledger::escrowBook("job")], std::int64_t(0));
        QCOMPARE(balanceOf[DomainFixture::kOwner], kOwnerGrant - paid);
        QCOMPARE(balanceOf[Ledger::kIssuanceBook], -kOwnerGrant);
        const std::vector<LedgerEntryRecord> &owner = entries[DomainFixture::kOwner];
        QCOMPARE(owner.size(), std::size_t(3));
        QCOMPARE(owner[0].kind, std::string("grant"));
        QCOMPARE(owner[1].kind, std::string("hold"));
        QCOMPARE(owner[1].amountUnits, std::int64_t(-10'000));
        QCOMPARE(owner[2].kind, std::string("refund"));
        QCOMPARE(owner[2].amountUnits, 10'000 - paid);

        // One payment per accepted attempt, none twice.
        std::map<std::string, int> paymentsPerTask;
        int payments = 0;
        for (const auto &[book, bookEntries] : entries) {
            if (book.rfind("account-of-", 0) != 0)
                continue;
            for (const LedgerEntryRecord &entry : bookEntries) {
                QCOMPARE(entry.kind, std::string("payment"));
                QCOMPARE(entry.amountUnits, run);
                ++paymentsPerTask[entry.taskId];
                ++payments;
            }
        }
        QCOMPARE(payments, 6);
        for (std::uint32_t i = 0; i < 3; ++i)
            QCOMPARE(paymentsPerTask[taskId("job", i)], 2);
    }

    void paymentIsIdempotentPerAttempt()
    {
        DomainFixture fx;
        TRIBUTARY_CHECK_OK(fx.setUp({ "node-a" }));
        TRIBUTARY_CHECK_OK(fx.addJob(JobOptions {}));
        Loaded loaded;
        TRIBUTARY_CHECK_OK(load(fx, "job", 0, &loaded));
        const std::string account = DomainFixture::accountOf("node-a");

        for (int i = 0; i < 2; ++i) {
            TRIBUTARY_CHECK_OK(fx.store().write([&](StoreTransaction &tx) -> Status {
                if (auto status = Ledger::pay(tx, loaded.job, loaded.task, payee(1, account), 1000); !status)
                    return status;
                return Ledger::pay(tx, loaded.job, loaded.task, payee(1, account), 1001);
            }));
        }
        std::int64_t balance = 0, escrow = 0;
        TRIBUTARY_CHECK_OK(fx.balance(account, &balance));
        TRIBUTARY_CHECK_OK(fx.balance(Ledger::escrowBook("job"), &escrow));
        QCOMPARE(balance, std::int64_t(1000));
        QCOMPARE(escrow, std::int64_t(1000)); // 2000 held for replicate(2)
        std::vector<LedgerEntryRecord> entries;
        TRIBUTARY_CHECK_OK(fx.entries(account, &entries));
        QCOMPARE(entries.size(), std::size_t(1));

        // Another attempt of the same task is another run.
        TRIBUTARY_CHECK_OK(fx.store().write([&](StoreTransaction &tx) {
            return Ledger::pay(tx, loaded.job, loaded.task, payee(2, account), 1002);
        }));
        TRIBUTARY_CHECK_OK(fx.balance(account, &balance));
        QCOMPARE(balance, std::int64_t(2000));
    }

    // A replicated task's agreeing runs are paid in one transaction: each node's account
    // gets a run, the escrow pays both, and paying the same runs again changes nothing.
    void agreeingRunsArePaidTogetherOnce()
    {
        DomainFixture fx;
        TRIBUTARY_CHECK_OK(fx.setUp({ "node-a", "node-b" }));
        TRIBUTARY_CHECK_OK(fx.addJob(JobOptions {}));
        Loaded loaded;
        TRIBUTARY_CHECK_OK(load(fx, "job", 0, &loaded));
        const std::vector<Ledger::Payee> both = { { 1, DomainFixture::accountOf("node-a") },
            { 2, DomainFixture::accountOf("node-b") } };
        for (int i = 0; i < 2; ++i) {
            TRIBUTARY_CHECK_OK(
                fx.store().write([&](StoreTransaction &tx) { return Ledger::pay(tx, loaded.job, loaded.task, both, 1000); }));
        }
        std::int64_t a = 0, b = 0, escrow = -1;
        TRIBUTARY_CHECK_OK(fx.balance(DomainFixture::accountOf("node-a"), &a));
        TRIBUTARY_CHECK_OK(fx.balance(DomainFixture::accountOf("node-b"), &b));
        TRIBUTARY_CHECK_OK(fx.balance(Ledger::escrowBook("job"), &escrow));
        QCOMPARE(a, std::int64_t(1000));
        QCOMPARE(b, std::int64_t(1000));
        QCOMPARE(escrow, std::int64_t(0)); // 2000 held for replicate(2)
        std::vector<LedgerEntryRecord> entries;
        TRIBUTARY_CHECK_OK(fx.entries(DomainFixture::accountOf("node-b"), &entries));
        QCOMPARE(entries.size(), std::size_t(1));
        QCOMPARE(entries[0].kind, std::string("payment"));
        QCOMPARE(entries[0].taskId, loaded.task.id);
        std::int64_t cost = 0;
        TRIBUTARY_CHECK_OK(fx.store().read([&](StoreTransaction &tx) { return tx.jobCost("job", &cost); }));
        QCOMPARE(cost, std::int64_t(2000));
    }

    void paymentBeyondTheEscrowComesFromTheOwner()
    {
        DomainFixture fx;
        TRIBUTARY_CHECK_OK(fx.setUp({ "node-a" }));
        JobOptions options;
        options.holdUnits = 300;
        TRIBUTARY_CHECK_OK(fx.addJob(options));
        Loaded loaded;
        TRIBUTARY_CHECK_OK(load(fx, "job", 0, &loaded));
        const std::string account = DomainFixture::accountOf("node-a");
        TRIBUTARY_CHECK_OK(fx.store().write([&](StoreTransaction &tx) {
            return Ledger::pay(tx, loaded.job, loaded.task, payee(1, account), 1000);
        }));

        std::int64_t node = 0, escrow = -1, owner = 0;
        TRIBUTARY_CHECK_OK(fx.balance(account, &node));
        TRIBUTARY_CHECK_OK(fx.balance(Ledger::escrowBook("job"), &escrow));
        TRIBUTARY_CHECK_OK(fx.balance(DomainFixture::kOwner, &owner));
        QCOMPARE(node, std::int64_t(1000));
        QCOMPARE(escrow, std::int64_t(0));
        QCOMPARE(owner, kOwnerGrant - 1000);
        std::vector<LedgerEntryRecord> entries;
        TRIBUTARY_CHECK_OK(fx.entries(DomainFixture::kOwner, &entries));
        QCOMPARE(entries.back().kind, std::string("payment"));
        QCOMPARE(entries.back().amountUnits, std::int64_t(-700));

        // Nothing left to refund.
        TRIBUTARY_CHECK_OK(
            fx.store().write([&](StoreTransaction &tx) { return Ledger::refund(tx, loaded.job, 2000); }));
        TRIBUTARY_CHECK_OK(fx.entries(DomainFixture::kOwner, &entries));
        QCOMPARE(entries.back().kind, std::string("payment"));
    }

    void grantsAndHoldsAreIdempotent()
    {
        DomainFixture fx;
        TRIBUTARY_CHECK_OK(fx.setUp({}));
        bool duplicate = true;
        TRIBUTARY_CHECK_OK(fx.store().write([&](StoreTransaction &tx) {
            return Ledger::grant(tx, DomainFixture::kOwner, 500, "top-up", "top-up:1", 10, &duplicate);
        }));
        QVERIFY(!duplicate);
        TRIBUTARY_CHECK_OK(fx.store().write([&](StoreTransaction &tx) {
            return Ledger::grant(tx, DomainFixture::kOwner, 500, "top-up", "top-up:1", 11, &duplicate);
        }));
        QVERIFY(duplicate);
        std::int64_t owner = 0;
        TRIBUTARY_CHECK_OK(fx.balance(DomainFixture::kOwner, &owner));
        QCOMPARE(owner, kOwnerGrant + 500);

        TRIBUTARY_CHECK_OK(fx.addJob(JobOptions {}));
        JobRecord job;
        TRIBUTARY_CHECK_OK(fx.job("job", &job));
        TRIBUTARY_CHECK_OK(
            fx.store().write([&](StoreTransaction &tx) { return Ledger::hold(tx, job, 2000, 20); }));
        std::int64_t escrow = 0;
        TRIBUTARY_CHECK_OK(fx.balance(Ledger::escrowBook("job"), &escrow));
        QCOMPARE(escrow, std::int64_t(2000));
        TRIBUTARY_CHECK_OK(fx.balance(DomainFixture::kOwner, &owner));
        QCOMPARE(owner, kOwnerGrant + 500 - 2000);

        // Refunding twice returns the rest once.
        TRIBUTARY_CHECK_OK(
            fx.store().write([&](StoreTransaction &tx) { return Ledger::refund(tx, job, 30); }));
        TRIBUTARY_CHECK_OK(
            fx.store().write([&](StoreTransaction &tx) { return Ledger::refund(tx, job, 31); }));
        TRIBUTARY_CHECK_OK(fx.balance(DomainFixture::kOwner, &owner));
        QCOMPARE(owner, kOwnerGrant + 500);
        TRIBUTARY_CHECK_OK(fx.balance(Ledger::escrowBook("job"), &escrow));
        QCOMPARE(escrow, std::int64_t(0));
    }

    void unbalancedTransactionIsRefused()
    {
        DomainFixture fx;
        TRIBUTARY_CHECK_OK(fx.setUp({ "node-a" }));
        const std::string account = DomainFixture::accountOf("node-a");

        LedgerTransactionRecord record;
        record.idempotencyKey = "test:unbalanced";
        record.kind = "payment";
        record.postings = { { account, 5 }, { DomainFixture::kOwner, -4 } };
        bool duplicate = false;
        const Status status = fx.store().write([&](StoreTransaction &tx) -> Status {
            // A balanced posting first, to see that the refusal rolls it back too.
            bool ignored = false;
            if (auto status = Ledger::grant(tx, account, 7, "before", "test:before", 0, &ignored); !status)
                return status;
            return tx.postLedgerTransaction(record, &duplicate);
        });
        QVERIFY(!status);
        QVERIFY2(status.message().find("unbalanced") != std::string::npos, status.message().c_str());
        QVERIFY2(status.message().find("test:unbalanced") != std::string::npos, status.message().c_str());
        QVERIFY2(status.message().find("sum to 1") != std::string::npos, status.message().c_str());

        record.postings = { { account, 5 } };
        const Status single = fx.store().write(
            [&](StoreTransaction &tx) { return tx.postLedgerTransaction(record, &duplicate); });
        QVERIFY(!single);
        QVERIFY2(single.message().find("unbalanced") != std::string::npos, single.message().c_str());

        bool granted = false;
        const Status negative = fx.store().write([&](StoreTransaction &tx) {
            return Ledger::grant(tx, account, 0, "nothing", "test:zero", 0, &granted);
        });
        QVERIFY(!negative);

        std::int64_t balance = -1, owner = 0;
        TRIBUTARY_CHECK_OK(fx.balance(account, &balance));
        TRIBUTARY_CHECK_OK(fx.balance(DomainFixture::kOwner, &owner));
        QCOMPARE(balance, std::int64_t(0));
        QCOMPARE(owner, kOwnerGrant);
        std::vector<LedgerEntryRecord> entries;
        TRIBUTARY_CHECK_OK(fx.entries(account, &entries));
        QVERIFY(entries.empty());

        // The key was not used up by the refused attempt.
        record.postings = { { account, 5 }, { DomainFixture::kOwner, -5 } };
        TRIBUTARY_CHECK_OK(fx.store().write(
            [&](StoreTransaction &tx) { return tx.postLedgerTransaction(record, &duplicate); }));
        QVERIFY(!duplicate);
        TRIBUTARY_CHECK_OK(fx.balance(account, &balance));
        QCOMPARE(balance, std::int64_t(5));
    }
};

QTEST_GUILESS_MAIN(LedgerTest)
#include "ledger_test.moc"
