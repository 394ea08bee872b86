#include "engine/cpu/ops/cpu_ops.h"

namespace tributary::engine {

bool cpuSupportsElementwise(OpKind)
{
    return false;
}

Status cpuRunElementwise(CpuOpContext &, const Op &op, std::span<const Tensor>, std::span<Tensor>)
{
    return Status::error(std::string("cpu: ") + std::string(opName(op.kind)) + " is not implemented yet");
}

} // namespace tributary::engine
