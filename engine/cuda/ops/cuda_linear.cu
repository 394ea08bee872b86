#include "engine/cuda/ops/cuda_ops.h"

namespace tributary::engine {

bool cudaSupportsLinear(OpKind)
{
    return false;
}

Status cudaRunLinear(CudaOpContext &, const Op &op, std::span<const Tensor>, std::span<Tensor>)
{
    return Status::error(std::string("cuda: ") + std::string(opName(op.kind)) + " is not implemented yet");
}

} // namespace tributary::engine
