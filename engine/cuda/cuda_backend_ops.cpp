// CudaBackend's tensor side. Placeholder until the GPU op infrastructure lands: it reports
// plainly that tensors and ops are not available on this backend yet.

#include "engine/cuda/cuda_backend.h"

namespace tributary::engine {

namespace {
Status notYet(std::string_view what)
{
    return Status::error("cuda: " + std::string(what) + " is not implemented on this backend yet");
}
} // namespace

Status CudaBackend::allocate(const TensorDesc &, Tensor *) { return notYet("allocate"); }
Status CudaBackend::upload(const HostTensor &, Tensor *) { return notYet("upload"); }
Status CudaBackend::download(const Tensor &, HostTensor *) { return notYet("download"); }
bool CudaBackend::supports(OpKind) const { return false; }
Status CudaBackend::run(const Op &op, std::span<const Tensor>, std::span<Tensor>)
{
    return notYet(opName(op.kind));
}
Status CudaBackend::synchronize() { return Status::ok(); }

} // namespace tributary::engine
