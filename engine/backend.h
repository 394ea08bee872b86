#pragma once

// Backend: one compute device behind one interface. The CPU backend is the reference;
// Vulkan and CUDA must give bitwise-identical results on every op (exact mode), so that
// a result computed on a stranger's machine is checked by comparing digests.
//
// A backend opened in fast mode (ExecutionMode::Fast, opt-in per job) may use vendor
// libraries and native instructions instead: its results are close to exact mode's but
// not bitwise reproducible, and are checked with tolerances (engine/verify/tolerance.h).
//
// A Backend is created by Engine::open() and used from one thread at a time.

#include "engine/device_info.h"
#include "engine/host_tensor.h"
#include "engine/ops/op.h"
#include "engine/status.h"
#include "engine/tensor.h"

#include <span>
#include <string_view>
#include <vector>

namespace tributary::engine {

// How a backend computes, chosen when it is opened and fixed for its lifetime.
enum class ExecutionMode {
    // The default: bitwise-identical results on every backend (the contract below), so
    // results are verified by digest.
    Exact = 1,
    // Opt-in per job: faster paths whose results differ from exact mode by rounding only,
    // verified by tolerance (engine/verify/tolerance.h). What it changes per backend:
    //   CPU:    GEMM (and so Gemm, MatMul, the convolutions) through OpenBLAS cblas_sgemm,
    //           when the engine was built with OpenBLAS; otherwise the same as exact.
    //   Vulkan: every fma-using shader in its native fma() variant, even where exact mode
    //           needs the emulated-fma one (lavapipe), and no exact-mode or subnormal
    //           check at open (a device that flushes subnormals is accepted).
    //   CUDA:   GEMM, Gemm and MatMul through cuBLAS SGEMM (fp32, no TF32), loaded at
    //           open; the exact kernels when libcublas cannot be loaded.
    // Other ops run the exact-mode code. DeviceInfo::fastMode says, per device, what fast
    // mode does there.
    Fast,
};
std::string_view executionModeName(ExecutionMode mode); // "exact", "fast"
// Parses "exact" or "fast"; returns false for anything else.
bool parseExecutionMode(std::string_view name, ExecutionMode *mode);

// How Engine::open() opens a backend.
struct BackendOptions {
    ExecutionMode mode = ExecutionMode::Exact;
};

struct GemmShape {
    int m = 0; // rows of A and C
    int n = 0; // columns of B and C
    int k = 0; // columns of A, rows of B
};

class Backend {
public:
    virtual ~Backend() = default;

    virtual const DeviceInfo &device() const = 0;

    // The mode the backend was opened in. A fast-mode backend whose fast path could not be
    // set up (no OpenBLAS, no libcublas) still reports Fast and computes exactly;
    // device().fastMode says what it does.
    ExecutionMode mode() const { return m_mode; }

    // C[m×n] = A[m×k] · B[k×n], fp32, dense row-major.
    //
    // Exact mode, the contract every backend keeps: each C[i][j] is the chain
    //   acc = 0.0f; for p in 0..k-1 (in this order): acc = fmaf(A[i][p], B[p][j], acc)
    // with a single rounding per step (fused multiply-add) and IEEE denormals.
    // Any blocking or parallelism is over i and j only, never over p. In fast mode the
    // order and the rounding are the library's (see ExecutionMode).
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

protected:
    explicit Backend(ExecutionMode mode = ExecutionMode::Exact) : m_mode(mode) {}

private:
    ExecutionMode m_mode;
};

// Infers the outputs' shapes, allocates them on `backend` and runs the op: the easy way
// to run a single op.
Status runOp(Backend &backend, const Op &op, std::span<const Tensor> inputs, std::vector<Tensor> *outputs);

// Shared argument check for gemm implementations.
Status checkGemmArguments(std::size_t aSize, std::size_t bSize, std::size_t cSize, GemmShape shape);

} // namespace tributary::engine
