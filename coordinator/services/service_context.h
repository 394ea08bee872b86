#pragma once

// ServiceContext: what the gRPC services share, owned by CoordinatorImpl, which outlives
// them. Passed by value (it holds references), so each service states its dependencies in
// one place instead of reaching for globals.

#include "coordinator/blob_cache.h"
#include "coordinator/clock.h"
#include "coordinator/cpu_backend_pool.h"
#include "coordinator/id_generator.h"
#include "coordinator/job_events.h"
#include "coordinator/store.h"
#include "engine/log.h"
#include "engine/status.h"

#include <grpcpp/support/status.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace tributary::coordinator {

struct ServiceContext {
    Store &store;
    BlobCache &inputs; // job inputs (A, B) sliced from memory
    const Clock &clock;
    JobEvents &events;
    CpuBackendPool &cpu;
    IdGenerator &ids;
    engine::LogCallback log;
    std::chrono::milliseconds leaseDuration;
    std::uint32_t maxAttempts = 1;

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
