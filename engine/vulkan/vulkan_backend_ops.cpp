// VulkanBackend's tensor side. Placeholder until the GPU op infrastructure lands: it reports
// plainly that tensors and ops are not available on this backend yet.

#include "engine/vulkan/vulkan_backend.h"

namespace tributary::engine {

namespace {
Status notYet(std::string_view what)
{
    return Status::error("vulkan: " + std::string(what) + " is not implemented on this backend yet");
}
} // namespace

Status VulkanBackend::allocate(const TensorDesc &, Tensor *) { return notYet("allocate"); }
Status VulkanBackend::upload(const HostTensor &, Tensor *) { return notYet("upload"); }
Status VulkanBackend::download(const Tensor &, HostTensor *) { return notYet("download"); }
bool VulkanBackend::supports(OpKind) const { return false; }
Status VulkanBackend::run(const Op &op, std::span<const Tensor>, std::span<Tensor>)
{
    return notYet(opName(op.kind));
}
Status VulkanBackend::synchronize() { return Status::ok(); }

} // namespace tributary::engine
