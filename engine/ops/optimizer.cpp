#include "engine/ops/optimizer.h"

namespace tributary::engine {

Status inferOptimizer(const Op &op, const OpInputs &, std::vector<TensorDesc> *)
{
    return Status::error(std::string(opName(op.kind)) + ": not implemented yet");
}

} // namespace tributary::engine
