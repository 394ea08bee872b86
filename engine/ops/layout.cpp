#include "engine/ops/layout.h"

namespace tributary::engine {

Status inferLayout(const Op &op, const OpInputs &, std::vector<TensorDesc> *)
{
    return Status::error(std::string(opName(op.kind)) + ": not implemented yet");
}

} // namespace tributary::engine
