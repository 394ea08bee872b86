#pragma once

// JobKinds: one JobKind of each kind the coordinator runs, found by a spec's `kind` or a
// stored job's JobRecord::kind. Owned by the coordinator and shared by its services.

#include "coordinator/jobs/job_kind.h"

#include <memory>
#include <vector>

namespace tributary::coordinator {

class JobKinds {
public:
    JobKinds();

    // The kind a spec asks for; null when its `kind` is unset or unknown.
    const JobKind *forSpec(const v1::JobSpec &spec) const;
    // The kind of a stored job; null for a kind this build does not know.
    const JobKind *forJob(const JobRecord &job) const;

private:
    std::vector<std::unique_ptr<JobKind>> m_kinds;
};

} // namespace tributary::coordinator
