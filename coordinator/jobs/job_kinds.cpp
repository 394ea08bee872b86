#include "coordinator/jobs/job_kinds.h"

#include "coordinator/jobs/gemm_kind.h"
#include "coordinator/jobs/train_kind.h"

namespace tributary::coordinator {

JobKinds::JobKinds()
{
    m_kinds.push_back(std::make_unique<GemmKind>());
    m_kinds.push_back(std::make_unique<TrainKind>());
}

const JobKind *JobKinds::forSpec(const v1::JobSpec &spec) const
{
    switch (spec.kind_case()) {
    case v1::JobSpec::kGemm:
        return m_kinds[0].get();
    case v1::JobSpec::kTrain:
        return m_kinds[1].get();
    case v1::JobSpec::kInference: // not run yet: the services say so
    case v1::JobSpec::KIND_NOT_SET:
        break;
    }
    return nullptr;
}

const JobKind *JobKinds::forJob(const JobRecord &job) const
{
    for (const auto &kind : m_kinds)
        if (kind->name() == job.kind)
            return kind.get();
    return nullptr;
}

} // namespace tributary::coordinator
