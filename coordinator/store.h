#pragma once

// Store: the coordinator's durable state (jobs, their tasks, nodes and blobs) in domain
// terms. SqliteStore implements it; a PostgreSQL store can implement it later without the
// services noticing.
//
// Every method is safe to call from any thread (gRPC handler threads), and every method
// that changes more than one row does so in one transaction: a coordinator killed at any
// point finds either all or none of a change when it starts again.
//
// Methods report storage failures through engine::Status and put their results in
// out-parameters, in the engine's style. "Not found" is not a failure: it is an empty
// optional (or an outcome value).
//
// Times are Unix milliseconds passed in by the caller; the store never reads a clock, so
// that leases and expiry follow the coordinator's (injectable) Clock.
//
// State machine, as the store enforces it:
//   task:  QUEUED --lease--> LEASED --completeTask--> DONE
//                            LEASED --requeueTask-->  QUEUED (or FAILED with its job)
//                            LEASED, lease run out --lease--> LEASED (attempt + 1)
//   job:   QUEUED --first task DONE--> RUNNING --last task DONE--> COMPLETED
//          QUEUED/RUNNING --a task used up its attempts--> FAILED (its open tasks FAILED)

#include "engine/status.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace tributary::coordinator {

// Same numbers as tributary.v1.JobState / TaskState, so that the services convert with a
// static_cast; zero is not a valid state.
enum class JobState { Queued = 1, Running = 2, Completed = 3, Failed = 4, Cancelled = 5 };
enum class TaskState { Queued = 1, Leased = 2, Done = 3, Failed = 4 };

inline bool isTerminal(JobState state)
{
    return state == JobState::Completed || state == JobState::Failed || state == JobState::Cancelled;
}

struct JobRecord {
    std::string id;
    std::string name;
    std::string kind; // "gemm"
    std::string spec; // serialized tributary.v1.JobSpec
    JobState state = JobState::Queued;
    std::uint32_t tasksTotal = 0;
    std::uint32_t tasksDone = 0;
    std::uint32_t tasksLeased = 0; // read-only: LEASED tasks whose lease has not run out
    std::int64_t createdMs = 0;
    std::int64_t finishedMs = 0; // 0 until COMPLETED or FAILED
    std::string message; // why the job failed
    std::string resultSha256; // the assembled result's blob, once COMPLETED
    // Input blobs by role ("a", "b" for a GEMM): role -> sha256.
    std::map<std::string, std::string> inputs;
};

// One unit of work. For a GEMM the task is one output tile: rows [row0, row0 + rows) and
// columns [col0, col0 + cols) of C.
struct TaskRecord {
    std::string id;
    std::string jobId;
    std::uint32_t index = 0; // position in the job; results are assembled in this order
    TaskState state = TaskState::Queued;
    std::uint32_t attempt = 0; // how many times it has been leased
    std::string leaseNode; // the holder while LEASED, the node that did it once DONE
    std::string deviceId; // the device it was leased for, then the one that ran it
    std::int64_t leaseExpiresMs = 0;
    std::uint32_t row0 = 0;
    std::uint32_t col0 = 0;
    std::uint32_t rows = 0;
    std::uint32_t cols = 0;
    std::uint64_t inputBytes = 0; // what leasing it sends to the node
    std::string outputSha256; // once DONE
    std::uint64_t computeMs = 0; // as the node reported it
    std::int64_t completedMs = 0;
};

struct NodeRecord {
    std::string id;
    std::string name;
    std::string version;
    std::string devices; // opaque to the store: the services' encoding of the device list
    std::int64_t registeredMs = 0;
    std::int64_t lastSeenMs = 0;
};

// Content-addressed bytes. `data` is only borrowed for the duration of the call that
// stores it.
struct BlobRecord {
    std::string sha256;
    std::span<const std::byte> data;
};

struct LeaseRequest {
    std::string nodeId;
    std::string deviceId;
    std::uint32_t maxTasks = 1;
    // Stop adding tasks once their inputBytes would pass this; one task is always allowed.
    std::uint64_t maxInputBytes = 0;
    std::int64_t nowMs = 0;
    std::int64_t leaseExpiresMs = 0;
    // An expired task already leased this many times fails its job instead of being
    // leased again.
    std::uint32_t maxAttempts = 1;
};

struct LeaseResult {
    std::vector<TaskRecord> tasks; // now LEASED by the node, attempt incremented
    std::vector<std::string> failedJobs; // jobs failed because a lease ran out too often
};

struct CompletedTask {
    std::string taskId;
    std::string nodeId;
    std::uint32_t attempt = 0;
    std::string deviceId;
    std::span<const std::byte> output;
    std::string outputSha256;
    std::uint64_t computeMs = 0;
    std::int64_t nowMs = 0;
};

enum class CompleteOutcome {
    Accepted = 1, // task DONE, job counters updated
    JobCompleted = 2, // ... and it was the last task: result assembled and stored, job COMPLETED
    Duplicate = 3, // that node already completed that attempt; nothing changed
    NotHeld = 4, // the node does not hold the task at that attempt; nothing changed
};

struct RejectedTask {
    std::string taskId;
    std::string nodeId;
    std::uint32_t attempt = 0;
    std::string reason;
    std::uint32_t maxAttempts = 1; // at this many attempts the job fails
    std::int64_t nowMs = 0;
};

enum class RequeueOutcome {
    Requeued = 1, // task QUEUED again
    JobFailed = 2, // it had used up its attempts: task and job FAILED
    NotHeld = 3, // the node does not hold the task at that attempt; nothing changed
};

// A job's result as its kind builds it from the task outputs.
struct AssembledResult {
    std::string data;
    std::string sha256;
};

// Reads one task's stored output; empty when it has none.
using OutputReader = std::function<std::optional<std::string>(const TaskRecord &task)>;
// Builds a job's result from its tasks (all DONE, in index order). Called by completeTask
// inside its transaction: a failure rolls back the completion of the last task too.
using Assembler = std::function<engine::Status(const JobRecord &job, const std::vector<TaskRecord> &tasks,
    const OutputReader &readOutput, AssembledResult *result)>;

class Store {
public:
    virtual ~Store() = default;

    // --- Jobs

    // Stores the blobs (kept when already present), the job and its tasks, atomically.
    // Tasks must be QUEUED, with attempt 0.
    virtual engine::Status createJob(
        const JobRecord &job, std::span<const BlobRecord> blobs, std::span<const TaskRecord> tasks)
        = 0;
    // tasksLeased counts leases still running at nowMs.
    virtual engine::Status findJob(const std::string &id, std::int64_t nowMs, std::optional<JobRecord> *job)
        = 0;
    // The job's tasks in index order.
    virtual engine::Status jobTasks(const std::string &jobId, std::vector<TaskRecord> *tasks) = 0;

    // --- Tasks

    virtual engine::Status findTask(const std::string &id, std::optional<TaskRecord> *task) = 0;
    virtual engine::Status readTaskOutput(const std::string &id, std::optional<std::string> *output) = 0;

    // Leases up to maxTasks tasks of QUEUED or RUNNING jobs, oldest job first, then by
    // index: QUEUED tasks and LEASED ones whose lease ran out. Each becomes LEASED by the
    // node for the device until leaseExpiresMs, with attempt + 1.
    virtual engine::Status leaseTasks(const LeaseRequest &request, LeaseResult *result) = 0;

    // Extends to expiresMs the leases that nodeId holds among taskIds (also after they ran
    // out, as long as no one leased them again). The others go to *revoked.
    virtual engine::Status renewLeases(const std::string &nodeId, std::span<const std::string> taskIds,
        std::int64_t expiresMs, std::vector<std::string> *revoked)
        = 0;

    // Records a verified result. Checks again, inside the transaction, that the node holds
    // the task at that attempt (a result may be verified while the lease runs out).
    virtual engine::Status completeTask(
        const CompletedTask &result, const Assembler &assemble, CompleteOutcome *outcome)
        = 0;

    // Records a result that failed verification.
    virtual engine::Status requeueTask(const RejectedTask &rejected, RequeueOutcome *outcome) = 0;

    // --- Nodes

    // Inserts a node, or updates name, version, devices and lastSeenMs of a known one
    // (registeredMs is kept).
    virtual engine::Status saveNode(const NodeRecord &node) = 0;
    virtual engine::Status findNode(const std::string &id, std::optional<NodeRecord> *node) = 0;
    // Sets lastSeenMs; *known says whether the node exists.
    virtual engine::Status touchNode(const std::string &id, std::int64_t nowMs, bool *known) = 0;

    // --- Blobs

    // Parts of a blob are read through BlobCache, which keeps job inputs in memory.
    virtual engine::Status readBlob(const std::string &sha256, std::optional<std::string> *data) = 0;
};

} // namespace tributary::coordinator
