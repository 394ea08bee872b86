#pragma once

// Ledger: the credit movements the coordinator makes, each one balanced double-entry
// transaction in the store, inside the caller's StoreTransaction so that a payment
// commits together with the result it pays for.
//
// Books: an account's id holds what it can spend; "escrow:<job id>" holds what a job's
// owner set aside for it; "system:issuance" goes negative by every credit ever granted, so
// that all books always sum to zero.
//
//   job submitted:  owner -> escrow           (hold, the estimate)
//   run verified:   escrow -> node's account  (payment; from the owner when escrow is spent)
//   result undone:  node's account -> escrow  (clawback, when its node was caught cheating)
//   job ended:      escrow -> owner           (refund of what is left)
//
// Every transaction has an idempotency key, so each verified run is paid exactly once
// however often the code path runs ("pay:<task>:<attempt>", or "pay:<task>:3+4" when
// the runs of one task that agreed are paid together).

#include "coordinator/store/store.h"

#include <cstdint>
#include <span>
#include <string>

namespace tributary::coordinator {

class Ledger {
public:
    static constexpr const char *kIssuanceBook = "system:issuance";
    static std::string escrowBook(const std::string &jobId) { return "escrow:" + jobId; }

    // Adds credits to an account from the issuance. *duplicate when the key was used.
    static engine::Status grant(StoreTransaction &tx, const std::string &accountId, std::int64_t units,
        const std::string &memo, const std::string &idempotencyKey, std::int64_t nowMs, bool *duplicate);

    // Moves `units` from the job's owner into its escrow.
    static engine::Status hold(StoreTransaction &tx, const JobRecord &job, std::int64_t units, std::int64_t nowMs);

    struct Payee {
        std::uint32_t attempt = 0; // the verified run
        std::string accountId; // the account that owns the node that ran it
    };

    // Pays verified runs of a task, each the task's price, in one transaction (a
    // replicated task's agreeing runs are paid together); what the escrow lacks comes
    // from the job's owner.
    static engine::Status pay(StoreTransaction &tx, const JobRecord &job, const TaskRecord &task,
        std::span<const Payee> payees, std::int64_t nowMs);

    // Takes back the payment of a run whose result was undone, into the job's escrow.
    // Only for a run that was paid (the verifier undoes accepted runs only, and every
    // accepted run is paid in the transaction that accepts it).
    static engine::Status clawback(StoreTransaction &tx, const JobRecord &job, const TaskRecord &task,
        std::uint32_t attempt, const std::string &nodeAccountId, std::int64_t nowMs);

    // Returns what is left in the job's escrow to its owner.
    static engine::Status refund(StoreTransaction &tx, const JobRecord &job, std::int64_t nowMs);
};

} // namespace tributary::coordinator
