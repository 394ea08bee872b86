#pragma once

// A quick check that a backend opened in fast mode (ExecutionMode::Fast) still computes
// the right thing: Engine::open runs it on every fast-mode backend before handing it out,
// as it runs checkExactMode (exact_mode_check.h) in exact mode. It catches a vendor library
// that is broken or set to a lower precision (cuBLAS with TF32, say), not rounding.

#include "engine/backend.h"

namespace tributary::engine {

// Runs a GEMM with edge tiles in every direction on `backend` and compares it with the
// exact-mode chain computed here, within gemmTolerance() (tolerance.h). The error names
// the first element outside the tolerance (ToleranceReport::describe()).
Status checkFastMode(Backend &backend);

} // namespace tributary::engine
