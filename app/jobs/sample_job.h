#pragma once

// The sample job that shows a newcomer the network working: a 512×512×512 matrix
// product split into 16 tiles of 128×128, each one task. Its inputs come from a fixed
// seed, so its result digest is the same on every machine and every backend.

#include "engine/engine.h"
#include "tributary/v1/job.pb.h"

#include <QString>

namespace tributary {

v1::JobSpec sampleJobSpec();

// Recomputes a GEMM job's product on this machine's CPU reference backend and checks
// that the coordinator's result is the same, bit for bit. Returns false and explains
// why in *detail when it is not (or cannot be checked).
bool checkGemmResultLocally(const engine::Engine &engine, const v1::GemmJobSpec &spec,
                            const v1::JobResult &result, QString *detail);

} // namespace tributary
