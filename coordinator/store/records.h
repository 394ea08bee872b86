#pragma once

// The coordinator's durable records, one struct per table (store/sqlite/schema.h). Plain
// data: the rules that move them from state to state live in scheduling/, verification/
// and ledger/, which read and write them through a StoreTransaction.
//
// Times are Unix milliseconds passed in by the caller (the coordinator's Clock); the store
// never reads a clock. Money is in credit units (ledger/pricing.h).

#include <cstdint>
#include <map>
#include <string>

namespace tributary::coordinator {

// Same numbers as tributary.v1.JobState / TaskState, so that the services convert with a
// static_cast; zero is not a valid state.
enum class JobState { Queued = 1, Running = 2, Completed = 3, Failed = 4, Cancelled = 5 };
enum class TaskState { Queued = 1, Running = 2, Verifying = 3, Done = 4, Failed = 5 };

inline bool isTerminal(JobState state)
{
    return state == JobState::Completed || state == JobState::Failed || state == JobState::Cancelled;
}
inline bool isTerminal(TaskState state)
{
    return state == TaskState::Done || state == TaskState::Failed;
}

// One lease of a task to one node and what came of it.
//   Leased --submit--> Submitted --quorum agrees--> Accepted
//                               --outvoted / wrong--> Rejected
//   Leased --lease runs out--> Expired;  --node reports an error--> Failed
//   Leased or Submitted --job cancelled or failed--> Revoked
//   Accepted --its node was caught cheating, result never confirmed--> Rejected (clawed back)
enum class AttemptState { Leased = 1, Submitted = 2, Accepted = 3, Rejected = 4, Expired = 5, Failed = 6, Revoked = 7 };

// How a job's results are checked (tributary.v1.Verification).
enum class VerificationPolicy { Replicate = 1, SpotCheck = 2, Reference = 3 };
// Same numbers as tributary.v1.ExecutionMode.
enum class ExecutionMode { Exact = 1, Fast = 2 };

struct AccountRecord {
    std::string id;
    std::string name;
    std::string tokenSha256; // the token itself is never stored
    bool isAdmin = false;
    std::int64_t createdMs = 0;
};

struct NodeRecord {
    std::string id;
    std::string accountId; // who registered it; earns its credits
    std::string name;
    std::string version;
    std::string devices; // opaque to the store: the services' encoding of the device list
    std::int64_t registeredMs = 0;
    std::int64_t lastSeenMs = 0;
    // Trust: results of this node confirmed by another node or the reference, in a row
    // and in all. A lost vote resets the streak and marks the node dishonest.
    std::uint32_t verifiedStreak = 0;
    std::uint64_t verifiedTotal = 0;
    std::int64_t dishonestMs = 0; // when it was caught returning a wrong result; 0: never
};

struct JobRecord {
    std::string id;
    std::string accountId; // the researcher who pays
    std::string name;
    std::string kind; // "gemm"
    std::string spec; // serialized tributary.v1.JobSpec
    JobState state = JobState::Queued;
    VerificationPolicy policy = VerificationPolicy::Replicate;
    std::uint32_t replicas = 2; // k of replicate(k)
    double spotCheckP = 0; // p of spot_check(p)
    ExecutionMode mode = ExecutionMode::Exact;
    std::uint32_t maxAttempts = 5; // failed or expired attempts per task before the job fails
    std::int64_t deadlineMs = 0; // 0: none
    std::uint32_t tasksTotal = 0;
    std::uint32_t tasksDone = 0;
    std::uint32_t liveAttempts = 0; // leased and not yet submitted, expired or revoked
    std::int64_t createdMs = 0;
    std::int64_t finishedMs = 0; // 0 until the job ends
    std::string message; // why the job failed or was cancelled
    std::string resultSha256; // the assembled result's blob, once COMPLETED
    // Input blobs by role ("a", "b" for a GEMM): role -> sha256.
    std::map<std::string, std::string> inputs;
};

// One unit of work. Its place in the job is kind-specific: for a GEMM, one output tile,
// rows [row0, row0 + rows) and columns [col0, col0 + cols) of C; for a training job, run
// row0, round col0, worker rows, cols steps (jobs/train_layout.h); for inference, examples
// [row0, row0 + rows).
struct TaskRecord {
    std::string id;
    std::string jobId;
    std::uint32_t index = 0; // position in the job; results are assembled in this order
    TaskState state = TaskState::Queued;
    std::uint64_t flops = 0; // counted work of one run: what each verified run pays
    // Agreeing results needed to accept (k for replicate(k); 1 or 2 for a spot check).
    std::uint32_t needed = 1;
    std::uint32_t live = 0; // attempts Leased
    std::uint32_t submitted = 0; // attempts Submitted, waiting for agreement
    std::uint32_t failures = 0; // attempts Expired, Failed or Rejected
    std::uint32_t lastAttempt = 0; // attempts are numbered 1, 2, ... per task
    std::int64_t notBeforeMs = 0; // retry backoff: not leased before this
    std::uint32_t acceptedAttempt = 0; // once Done
    std::string outputSha256; // once Done
    // Accepted on one node's word (a spot check that did not pick it): re-run if that
    // node is later caught cheating.
    bool unconfirmed = false;
    std::int64_t completedMs = 0;
    std::uint32_t row0 = 0;
    std::uint32_t col0 = 0;
    std::uint32_t rows = 0;
    std::uint32_t cols = 0;
};

struct AttemptRecord {
    std::string taskId;
    std::uint32_t attempt = 0;
    std::string jobId;
    std::string nodeId;
    std::string deviceId;
    AttemptState state = AttemptState::Leased;
    std::int64_t leasedMs = 0;
    std::int64_t leaseExpiresMs = 0;
    std::string outputSha256; // once submitted
    std::uint64_t computeMs = 0;
    std::int64_t submittedMs = 0;
    float progress = 0;
    std::string message; // the node's error, or why the result was rejected
    // Read-only: whether the output bytes are stored with this attempt (in exact mode only
    // the first of several identical results keeps its copy).
    bool hasOutput = false;
};

// A training job's loss and accuracy for one run after one round (tributary.v1.TrainingMetric).
struct TrainingMetricRecord {
    std::string jobId;
    std::uint32_t run = 0;
    std::uint32_t round = 0; // from 1
    std::uint64_t step = 0; // per worker, at the end of the round
    double trainLoss = 0;
    double testAccuracy = -1; // -1: not evaluated this round
    double testLoss = -1;
};

// A job's task counts by state, for progress displays.
struct TaskCounts {
    std::uint32_t queued = 0;
    std::uint32_t running = 0;
    std::uint32_t verifying = 0;
    std::uint32_t done = 0;
    std::uint32_t failed = 0;
};

struct LedgerEntryRecord {
    std::int64_t id = 0;
    std::int64_t transactionId = 0;
    std::string book; // an account id, "escrow:<job id>" or "system:issuance"
    std::int64_t amountUnits = 0;
    // From the transaction:
    std::string kind;
    std::string memo;
    std::string jobId;
    std::string taskId;
    std::int64_t createdMs = 0;
};

} // namespace tributary::coordinator
