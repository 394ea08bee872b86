#include "engine/ops/linear.h"

namespace tributary::engine {

Status inferLinear(const Op &op, const OpInputs &, std::vector<TensorDesc> *)
{
    return Status::error(std::string(opName(op.kind)) + ": not implemented yet");
}

} // namespace tributary::engine
