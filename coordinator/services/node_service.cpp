#include "coordinator/node_service.h"

#include "coordinator/gemm_job.h"
#include "engine/sha256.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

namespace tributary::coordinator {

using grpc::StatusCode;

namespace {

static_assert(
    int(v1::TASK_STATE_LEASED) == int(TaskState::Leased) && int(v1::TASK_STATE_DONE) == int(TaskState::Done));

// The store keeps a node's devices as opaque bytes. A RegisterRequest that carries only
// its `devices` field is exactly the protobuf encoding of a device list, so it serves as
// the container rather than a message of our own.
std::string encodeDevices(const google::protobuf::RepeatedPtrField<v1::Device> &devices)
{
    v1::RegisterRequest holder;
    *holder.mutable_devices() = devices;
    return holder.SerializeAsString();
}

bool hasDevice(const std::string &encodedDevices, const std::string &deviceId)
{
    v1::RegisterRequest holder;
    if (!holder.ParseFromString(encodedDevices))
        return false;
    return std::any_of(holder.devices().begin(), holder.devices().end(),
        [&](const v1::Device &device) { return device.id() == deviceId; });
}

// The GEMM description of a job, or an error for a job this coordinator cannot read.
engine::Status gemmOf(const JobRecord &job, std::optional<GemmJob> *gemm)
{
    v1::JobSpec spec;
    if (!spec.ParseFromString(job.spec) || !spec.has_gemm())
        return engine::Status::error("job " + job.id + " has no readable GEMM spec");
    gemm->emplace(spec.gemm());
    return engine::Status::ok();
}

GemmTile tileOf(const TaskRecord &task)
{
    return GemmTile { task.index, task.row0, task.col0, task.rows, task.cols };
}

std::span<const std::byte> asBytes(const std::string &text)
{
    return std::as_bytes(std::span(text.data(), text.size()));
}

// Builds C from the verified tiles: the Assembler that completeTask runs in its transaction.
engine::Status assembleGemm(const JobRecord &job, const std::vector<TaskRecord> &tasks,
    const OutputReader &readOutput, AssembledResult *result)
{
    std::optional<GemmJob> gemm;
    if (auto status = gemmOf(job, &gemm); !status)
        return status;
    if (tasks.size() != gemm->tiles().size())
        return engine::Status::error("job " + job.id + " has " + std::to_string(tasks.size())
            + " tasks, expected " + std::to_string(gemm->tiles().size()));
    result->data.assign(gemm->resultBytes(), '\0');
    for (const TaskRecord &task : tasks) {
        if (task.state != TaskState::Done)
            return engine::Status::error("task " + task.id + " is not done");
        const std::optional<std::string> output = readOutput(task);
        if (!output)
            return engine::Status::error("task " + task.id + " has no stored output");
        if (auto status = gemm->placeTile(tileOf(task), *output, &result->data); !status)
            return status;
    }
    result->sha256 = engine::sha256Hex(asBytes(result->data));
    return engine::Status::ok();
}

} // namespace

NodeService::NodeService(ServiceContext context)
    : m_context(std::move(context))
{
}

grpc::Status NodeService::touchNode(const std::string &nodeId, std::int64_t nowMs)
{
    if (nodeId.empty())
        return grpc::Status(StatusCode::INVALID_ARGUMENT, "node_id is empty: register first");
    bool known = false;
    if (auto status = m_context.store.touchNode(nodeId, nowMs, &known); !status)
        return m_context.internalError("updating node " + nodeId, status);
    if (!known)
        return grpc::Status(StatusCode::NOT_FOUND, "node " + nodeId + " is not registered");
    return grpc::Status::OK;
}

grpc::Status NodeService::Register(
    grpc::ServerContext *, const v1::RegisterRequest *request, v1::RegisterResponse *response)
{
    std::set<std::string> deviceIds;
    for (int i = 0; i < request->devices_size(); ++i) {
        const std::string &id = request->devices(i).id();
        if (id.empty())
            return grpc::Status(
                StatusCode::INVALID_ARGUMENT, "devices[" + std::to_string(i) + "].id is empty");
        if (!deviceIds.insert(id).second)
            return grpc::Status(StatusCode::INVALID_ARGUMENT,
                "devices[" + std::to_string(i) + "].id \"" + id + "\" is listed twice");
    }

    const std::int64_t now = m_context.clock.nowMs();
    NodeRecord node;
    node.registeredMs = now;
    if (!request->node_id().empty()) {
        std::optional<NodeRecord> known;
        if (auto status = m_context.store.findNode(request->node_id(), &known); !status)
            return m_context.internalError("looking up node " + request->node_id(), status);
        if (known) {
            node.id = known->id;
            node.registeredMs = known->registeredMs;
        } else {
            m_context.logMessage(engine::LogLevel::Warning,
                "node id " + request->node_id() + " is unknown here; registering it as a new node");
        }
    }
    const bool isNew = node.id.empty();
    if (isNew)
        node.id = m_context.ids.next("node");
    node.name = request->node_name();
    node.version = request->client_version();
    node.devices = encodeDevices(request->devices());
    node.lastSeenMs = now;
    if (auto status = m_context.store.saveNode(node); !status)
        return m_context.internalError("saving node " + node.id, status);

    m_context.logMessage(engine::LogLevel::Info,
        std::string(isNew ? "registered" : "re-registered") + " node " + node.id + " (\"" + node.name + "\", "
            + (node.version.empty() ? "unknown version" : node.version) + ", "
            + std::to_string(request->devices_size()) + " devices)");
    response->set_node_id(node.id);
    response->set_lease_duration_ms(static_cast<std::uint32_t>(m_context.leaseDuration.count()));
    return grpc::Status::OK;
}

grpc::Status NodeService::Heartbeat(
    grpc::ServerContext *, const v1::HeartbeatRequest *request, v1::HeartbeatResponse *response)
{
    const std::int64_t now = m_context.clock.nowMs();
    if (auto status = touchNode(request->node_id(), now); !status.ok())
        return status;
    if (request->task_ids().empty())
        return grpc::Status::OK;

    const std::vector<std::string> taskIds(request->task_ids().begin(), request->task_ids().end());
    std::vector<std::string> revoked;
    if (auto status = m_context.store.renewLeases(
            request->node_id(), taskIds, now + m_context.leaseDuration.count(), &revoked);
        !status)
        return m_context.internalError("renewing leases of node " + request->node_id(), status);
    for (auto &id : revoked)
        response->add_revoked_task_ids(std::move(id));
    // A renewed lease that had run out counts as leased again.
    m_context.events.notify();
    return grpc::Status::OK;
}

grpc::Status NodeService::LeaseTasks(
    grpc::ServerContext *, const v1::LeaseTasksRequest *request, v1::LeaseTasksResponse *response)
{
    const std::int64_t now = m_context.clock.nowMs();
    if (auto status = touchNode(request->node_id(), now); !status.ok())
        return status;
    std::optional<NodeRecord> node;
    if (auto status = m_context.store.findNode(request->node_id(), &node); !status || !node)
        return m_context.internalError("looking up node " + request->node_id(),
            status ? engine::Status::error("node vanished") : status);
    if (!hasDevice(node->devices, request->device_id()))
        return grpc::Status(StatusCode::INVALID_ARGUMENT,
            "device_id \"" + request->device_id() + "\" is not one of the devices node " + request->node_id()
                + " registered");

    LeaseRequest lease;
    lease.nodeId = request->node_id();
    lease.deviceId = request->device_id();
    lease.maxTasks = std::clamp<std::uint32_t>(request->max_tasks(), 1, kMaxLeaseTasks);
    lease.maxInputBytes = kMaxLeaseBytes;
    lease.nowMs = now;
    lease.leaseExpiresMs = now + m_context.leaseDuration.count();
    lease.maxAttempts = m_context.maxAttempts;
    LeaseResult leased;
    if (auto status = m_context.store.leaseTasks(lease, &leased); !status)
        return m_context.internalError("leasing tasks to node " + lease.nodeId, status);
    for (const std::string &jobId : leased.failedJobs)
        m_context.logMessage(engine::LogLevel::Warning,
            "job " + jobId + " failed: a task's lease ran out " + std::to_string(m_context.maxAttempts)
                + " times");
    if (!leased.tasks.empty() || !leased.failedJobs.empty())
        m_context.events.notify();
    if (leased.tasks.empty()) {
        response->set_retry_after_ms(kRetryAfterMs);
        return grpc::Status::OK;
    }

    // The leases are committed; if building a payload fails now they simply run out.
    std::map<std::string, std::pair<JobRecord, GemmJob>> jobs;
    for (const TaskRecord &task : leased.tasks) {
        auto found = jobs.find(task.jobId);
        if (found == jobs.end()) {
            std::optional<JobRecord> job;
            if (auto status = m_context.store.findJob(task.jobId, now, &job); !status || !job)
                return m_context.internalError(
                    "loading job " + task.jobId, status ? engine::Status::error("job vanished") : status);
            std::optional<GemmJob> gemm;
            if (auto status = gemmOf(*job, &gemm); !status)
                return m_context.internalError("leasing task " + task.id, status);
            found = jobs.emplace(task.jobId, std::pair<JobRecord, GemmJob>(std::move(*job), *gemm)).first;
        }
        const JobRecord &job = found->second.first;
        const GemmJob &gemm = found->second.second;
        const GemmTile tile = tileOf(task);

        v1::Task *out = response->add_tasks();
        out->set_task_id(task.id);
        out->set_job_id(task.jobId);
        out->set_attempt(task.attempt);
        out->set_lease_expires_unix_ms(static_cast<std::uint64_t>(task.leaseExpiresMs));
        v1::GemmTileTask *payload = out->mutable_gemm_tile();
        payload->set_m(tile.rows);
        payload->set_n(tile.cols);
        payload->set_k(gemm.spec().k());
        const auto a = job.inputs.find("a"), b = job.inputs.find("b");
        if (a == job.inputs.end() || b == job.inputs.end())
            return m_context.internalError(
                "leasing task " + task.id, engine::Status::error("job " + job.id + " has no input matrices"));
        if (auto status = m_context.inputs.readRanges(a->second, gemm.aRanges(tile), payload->mutable_a());
            !status)
            return m_context.internalError("reading A for task " + task.id, status);
        if (auto status = m_context.inputs.readRanges(b->second, gemm.bRanges(tile), payload->mutable_b());
            !status)
            return m_context.internalError("reading B for task " + task.id, status);
    }
    return grpc::Status::OK;
}

grpc::Status NodeService::SubmitResult(
    grpc::ServerContext *, const v1::SubmitResultRequest *request, v1::SubmitResultResponse *response)
{
    const std::string &nodeId = request->node_id();
    const std::string &taskId = request->task_id();
    if (auto status = touchNode(nodeId, m_context.clock.nowMs()); !status.ok())
        return status;

    std::optional<TaskRecord> task;
    if (auto status = m_context.store.findTask(taskId, &task); !status)
        return m_context.internalError("looking up task " + taskId, status);
    if (!task)
        return grpc::Status(StatusCode::NOT_FOUND, "task " + taskId + " not found");

    const std::string notHeld = "task " + taskId + " is not leased to node " + nodeId + " at attempt "
        + std::to_string(request->attempt());
    // Answered before verifying: a retried submit must not cost a recomputation.
    if (task->state == TaskState::Done && task->attempt == request->attempt() && task->leaseNode == nodeId) {
        response->set_outcome(v1::SubmitResultResponse::OUTCOME_DUPLICATE);
        response->set_message("attempt " + std::to_string(request->attempt()) + " was already accepted");
        return grpc::Status::OK;
    }
    if (task->state != TaskState::Leased || task->attempt != request->attempt() || task->leaseNode != nodeId)
        return grpc::Status(StatusCode::FAILED_PRECONDITION, notHeld);

    std::optional<JobRecord> job;
    if (auto status = m_context.store.findJob(task->jobId, m_context.clock.nowMs(), &job); !status || !job)
        return m_context.internalError(
            "loading job " + task->jobId, status ? engine::Status::error("job vanished") : status);
    std::optional<GemmJob> gemm;
    if (auto status = gemmOf(*job, &gemm); !status)
        return m_context.internalError("verifying task " + taskId, status);
    const GemmTile tile = tileOf(*task);

    // Verified outside any store lock: recomputing a tile is the slow part.
    std::string aRows, bColumns;
    if (auto status = m_context.inputs.readRanges(job->inputs["a"], gemm->aRanges(tile), &aRows); !status)
        return m_context.internalError("reading A for task " + taskId, status);
    if (auto status = m_context.inputs.readRanges(job->inputs["b"], gemm->bRanges(tile), &bColumns);
        !status)
        return m_context.internalError("reading B for task " + taskId, status);
    std::string rejection;
    {
        std::string error;
        CpuBackendPool::Handle cpu = m_context.cpu.acquire(&error);
        if (!cpu)
            return m_context.internalError("verifying task " + taskId, engine::Status::error(error));
        if (auto status = gemm->verifyTile(
                *cpu, tile, aRows, bColumns, request->output(), request->output_sha256(), &rejection);
            !status)
            return m_context.internalError("verifying task " + taskId, status);
    }

    const std::int64_t now = m_context.clock.nowMs();
    if (rejection.empty()) {
        CompletedTask completed;
        completed.taskId = taskId;
        completed.nodeId = nodeId;
        completed.attempt = request->attempt();
        completed.deviceId = request->device_id();
        completed.output = asBytes(request->output());
        completed.outputSha256 = request->output_sha256();
        completed.computeMs = request->compute_ms();
        completed.nowMs = now;
        CompleteOutcome outcome = CompleteOutcome::NotHeld;
        if (auto status = m_context.store.completeTask(completed, assembleGemm, &outcome); !status)
            return m_context.internalError("storing the result of task " + taskId, status);
        switch (outcome) {
        case CompleteOutcome::NotHeld:
            return grpc::Status(StatusCode::FAILED_PRECONDITION, notHeld);
        case CompleteOutcome::Duplicate:
            response->set_outcome(v1::SubmitResultResponse::OUTCOME_DUPLICATE);
            response->set_message("attempt " + std::to_string(request->attempt()) + " was already accepted");
            return grpc::Status::OK;
        case CompleteOutcome::JobCompleted:
            m_context.logMessage(engine::LogLevel::Info, "job " + job->id + " completed");
            [[fallthrough]];
        case CompleteOutcome::Accepted:
            m_context.events.notify();
            response->set_outcome(v1::SubmitResultResponse::OUTCOME_ACCEPTED);
            return grpc::Status::OK;
        }
        return m_context.internalError(
            "storing the result of task " + taskId, engine::Status::error("bad outcome"));
    }

    m_context.logMessage(engine::LogLevel::Warning,
        "rejected task " + taskId + " attempt " + std::to_string(request->attempt()) + " from node " + nodeId
            + ": " + rejection);
    RejectedTask rejected;
    rejected.taskId = taskId;
    rejected.nodeId = nodeId;
    rejected.attempt = request->attempt();
    rejected.reason = rejection;
    rejected.maxAttempts = m_context.maxAttempts;
    rejected.nowMs = now;
    RequeueOutcome outcome = RequeueOutcome::NotHeld;
    if (auto status = m_context.store.requeueTask(rejected, &outcome); !status)
        return m_context.internalError("requeueing task " + taskId, status);
    if (outcome == RequeueOutcome::NotHeld)
        return grpc::Status(StatusCode::FAILED_PRECONDITION, notHeld);
    if (outcome == RequeueOutcome::JobFailed) {
        m_context.logMessage(engine::LogLevel::Warning,
            "job " + job->id + " failed: task " + taskId + " used up its attempts");
        rejection += "; the task used up its attempts and its job failed";
    }
    m_context.events.notify();
    response->set_outcome(v1::SubmitResultResponse::OUTCOME_REJECTED);
    response->set_message(rejection);
    return grpc::Status::OK;
}

} // namespace tributary::coordinator
