#pragma once

// Backend: one compute device behind one interface. The CPU backend is the reference;
// Vulkan and CUDA must give bitwise-identical results on every op (exact mode), so that
// a result computed on a stranger's machine is checked by comparing digests.
//
// A Backend is created by Engine::open() and used from one thread at a time.

#include "engine/device_info.h"
#include "engine/host_tensor.h"
#include "engine/ops/op.h"
#include "engine/status.h"
#include "engine/tensor.h"

#include <span>
#include <vector>

namespace tributary::engine {

struct GemmShape {
    int m = 0; // rows of A and C
    int n = 0; // columns of B and C
    int k = 0; // columns of A, rows of B
};

class Backend {
public:
    virtual ~Backend() = default;

    virtual const DeviceInfo &device() const = 0;

    // C[m×n] = A[m×k] · B[k×n], fp32, dense row-major.
    //
    // Exact mode, the contract every backend keeps: each C[i][j] is the chain
    //   acc = 0.0f; for p in 0..k-1 (in this order): acc = fmaf(A[i][p], B[p][j], acc)
    // with a single rounding per step (fused multiply-add) and IEEE denormals.
    // Any blocking or parallelism is over i and j only, never over p.
    //
    // Fails, with a message naming the problem, when the spans are too small for the
    // shape, a dimension is not positive, or the device runs out of memory.
    virtual Status gemm(std::span<const float> a, std::span<const float> b, std::span<float> c,
                        GemmShape shape) = 0;

    // --- Tensors and ops (engine/ops/op.h). Tensors live in the backend's memory and
    // stay there between ops; only upload and download cross to the host.

    // A tensor of the given type and shape; its contents are unspecified.
    virtual Status allocate(const TensorDesc &desc, Tensor *out) = 0;
    // Copies a host tensor into a new device tensor.
    virtual Status upload(const HostTensor &host, Tensor *out) = 0;
    // Copies a device tensor to the host, after all work queued before it has finished.
    virtual Status download(const Tensor &tensor, HostTensor *out) = 0;

    // Whether run() implements this op on this backend.
    virtual bool supports(OpKind kind) const = 0;
    // Runs one op. `outputs` are allocated by the caller with the shapes inferOutputs()
    // gives (engine/ops/shape_inference.h); an absent optional input, or an optional
    // output the caller does not want, is a Tensor without a buffer. GPU backends may
    // queue the work and return before it is done: errors that happen on the device
    // surface at the next download() or synchronize().
    virtual Status run(const Op &op, std::span<const Tensor> inputs, std::span<Tensor> outputs) = 0;
    // Waits for all queued work.
    virtual Status synchronize() = 0;
};

// Infers the outputs' shapes, allocates them on `backend` and runs the op: the easy way
// to run a single op.
Status runOp(Backend &backend, const Op &op, std::span<const Tensor> inputs, std::vector<Tensor> *outputs);

// Shared argument check for gemm implementations.
Status checkGemmArguments(std::size_t aSize, std::size_t bSize, std::size_t cSize, GemmShape shape);

} // namespace tributary::engine
