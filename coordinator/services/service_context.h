#pragma once

// ServiceContext: what the gRPC services share, owned by CoordinatorImpl, which outlives
// them. Passed by value (it holds references), so each service states its dependencies in
// one place instead of reaching for globals.

#include "coordinator/clock.h"
#include "coordinator/cpu_backend_pool.h"
#include "coordinator/id_generator.h"
#include "coordinator/jobs/job_kinds.h"
#include "coordinator/scheduling/scheduler.h"
#include "coordinator/services/authenticator.h"
#include "coordinator/services/job_events.h"
#include "coordinator/store/blob_cache.h"
#include "coordinator/store/store.h"
#include "coordinator/verification/verifier.h"
#include "engine/log.h"
#include "engine/status.h"

#include <grpcpp/support/status.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace tributary::coordinator {

struct ServiceLimits {
    std::uint32_t defaultMaxAttempts = 5;
    std::uint64_t maxBlobBytes = std::uint64_t(256) << 20;
    std::int64_t initialGrantUnits = 0; // credits each new account starts with
};

struct ServiceContext {
    Store &store;
    BlobCache &inputs; // job inputs (A, B) kept in memory for reference checks
    const Clock &clock;
    JobEvents &events;
    CpuBackendPool &cpu;
    IdGenerator &ids;
    Authenticator &auth;
    Scheduler &scheduler;
    Verifier &verifier;
    const JobKinds &kinds;
    ServiceLimits limits;
    engine::LogCallback log;

    void logMessage(engine::LogLevel level, std::string_view message) const
    {
        if (log)
            log(level, message);
    }

    // A storage or engine failure: logged with what was being done, and reported to the
    // caller as INTERNAL.
    grpc::Status internalError(std::string_view doing, const engine::Status &status) const
    {
        std::string message = std::string(doing) + ": " + status.message();
        logMessage(engine::LogLevel::Error, message);
        return grpc::Status(grpc::StatusCode::INTERNAL, message);
    }
};

} // namespace tributary::coordinator
