#include "engine/ops/elementwise.h"

namespace tributary::engine {

Status inferElementwise(const Op &op, const OpInputs &, std::vector<TensorDesc> *)
{
    return Status::error(std::string(opName(op.kind)) + ": not implemented yet");
}

} // namespace tributary::engine
