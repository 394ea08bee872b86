#include "engine/cuda/ops/cuda_ops.h"

namespace tributary::engine {

bool cudaSupportsLayout(OpKind)
{
    return false;
}

Status cudaRunLayout(CudaOpContext &, const Op &op, std::span<const Tensor>, std::span<Tensor>)
{
    return Status::error(std::string("cuda: ") + std::string(opName(op.kind)) + " is not implemented yet");
}

} // namespace tributary::engine
