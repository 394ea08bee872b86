#pragma once

// The glue between a GEMM job (gemm_job.h) and the generic task machinery: the task rows
// a spec expands to, the payload a leased task carries, and the job's result assembled
// from its accepted tiles.

#include "coordinator/jobs/gemm_job.h"
#include "coordinator/store/store.h"

#include "tributary/v1/node.pb.h"

#include <vector>

namespace tributary::coordinator {

// One task per tile, QUEUED, each needing `needed` results; counted FLOPs 2·rows·cols·k.
std::vector<TaskRecord> gemmTasks(const JobRecord &job, const GemmJob &gemm, std::uint32_t needed);

GemmTile gemmTileOf(const TaskRecord &task);

// Fills a leased task's payload: the tile and the digests of A and B, which the node
// fetches once through BlobService.
engine::Status fillGemmPayload(const JobRecord &job, const GemmJob &gemm, const TaskRecord &task, v1::GemmTileTask *payload);

// Builds C from the accepted tiles, stores it as a blob and sets job.resultSha256.
engine::Status assembleGemm(StoreTransaction &tx, JobRecord &job);

// Whether two fast-mode results of a GEMM tile agree within gemmTolerance (the inputs
// are in [-1, 1)); the verifier's ResultComparator for GEMM jobs.
engine::Status gemmResultsAgree(StoreTransaction &tx, const JobRecord &job, const AttemptRecord &a,
    const AttemptRecord &b, bool *agree);

// The GEMM description of a stored job.
engine::Status gemmOf(const JobRecord &job, std::optional<GemmJob> *gemm);

} // namespace tributary::coordinator
