#include "coordinator/services/node_service.h"

#include "coordinator/services/blob_service.h"
#include "engine/sha256.h"

#include <algorithm>
#include <map>
#include <set>

namespace tributary::coordinator {

using grpc::StatusCode;

namespace {

// The store keeps a node's devices as opaque bytes. A RegisterRequest that carries only
// its `devices` field is exactly the protobuf encoding of a device list, so it serves as
// the container rather than a message of our own.
std::string encodeDevices(const google::protobuf::RepeatedPtrField<v1::Device> &devices)
{
    v1::RegisterRequest holder;
    *holder.mutable_devices() = devices;
    return holder.SerializeAsString();
}

std::optional<v1::Device> findDevice(const std::string &encodedDevices, const std::string &deviceId)
{
    v1::RegisterRequest holder;
    if (!holder.ParseFromString(encodedDevices))
        return std::nullopt;
    for (const v1::Device &device : holder.devices()) {
        if (device.id() == deviceId)
            return device;
    }
    return std::nullopt;
}

v1::SubmitOutcome::Outcome toProto(SubmitOutcome outcome)
{
    switch (outcome) {
    case SubmitOutcome::Accepted:
        return v1::SubmitOutcome::OUTCOME_ACCEPTED;
    case SubmitOutcome::Rejected:
        return v1::SubmitOutcome::OUTCOME_REJECTED;
    case SubmitOutcome::Duplicate:
        return v1::SubmitOutcome::OUTCOME_DUPLICATE;
    case SubmitOutcome::NotHeld:
        return v1::SubmitOutcome::OUTCOME_NOT_HELD;
    }
    return v1::SubmitOutcome::OUTCOME_UNSPECIFIED;
}

std::span<const std::byte> asBytes(const std::string &text)
{
    return std::as_bytes(std::span(text.data(), text.size()));
}

} // namespace

NodeService::NodeService(ServiceContext context)
    : m_context(std::move(context))
{
}

grpc::Status NodeService::callerNode(grpc::ServerContext *context, const std::string &nodeId, NodeRecord *node)
{
    AccountRecord caller;
    if (auto status = m_context.auth.authenticate(context, &caller); !status.ok())
        return status;
    if (nodeId.empty())
        return grpc::Status(StatusCode::INVALID_ARGUMENT, "node_id is empty: register first");
    std::optional<NodeRecord> found;
    if (auto status = m_context.store.read([&](StoreTransaction &tx) { return tx.findNode(nodeId, &found); }); !status)
        return m_context.internalError("looking up node " + nodeId, status);
    if (!found)
        return grpc::Status(StatusCode::NOT_FOUND, "node " + nodeId + " is not registered");
    if (found->accountId != caller.id)
        return grpc::Status(StatusCode::PERMISSION_DENIED, "node " + nodeId + " belongs to another account");
    if (found->dishonestMs != 0)
        return grpc::Status(StatusCode::PERMISSION_DENIED,
            "node " + nodeId + " was caught returning wrong results and gets no more work");
    *node = std::move(*found);
    return grpc::Status::OK;
}

grpc::Status NodeService::Register(
    grpc::ServerContext *context, const v1::RegisterRequest *request, v1::RegisterResponse *response)
{
    AccountRecord caller;
    if (auto status = m_context.auth.authenticate(context, &caller); !status.ok())
        return status;
    if (request->node_name().size() > 200)
        return grpc::Status(StatusCode::INVALID_ARGUMENT, "node_name is longer than 200 characters");
    if (request->devices_size() > 64)
        return grpc::Status(StatusCode::INVALID_ARGUMENT, "a node may register at most 64 devices");
    std::set<std::string> deviceIds;
    for (int i = 0; i < request->devices_size(); ++i) {
        const std::string &id = request->devices(i).id();
        if (id.empty())
            return grpc::Status(StatusCode::INVALID_ARGUMENT, "devices[" + std::to_string(i) + "].id is empty");
        if (!deviceIds.insert(id).second)
            return grpc::Status(StatusCode::INVALID_ARGUMENT,
                "devices[" + std::to_string(i) + "].id \"" + id + "\" is listed twice");
    }

    const std::int64_t now = m_context.clock.nowMs();
    NodeRecord node;
    bool isNew = true;
    bool foreign = false;
    auto status = m_context.store.write([&](StoreTransaction &tx) -> engine::Status {
        if (!request->node_id().empty()) {
            std::optional<NodeRecord> known;
            if (auto found = tx.findNode(request->node_id(), &known); !found)
                return found;
            if (known && known->accountId != caller.id) {
                foreign = true;
                return engine::Status::ok();
            }
            if (known) {
                node = std::move(*known);
                isNew = false;
            }
        }
        if (isNew) {
            node.id = m_context.ids.next("node");
            node.accountId = caller.id;
            node.registeredMs = now;
        }
        node.name = request->node_name();
        node.version = request->client_version();
        node.devices = encodeDevices(request->devices());
        node.lastSeenMs = now;
        return tx.saveNode(node);
    });
    if (!status)
        return m_context.internalError("registering node", status);
    if (foreign)
        return grpc::Status(StatusCode::PERMISSION_DENIED, "node " + request->node_id() + " belongs to another account");
    m_context.logMessage(engine::LogLevel::Info,
        std::string(isNew ? "registered" : "re-registered") + " node " + node.id + " (\"" + node.name + "\", account "
            + caller.name + ", " + std::to_string(request->devices_size()) + " devices)");
    response->set_node_id(node.id);
    response->set_lease_duration_ms(
        static_cast<std::uint32_t>(m_context.scheduler.options().leaseDuration.count()));
    return grpc::Status::OK;
}

grpc::Status NodeService::Heartbeat(
    grpc::ServerContext *context, const v1::HeartbeatRequest *request, v1::HeartbeatResponse *response)
{
    NodeRecord node;
    if (auto status = callerNode(context, request->node_id(), &node); !status.ok())
        return status;
    if (request->tasks_size() > 4096)
        return grpc::Status(StatusCode::INVALID_ARGUMENT, "a heartbeat may list at most 4096 tasks");
    std::vector<TaskRef> tasks;
    for (const v1::TaskRef &ref : request->tasks())
        tasks.push_back(TaskRef { ref.task_id(), ref.attempt() });
    const std::int64_t now = m_context.clock.nowMs();
    std::vector<TaskRef> revoked;
    if (auto status = m_context.store.write([&](StoreTransaction &tx) -> engine::Status {
            node.lastSeenMs = now;
            if (auto saved = tx.saveNode(node); !saved)
                return saved;
            return m_context.scheduler.renew(tx, node.id, tasks, now, &revoked);
        });
        !status)
        return m_context.internalError("renewing leases of node " + node.id, status);
    for (const TaskRef &ref : revoked) {
        v1::TaskRef *out = response->add_revoked();
        out->set_task_id(ref.taskId);
        out->set_attempt(ref.attempt);
    }
    return grpc::Status::OK;
}

grpc::Status NodeService::LeaseTasks(
    grpc::ServerContext *context, const v1::LeaseTasksRequest *request, v1::LeaseTasksResponse *response)
{
    NodeRecord node;
    if (auto status = callerNode(context, request->node_id(), &node); !status.ok())
        return status;
    if (request->max_tasks() > kMaxLeaseTasks)
        return grpc::Status(StatusCode::INVALID_ARGUMENT,
            "max_tasks must be at most " + std::to_string(kMaxLeaseTasks) + ", not "
                + std::to_string(request->max_tasks()));
    const std::optional<v1::Device> device = findDevice(node.devices, request->device_id());
    if (!device)
        return grpc::Status(StatusCode::INVALID_ARGUMENT,
            "device_id \"" + request->device_id() + "\" is not one of the devices node " + node.id + " registered");

    LeaseRequest lease;
    lease.node = node;
    lease.device = *device;
    lease.maxTasks = std::max<std::uint32_t>(request->max_tasks(), 1);
    lease.nowMs = m_context.clock.nowMs();
    std::vector<LeasedTask> leased;
    std::vector<std::string> ended;
    if (auto status = m_context.store.write([&](StoreTransaction &tx) -> engine::Status {
            if (auto swept = m_context.scheduler.expireLeases(tx, lease.nowMs, &ended); !swept)
                return swept;
            return m_context.scheduler.lease(tx, lease, &leased);
        });
        !status)
        return m_context.internalError("leasing tasks to node " + node.id, status);
    for (const std::string &jobId : ended)
        m_context.logMessage(engine::LogLevel::Warning, "job " + jobId + " ended while sweeping leases");
    if (!leased.empty() || !ended.empty())
        m_context.events.notify();
    if (leased.empty()) {
        response->set_retry_after_ms(kRetryAfterMs);
        return grpc::Status::OK;
    }

    // The leases are committed; if building a payload fails now they simply run out.
    if (auto status = m_context.store.read([&](StoreTransaction &tx) -> engine::Status {
            std::map<std::string, JobRecord> jobs; // with their inputs, read once per call
            for (const LeasedTask &item : leased) {
                const JobKind *kind = m_context.kinds.forJob(*item.job);
                if (!kind)
                    return engine::Status::error("job " + item.job->id + " has unknown kind " + item.job->kind);
                auto job = jobs.find(item.job->id);
                if (job == jobs.end()) {
                    // The hot path reads job rows without their inputs; the payload needs them.
                    std::optional<JobRecord> found;
                    if (auto read = tx.findJob(item.job->id, &found); !read || !found)
                        return read ? engine::Status::error("job " + item.job->id + " vanished") : read;
                    job = jobs.emplace(item.job->id, std::move(*found)).first;
                }
                v1::Task *out = response->add_tasks();
                out->set_task_id(item.task.id);
                out->set_job_id(item.task.jobId);
                out->set_attempt(item.attempt.attempt);
                out->set_lease_expires_unix_ms(static_cast<std::uint64_t>(item.attempt.leaseExpiresMs));
                out->set_mode(static_cast<v1::ExecutionMode>(item.job->mode));
                out->set_flops(item.task.flops);
                if (auto filled = kind->fillPayload(tx, job->second, item.task, out); !filled)
                    return filled;
            }
            return engine::Status::ok();
        });
        !status)
        return m_context.internalError("leasing tasks to node " + node.id, status);
    return grpc::Status::OK;
}

grpc::Status NodeService::ReleaseTasks(
    grpc::ServerContext *context, const v1::ReleaseTasksRequest *request, v1::ReleaseTasksResponse *response)
{
    NodeRecord node;
    if (auto status = callerNode(context, request->node_id(), &node); !status.ok())
        return status;
    if (request->tasks().empty())
        return grpc::Status(StatusCode::INVALID_ARGUMENT, "tasks is empty: name the tasks to give back");
    if (request->tasks_size() > 256)
        return grpc::Status(StatusCode::INVALID_ARGUMENT,
            "at most 256 tasks per call, not " + std::to_string(request->tasks_size()));
    if (request->reason().size() > 200)
        return grpc::Status(StatusCode::INVALID_ARGUMENT, "reason is longer than 200 characters");
    std::vector<TaskRef> tasks;
    for (int i = 0; i < request->tasks_size(); ++i) {
        const v1::TaskRef &ref = request->tasks(i);
        if (ref.task_id().empty())
            return grpc::Status(StatusCode::INVALID_ARGUMENT, "tasks[" + std::to_string(i) + "].task_id is empty");
        tasks.push_back(TaskRef { ref.task_id(), ref.attempt() });
    }
    const std::int64_t now = m_context.clock.nowMs();
    std::vector<TaskRef> released, notHeld;
    if (auto status = m_context.store.write([&](StoreTransaction &tx) {
            return m_context.scheduler.release(tx, node.id, tasks, request->reason(), now, &released, &notHeld);
        });
        !status)
        return m_context.internalError("releasing tasks of node " + node.id, status);
    for (const TaskRef &ref : released) {
        v1::TaskRef *out = response->add_released();
        out->set_task_id(ref.taskId);
        out->set_attempt(ref.attempt);
    }
    for (const TaskRef &ref : notHeld) {
        v1::TaskRef *out = response->add_not_held();
        out->set_task_id(ref.taskId);
        out->set_attempt(ref.attempt);
    }
    if (!released.empty()) {
        m_context.logMessage(engine::LogLevel::Info,
            "node " + node.id + " handed back " + std::to_string(released.size()) + " task(s)"
                + (request->reason().empty() ? std::string() : ": " + request->reason()));
        m_context.events.notify();
    }
    return grpc::Status::OK;
}

grpc::Status NodeService::ReportProgress(
    grpc::ServerContext *context, const v1::ReportProgressRequest *request, v1::ReportProgressResponse *response)
{
    NodeRecord node;
    if (auto status = callerNode(context, request->node_id(), &node); !status.ok())
        return status;
    if (!(request->fraction() >= 0.0f && request->fraction() <= 1.0f))
        return grpc::Status(StatusCode::INVALID_ARGUMENT, "fraction must be between 0 and 1");
    const std::int64_t now = m_context.clock.nowMs();
    bool held = false;
    std::int64_t expiresMs = 0;
    if (auto status = m_context.store.write([&](StoreTransaction &tx) -> engine::Status {
            std::optional<AttemptRecord> attempt;
            if (auto found = tx.findAttempt(request->task().task_id(), request->task().attempt(), &attempt); !found)
                return found;
            held = attempt && attempt->nodeId == node.id && attempt->state == AttemptState::Leased;
            if (!held)
                return engine::Status::ok();
            attempt->progress = request->fraction();
            attempt->message = request->message().substr(0, 500);
            attempt->leaseExpiresMs = now + m_context.scheduler.options().leaseDuration.count();
            expiresMs = attempt->leaseExpiresMs;
            return tx.updateAttempt(*attempt);
        });
        !status)
        return m_context.internalError("recording progress of node " + node.id, status);
    response->set_revoked(!held);
    response->set_lease_expires_unix_ms(static_cast<std::uint64_t>(expiresMs));
    return grpc::Status::OK;
}

grpc::Status NodeService::SubmitResults(
    grpc::ServerContext *context, const v1::SubmitResultsRequest *request, v1::SubmitResultsResponse *response)
{
    NodeRecord node;
    if (auto status = callerNode(context, request->node_id(), &node); !status.ok())
        return status;
    if (request->results_size() == 0)
        return grpc::Status(StatusCode::INVALID_ARGUMENT, "results is empty");
    if (request->results_size() > kMaxResultsPerCall)
        return grpc::Status(StatusCode::INVALID_ARGUMENT,
            "at most " + std::to_string(kMaxResultsPerCall) + " results per call, not "
                + std::to_string(request->results_size()));

    // Check the form of every result and load what checking them needs, in one read.
    std::vector<std::optional<TaskRecord>> tasks(request->results_size());
    std::map<std::string, JobRecord> jobs;
    std::vector<std::optional<std::uint64_t>> blobSizes(request->results_size());
    for (int i = 0; i < request->results_size(); ++i) {
        const v1::TaskResult &result = request->results(i);
        const std::string where = "results[" + std::to_string(i) + "]";
        if (result.task_id().empty())
            return grpc::Status(StatusCode::INVALID_ARGUMENT, where + ".task_id is empty");
        if (!result.error().empty())
            continue;
        if (!isSha256Hex(result.output_sha256()))
            return grpc::Status(
                StatusCode::INVALID_ARGUMENT, where + ".output_sha256 must be 64 lower-case hex digits");
        if (result.output().size() > kMaxInlineOutputBytes)
            return grpc::Status(StatusCode::RESOURCE_EXHAUSTED,
                where + ".output is over " + std::to_string(kMaxInlineOutputBytes) + " bytes: upload it as a blob");
        if (!result.output().empty() && engine::sha256Hex(asBytes(result.output())) != result.output_sha256())
            return grpc::Status(StatusCode::INVALID_ARGUMENT, where + ".output does not hash to output_sha256");
    }
    if (auto status = m_context.store.read([&](StoreTransaction &tx) -> engine::Status {
            for (int i = 0; i < request->results_size(); ++i) {
                const v1::TaskResult &result = request->results(i);
                if (auto found = tx.findTask(result.task_id(), &tasks[i]); !found)
                    return found;
                if (result.error().empty() && result.output().empty()) {
                    if (auto found = tx.blobSize(result.output_sha256(), &blobSizes[i]); !found)
                        return found;
                }
                if (!tasks[i] || jobs.contains(tasks[i]->jobId))
                    continue;
                std::optional<JobRecord> job;
                if (auto found = tx.findJob(tasks[i]->jobId, &job); !found)
                    return found;
                if (job)
                    jobs.emplace(job->id, std::move(*job));
            }
            return engine::Status::ok();
        });
        !status)
        return m_context.internalError("loading tasks for node " + node.id, status);

    std::vector<SubmittedResult> submitted(request->results_size());
    std::vector<std::optional<v1::SubmitOutcome>> early(request->results_size());
    for (int i = 0; i < request->results_size(); ++i) {
        const v1::TaskResult &result = request->results(i);
        SubmittedResult &item = submitted[i];
        item.node = node;
        item.taskId = result.task_id();
        item.attempt = result.attempt();
        item.deviceId = result.device_id();
        item.outputSha256 = result.output_sha256();
        item.output = asBytes(result.output());
        item.computeMs = result.compute_ms();
        item.error = result.error().substr(0, 1000);
        const auto notHeld = [&](const std::string &why) {
            v1::SubmitOutcome outcome;
            outcome.set_task_id(result.task_id());
            outcome.set_attempt(result.attempt());
            outcome.set_outcome(v1::SubmitOutcome::OUTCOME_NOT_HELD);
            outcome.set_message(why);
            early[i] = outcome;
        };
        if (!tasks[i]) {
            notHeld("task " + result.task_id() + " not found");
            continue;
        }
        if (!item.error.empty())
            continue;
        const auto job = jobs.find(tasks[i]->jobId);
        if (job == jobs.end())
            return m_context.internalError("loading job " + tasks[i]->jobId, engine::Status::error("job vanished"));
        const JobKind *kind = m_context.kinds.forJob(job->second);
        if (!kind)
            return m_context.internalError("checking task " + tasks[i]->id, engine::Status::error("unknown kind " + job->second.kind));
        const std::uint64_t size = result.output().empty() ? blobSizes[i].value_or(0) : result.output().size();
        if (result.output().empty() && !blobSizes[i])
            return grpc::Status(StatusCode::FAILED_PRECONDITION,
                "results[" + std::to_string(i) + "] has no output and blob " + result.output_sha256()
                    + " was not uploaded");
        std::string rejection;
        if (auto status = kind->checkOutput(job->second, *tasks[i], size, &rejection); !status)
            return m_context.internalError("checking task " + tasks[i]->id, status);
        if (!rejection.empty())
            return grpc::Status(StatusCode::INVALID_ARGUMENT, "results[" + std::to_string(i) + "]: " + rejection);

        if (job->second.policy != VerificationPolicy::Reference)
            continue;
        // The coordinator's own computation, outside any store transaction: the slow part.
        std::string output = result.output();
        if (output.empty()) {
            std::optional<std::string> blob;
            if (auto status = m_context.store.read(
                    [&](StoreTransaction &tx) { return tx.readBlob(result.output_sha256(), &blob); });
                !status || !blob)
                return m_context.internalError("reading output blob " + result.output_sha256(),
                    status ? engine::Status::error("missing") : status);
            output = std::move(*blob);
        }
        JobKindContext kindContext { m_context.inputs, m_context.cpu };
        if (auto status = kind->verifyByReference(m_context.store, kindContext, job->second, *tasks[i], output,
                result.output_sha256(), &rejection);
            !status)
            return m_context.internalError("verifying task " + tasks[i]->id, status);
        item.referenceRejection = rejection;
    }

    const std::int64_t now = m_context.clock.nowMs();
    std::vector<SubmitVerdict> verdicts(request->results_size());
    if (auto status = m_context.store.write([&](StoreTransaction &tx) -> engine::Status {
            for (int i = 0; i < request->results_size(); ++i) {
                if (early[i])
                    continue;
                if (auto verified = m_context.verifier.submit(tx, submitted[i], now, &verdicts[i]); !verified)
                    return verified;
            }
            return engine::Status::ok();
        });
        !status)
        return m_context.internalError("storing results of node " + node.id, status);

    bool changed = false;
    for (int i = 0; i < request->results_size(); ++i) {
        if (early[i]) {
            *response->add_outcomes() = *early[i];
            continue;
        }
        const SubmitVerdict &verdict = verdicts[i];
        v1::SubmitOutcome *outcome = response->add_outcomes();
        outcome->set_task_id(submitted[i].taskId);
        outcome->set_attempt(submitted[i].attempt);
        outcome->set_outcome(toProto(verdict.outcome));
        outcome->set_message(verdict.message);
        if (verdict.outcome == SubmitOutcome::Accepted || verdict.outcome == SubmitOutcome::Rejected)
            changed = true;
        if (verdict.outcome == SubmitOutcome::Rejected)
            m_context.logMessage(engine::LogLevel::Warning, "node " + node.id + ": " + verdict.message);
        if (verdict.jobEnded)
            m_context.logMessage(engine::LogLevel::Info, "job " + verdict.jobId + " ended");
    }
    if (changed)
        m_context.events.notify();
    return grpc::Status::OK;
}

} // namespace tributary::coordinator
