#include "coordinator/jobs/gemm_kind.h"

#include "coordinator/jobs/gemm_tasks.h"
#include "engine/sha256.h"

namespace tributary::coordinator {

using engine::Status;

namespace {

std::string bytesOf(const std::vector<float> &values)
{
    const auto bytes = std::as_bytes(std::span(values));
    return std::string(reinterpret_cast<const char *>(bytes.data()), bytes.size());
}

} // namespace

Status GemmKind::validate(const v1::JobSpec &spec) const
{
    return GemmJob::validate(spec.gemm());
}

Status GemmKind::planTasks(
    const v1::JobSpec &spec, const JobRecord &job, std::uint32_t needed, std::vector<TaskRecord> *tasks) const
{
    *tasks = gemmTasks(job, GemmJob(spec.gemm()), needed);
    return Status::ok();
}

Status GemmKind::prepareInputs(
    StoreTransaction &, const v1::JobSpec &spec, JobRecord *job, std::vector<JobInputBlob> *blobs) const
{
    const GemmJob gemm(spec.gemm());
    blobs->push_back({ "a", bytesOf(gemm.generateA()) });
    blobs->push_back({ "b", bytesOf(gemm.generateB()) });
    for (const JobInputBlob &blob : *blobs)
        job->inputs[blob.role] = engine::sha256Hex(std::as_bytes(std::span(blob.bytes.data(), blob.bytes.size())));
    return Status::ok();
}

Status GemmKind::fillPayload(StoreTransaction &, const JobRecord &job, const TaskRecord &task, v1::Task *out) const
{
    std::optional<GemmJob> gemm;
    if (auto status = gemmOf(job, &gemm); !status)
        return status;
    return fillGemmPayload(job, *gemm, task, out->mutable_gemm_tile());
}

Status GemmKind::checkOutput(const JobRecord &job, const TaskRecord &task, std::uint64_t size, std::string *rejection) const
{
    std::optional<GemmJob> gemm;
    if (auto status = gemmOf(job, &gemm); !status)
        return status;
    const GemmTile tile = gemmTileOf(task);
    rejection->clear();
    if (size != gemm->outputBytes(tile))
        *rejection = "a tile of " + std::to_string(tile.rows) + "×" + std::to_string(tile.cols) + " needs "
            + std::to_string(gemm->outputBytes(tile)) + " bytes of output, not " + std::to_string(size);
    return Status::ok();
}

Status GemmKind::verifyByReference(Store &, JobKindContext &context, const JobRecord &job, const TaskRecord &task,
    std::string_view output, std::string_view outputSha256, std::string *rejection) const
{
    std::optional<GemmJob> gemm;
    if (auto status = gemmOf(job, &gemm); !status)
        return status;
    const GemmTile tile = gemmTileOf(task);
    std::string aRows, bColumns;
    if (auto status = context.inputs.readRanges(job.inputs.at("a"), gemm->aRanges(tile), &aRows); !status)
        return status;
    if (auto status = context.inputs.readRanges(job.inputs.at("b"), gemm->bRanges(tile), &bColumns); !status)
        return status;
    std::string error;
    CpuBackendPool::Handle cpu = context.cpu.acquire(&error);
    if (!cpu)
        return Status::error(error);
    return gemm->verifyTile(*cpu, tile, aRows, bColumns, output, outputSha256, rejection);
}

Status GemmKind::resultsAgree(
    StoreTransaction &tx, const JobRecord &job, const AttemptRecord &a, const AttemptRecord &b, bool *agree) const
{
    return gemmResultsAgree(tx, job, a, b, agree);
}

Status GemmKind::assemble(StoreTransaction &tx, JobKindContext &, JobRecord &job) const
{
    return assembleGemm(tx, job);
}

Status GemmKind::result(StoreTransaction &tx, const JobRecord &job, v1::JobResult *out) const
{
    std::optional<GemmJob> gemm;
    if (auto status = gemmOf(job, &gemm); !status)
        return status;
    std::optional<std::string> data;
    if (auto status = tx.readBlob(job.resultSha256, &data); !status)
        return status;
    if (!data)
        return Status::error("result blob " + job.resultSha256 + " is missing");
    out->set_rows(gemm->spec().m());
    out->set_cols(gemm->spec().n());
    out->set_data(std::move(*data));
    return Status::ok();
}

} // namespace tributary::coordinator
