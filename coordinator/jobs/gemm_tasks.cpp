#include "coordinator/jobs/gemm_tasks.h"

#include "engine/sha256.h"
#include "engine/verify/tolerance.h"

#include <cstring>

namespace tributary::coordinator {

using engine::Status;

std::vector<TaskRecord> gemmTasks(const JobRecord &job, const GemmJob &gemm, std::uint32_t needed)
{
    std::vector<TaskRecord> tasks;
    for (const GemmTile &tile : gemm.tiles()) {
        TaskRecord task;
        task.id = job.id + "-t" + std::to_string(tile.index);
        task.jobId = job.id;
        task.index = tile.index;
        task.state = TaskState::Queued;
        task.needed = needed;
        task.flops = std::uint64_t(2) * tile.rows * tile.cols * gemm.spec().k();
        task.row0 = tile.row0;
        task.col0 = tile.col0;
        task.rows = tile.rows;
        task.cols = tile.cols;
        tasks.push_back(std::move(task));
    }
    return tasks;
}

GemmTile gemmTileOf(const TaskRecord &task)
{
    return GemmTile { task.index, task.row0, task.col0, task.rows, task.cols };
}

Status gemmOf(const JobRecord &job, std::optional<GemmJob> *gemm)
{
    v1::JobSpec spec;
    if (!spec.ParseFromString(job.spec) || !spec.has_gemm())
        return Status::error("job " + job.id + " has no readable GEMM spec");
    gemm->emplace(spec.gemm());
    return Status::ok();
}

Status fillGemmPayload(const JobRecord &job, const GemmJob &gemm, const TaskRecord &task, v1::GemmTileTask *payload)
{
    const auto a = job.inputs.find("a"), b = job.inputs.find("b");
    if (a == job.inputs.end() || b == job.inputs.end())
        return Status::error("job " + job.id + " has no input matrices");
    const v1::GemmJobSpec &spec = gemm.spec();
    payload->set_m(spec.m());
    payload->set_n(spec.n());
    payload->set_k(spec.k());
    payload->set_row0(task.row0);
    payload->set_col0(task.col0);
    payload->set_rows(task.rows);
    payload->set_cols(task.cols);
    payload->set_a_sha256(a->second);
    payload->set_a_size(std::uint64_t(spec.m()) * spec.k() * sizeof(float));
    payload->set_b_sha256(b->second);
    payload->set_b_size(std::uint64_t(spec.k()) * spec.n() * sizeof(float));
    return Status::ok();
}

namespace {

Status readOutput(StoreTransaction &tx, const AttemptRecord &attempt, std::vector<float> *values)
{
    std::optional<std::string> output;
    if (auto status = tx.readAttemptOutput(attempt.taskId, attempt.attempt, &output); !status)
        return status;
    if (!output) {
        if (auto status = tx.readBlob(attempt.outputSha256, &output); !status)
            return status;
    }
    if (!output || output->size() % sizeof(float) != 0)
        return Status::error("attempt " + std::to_string(attempt.attempt) + " of task " + attempt.taskId
            + " has no readable output");
    values->resize(output->size() / sizeof(float));
    std::memcpy(values->data(), output->data(), output->size());
    return Status::ok();
}

} // namespace

Status gemmResultsAgree(StoreTransaction &tx, const JobRecord &job, const AttemptRecord &a, const AttemptRecord &b,
    bool *agree)
{
    *agree = false;
    std::optional<GemmJob> gemm;
    if (auto status = gemmOf(job, &gemm); !status)
        return status;
    std::vector<float> first, second;
    if (auto status = readOutput(tx, a, &first); !status)
        return status;
    if (auto status = readOutput(tx, b, &second); !status)
        return status;
    if (first.size() != second.size())
        return Status::ok();
    engine::ToleranceReport report;
    if (auto status = engine::compareWithTolerance(
            first, second, engine::gemmTolerance(gemm->spec().k(), 1.0f, 1.0f), &report);
        !status)
        return status;
    *agree = report.withinTolerance;
    return Status::ok();
}

Status assembleGemm(StoreTransaction &tx, JobRecord &job)
{
    std::optional<GemmJob> gemm;
    if (auto status = gemmOf(job, &gemm); !status)
        return status;
    std::string result(gemm->resultBytes(), '\0');
    std::size_t placed = 0;
    if (auto status = tx.acceptedOutputs(job.id,
            [&](const TaskRecord &task, const std::optional<std::string> &stored) -> Status {
                if (task.state != TaskState::Done)
                    return Status::error("task " + task.id + " is not done");
                std::optional<std::string> blob;
                if (!stored) { // uploaded as a blob of its own
                    if (auto status = tx.readBlob(task.outputSha256, &blob); !status)
                        return status;
                    if (!blob)
                        return Status::error("task " + task.id + " has no stored output");
                }
                ++placed;
                return gemm->placeTile(gemmTileOf(task), stored ? *stored : *blob, &result);
            });
        !status)
        return status;
    if (placed != gemm->tiles().size())
        return Status::error("job " + job.id + " has " + std::to_string(placed) + " tasks, expected "
            + std::to_string(gemm->tiles().size()));
    const auto bytes = std::as_bytes(std::span(result.data(), result.size()));
    job.resultSha256 = engine::sha256Hex(bytes);
    return tx.insertBlob(job.resultSha256, bytes);
}

} // namespace tributary::coordinator
