#pragma once

// Verifier: what happens when a node submits a result.
//
//   SubmittedResult result { node, taskId, attempt, deviceId, outputSha256, output, ... };
//   store.write([&](StoreTransaction &tx) { return verifier.submit(tx, result, nowMs, &verdict); });
//
// The node must hold the task at that attempt (NotHeld otherwise); a second submission of
// the same attempt changes nothing (Duplicate). Then, by the job's policy:
//   replicate(k)   the task is accepted once k results from different nodes agree; on a
//                  mismatch more nodes run it, until k agree (at most k + 2 results);
//   spot_check(p)  one result is accepted on its node's word, except that with
//                  probability p (less for trusted nodes, spot_check.h) a second node
//                  must agree first;
//   reference      the caller has already compared the result with the coordinator's own
//                  CPU computation and passes the verdict.
// Results agree when their digests are equal (exact mode) or, in fast mode, when
// `resultsAgree` says so (a tolerance comparison).
//
// Accepting a task pays every agreeing run (ledger.h) and raises its node's trust. A node
// whose result loses a vote is marked dishonest: it gets no more work, its pending
// results are discarded, and its results accepted on its word alone are undone — the
// payment clawed back, the task re-run on two other nodes, the job re-opened if it had
// completed. When the last task is accepted, `assemble` builds the job's result and the
// job completes.

#include "coordinator/scheduling/retry_backoff.h"
#include "coordinator/store/store.h"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace tributary::coordinator {

struct SubmittedResult {
    NodeRecord node;
    std::string taskId;
    std::uint32_t attempt = 0;
    std::string deviceId;
    std::string outputSha256;
    std::span<const std::byte> output; // stored with the attempt; may be empty for an uploaded blob
    std::uint64_t computeMs = 0;
    std::string error; // the node could not run the task
    // Reference policy only: the caller's comparison with its own computation; empty when
    // the result matched, otherwise what was wrong.
    std::optional<std::string> referenceRejection;
};

enum class SubmitOutcome { Accepted = 1, Rejected, Duplicate, NotHeld };

struct SubmitVerdict {
    SubmitOutcome outcome = SubmitOutcome::NotHeld;
    std::string message;
    std::string jobId;
    bool jobEnded = false; // completed, or failed by this result
};

// Builds a job's result from its tasks' accepted outputs and stores it; sets
// job.resultSha256. Runs inside the transaction that accepts the last task.
using ResultAssembler = std::function<engine::Status(StoreTransaction &tx, JobRecord &job)>;
// Whether two submitted results of a fast-mode task agree.
using ResultComparator
    = std::function<engine::Status(StoreTransaction &tx, const JobRecord &job, const AttemptRecord &a,
        const AttemptRecord &b, bool *agree)>;

// Called in the transaction that accepts a task, after the task is stored as done and
// before the job's completion is checked (a training round may open the next one).
using AcceptedHook = std::function<engine::Status(StoreTransaction &tx, JobRecord &job, const TaskRecord &task,
    std::int64_t nowMs)>;

struct VerifierOptions {
    RetryBackoff backoff;
    // How far back results accepted on a cheater's word alone are undone.
    std::chrono::milliseconds recheckWindow { std::chrono::hours(24 * 7) };
    ResultAssembler assemble;
    ResultComparator resultsAgree; // fast mode; null: digests must be equal
    AcceptedHook taskAccepted; // optional
};

class Verifier {
public:
    explicit Verifier(VerifierOptions options);

    engine::Status submit(StoreTransaction &tx, const SubmittedResult &result, std::int64_t nowMs, SubmitVerdict *verdict);

    // Marks a node dishonest and undoes what it did (see above). Idempotent.
    engine::Status markDishonest(StoreTransaction &tx, const std::string &nodeId, const std::string &why, std::int64_t nowMs);

private:
    // Looks at a task's submitted results and accepts it, asks for more, or fails it.
    // `attempts` are all the task's attempts as they stand now.
    engine::Status decide(StoreTransaction &tx, JobRecord &job, TaskRecord &task,
        const std::vector<AttemptRecord> &attempts, std::int64_t nowMs, SubmitVerdict *verdict);
    engine::Status accept(StoreTransaction &tx, JobRecord &job, TaskRecord &task, const std::vector<AttemptRecord> &winners,
        const std::vector<AttemptRecord> &attempts, std::uint32_t quorum, std::int64_t nowMs, SubmitVerdict *verdict);
    engine::Status groupByAgreement(StoreTransaction &tx, const JobRecord &job, const std::vector<AttemptRecord> &results,
        std::vector<std::vector<AttemptRecord>> *groups);
    // `why` (how the node was caught) goes into the messages of what is undone.
    engine::Status undoAccepted(StoreTransaction &tx, const AttemptRecord &attempt, const NodeRecord &node,
        const std::string &why, std::int64_t nowMs);

    VerifierOptions m_options;
};

// Results that must agree before a task is accepted.
std::uint32_t quorumFor(const JobRecord &job, const TaskRecord &task);

} // namespace tributary::coordinator
