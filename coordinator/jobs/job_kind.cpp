#include "coordinator/jobs/job_kind.h"

namespace tributary::coordinator {

using engine::Status;

Status JobKind::taskAccepted(StoreTransaction &, JobKindContext &, JobRecord &, const TaskRecord &, std::int64_t) const
{
    return Status::ok();
}

Status attemptOutput(StoreTransaction &tx, const AttemptRecord &attempt, std::string *output)
{
    std::optional<std::string> stored;
    if (auto status = tx.readAttemptOutput(attempt.taskId, attempt.attempt, &stored); !status)
        return status;
    if (!stored)
        if (auto status = tx.readBlob(attempt.outputSha256, &stored); !status)
            return status;
    if (!stored)
        return Status::error("attempt " + std::to_string(attempt.attempt) + " of task " + attempt.taskId
            + " has no stored output");
    *output = std::move(*stored);
    return Status::ok();
}

} // namespace tributary::coordinator
