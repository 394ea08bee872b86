#include "engine/cuda/cuda_backend.h"

#include "engine/cuda/cuda_device.h"
#include "engine/cuda/cuda_exact_probe.h"
#include "engine/cuda/cuda_tensor_buffer.h"
#include "engine/cuda/cuda_gemm_kernel.h"
#include "engine/exact_mode_check.h"

#include <charconv>
#include <string_view>

namespace tributary::engine {

namespace {

constexpr unsigned kMaxGridRows = 65535; // gridDim.y limit

// The ordinal in an id "cuda:<ordinal>", or -1.
int deviceOrdinal(const std::string &id)
{
    constexpr std::string_view prefix = "cuda:";
    if (id.compare(0, prefix.size(), prefix) != 0)
        return -1;
    int ordinal = -1;
    const char *end = id.data() + id.size();
    const auto [ptr, ec] = std::from_chars(id.data() + prefix.size(), end, ordinal);
    return (ec == std::errc() && ptr == end) ? ordinal : -1;
}

std::string mib(std::size_t bytes)
{
    return std::to_string((bytes + (std::size_t{1} << 20) - 1) >> 20) + " MiB";
}

// Runs the subnormal probe (exact_mode_check.h) as one tiny kernel.
Status checkSubnormals(CudaBackend &backend)
{
    const SubnormalProbe &probe = subnormalProbe();
    const Shape shape{static_cast<std::int64_t>(kSubnormalProbeSize)};
    Tensor a, b, sum, product;
    if (Status s = backend.upload(HostTensor::fromF32(shape, probe.a), &a); !s)
        return s;
    if (Status s = backend.upload(HostTensor::fromF32(shape, probe.b), &b); !s)
        return s;
    if (Status s = backend.allocate({DType::F32, shape}, &sum); !s)
        return s;
    if (Status s = backend.allocate({DType::F32, shape}, &product); !s)
        return s;
    if (const cudaError_t e = launchSubnormalProbe(cudaData<const float>(a), cudaData<const float>(b),
                                                   cudaData<float>(sum), cudaData<float>(product),
                                                   static_cast<int>(kSubnormalProbeSize), backend.stream());
        e != cudaSuccess)
        return Status::error(std::string("cuda: launching the subnormal probe: ") + cudaGetErrorString(e));
    HostTensor sumHost, productHost;
    if (Status s = backend.download(sum, &sumHost); !s)
        return s;
    if (Status s = backend.download(product, &productHost); !s)
        return s;
    return checkSubnormalResults(sumHost.f32(), productHost.f32());
}

} // namespace

std::unique_ptr<Backend> openCudaBackend(const DeviceInfo &device, ExecutionMode mode, std::string *error)
{
    auto backend = CudaBackend::create(device, error, mode);
    if (!backend)
        return nullptr;
    // cuBLAS is not exact; Engine::open checks fast-mode results within a tolerance instead.
    if (mode == ExecutionMode::Fast)
        return backend;
    Status s = checkExactMode(*backend);
    if (s)
        s = checkSubnormals(*backend);
    if (!s) {
        *error = "cuda: " + device.name + " does not keep exact mode: " + s.message();
        return nullptr;
    }
    return backend;
}

std::unique_ptr<CudaBackend> CudaBackend::create(const DeviceInfo &device, std::string *error, ExecutionMode mode)
{
    const int ordinal = deviceOrdinal(device.id);
    if (ordinal < 0) {
        *error = "cuda: not a CUDA device id: " + device.id;
        return nullptr;
    }
    std::unique_ptr<CudaBackend> backend(new CudaBackend(device, ordinal, mode));
    if (const cudaError_t e = cudaSetDevice(ordinal); e != cudaSuccess) {
        *error = backend->failure("cudaSetDevice", e).message();
        return nullptr;
    }
    if (const cudaError_t e = cudaStreamCreateWithFlags(&backend->m_stream, cudaStreamNonBlocking); e != cudaSuccess) {
        backend->m_stream = nullptr;
        *error = backend->failure("cudaStreamCreate", e).message();
        return nullptr;
    }
    if (mode == ExecutionMode::Fast)
        backend->setUpCublas();
    return backend;
}

CudaBackend::CudaBackend(DeviceInfo device, int ordinal, ExecutionMode mode)
    : Backend(mode), m_device(std::move(device)), m_ordinal(ordinal)
{
}

void CudaBackend::setUpCublas()
{
    std::string whyNot;
    if (!loadCublas(&m_cublas, &whyNot)) {
        m_device.fastMode = "none: " + whyNot + ", the exact kernels run instead";
        return;
    }
    cublasHandle_t handle = nullptr;
    if (const cublasStatus_t s = m_cublas.create(&handle); s != CUBLAS_STATUS_SUCCESS) {
        m_device.fastMode = "none: cublasCreate failed (status " + std::to_string(int(s)) + "), the exact kernels run instead";
        return;
    }
    // fp32 throughout: TF32 (CUBLAS_TF32_TENSOR_OP_MATH) would be far outside the tolerances.
    if (m_cublas.setStream(handle, m_stream) != CUBLAS_STATUS_SUCCESS
        || m_cublas.setMathMode(handle, CUBLAS_DEFAULT_MATH) != CUBLAS_STATUS_SUCCESS) {
        m_cublas.destroy(handle);
        m_device.fastMode = "none: cannot configure the cuBLAS handle, the exact kernels run instead";
        return;
    }
    int version = 0;
    m_cublas.getVersion(handle, &version);
    m_cublasHandle = handle;
    m_device.fastMode = "GEMM, Gemm and MatMul through cuBLAS " + cublasVersionText(version)
        + " SGEMM (CUBLAS_DEFAULT_MATH: fp32, no TF32)";
}

CudaBackend::~CudaBackend()
{
    // Errors are ignored here: there is nobody left to report them to.
    cudaSetDevice(m_ordinal);
    if (m_stream)
        cudaStreamSynchronize(m_stream);
    if (m_cublasHandle)
        m_cublas.destroy(m_cublasHandle);
    for (GemmBuffer *buffer : {&m_a, &m_b, &m_c, &m_ones, &m_scratch}) {
        if (buffer->data)
            cudaFree(buffer->data);
    }
    if (m_stream)
        cudaStreamDestroy(m_stream);
}

Status CudaBackend::failure(const char *what, cudaError_t error)
{
    // Clears the error unless it is sticky, in which case the context is unusable anyway.
    cudaGetLastError();
    return Status::error(std::string("cuda: ") + what + ": " + cudaGetErrorString(error));
}

Status CudaBackend::reserve(GemmBuffer *buffer, std::size_t bytes, const char *what)
{
    if (bytes <= buffer->bytes)
        return Status::ok();
    if (buffer->data) {
        cudaFree(buffer->data);
        *buffer = {};
    }
    void *data = nullptr;
    const cudaError_t e = cudaMalloc(&data, bytes);
    if (e == cudaErrorMemoryAllocation) {
        cudaGetLastError();
        return Status::error("cuda: out of device memory allocating " + mib(bytes) + " for " + what);
    }
    if (e != cudaSuccess)
        return failure((std::string("cudaMalloc (") + mib(bytes) + " for " + what + ")").c_str(), e);
    buffer->data = static_cast<float *>(data);
    buffer->bytes = bytes;
    return Status::ok();
}

Status CudaBackend::gemm(std::span<const float> a, std::span<const float> b, std::span<float> c, GemmShape shape)
{
    if (Status s = checkGemmArguments(a.size(), b.size(), c.size(), shape); !s)
        return s;
    if (m_unusable)
        return Status::error("cuda: device unusable: " + m_unusableReason);
    if (!m_cublasHandle && (static_cast<long long>(shape.m) + kCudaTileRows - 1) / kCudaTileRows > kMaxGridRows)
        return Status::error("cuda: m=" + std::to_string(shape.m) + " is too large for one launch");

    const auto m = static_cast<std::size_t>(shape.m);
    const auto n = static_cast<std::size_t>(shape.n);
    const auto k = static_cast<std::size_t>(shape.k);
    const std::size_t aBytes = m * k * sizeof(float);
    const std::size_t bBytes = k * n * sizeof(float);
    const std::size_t cBytes = m * n * sizeof(float);

    if (const cudaError_t e = cudaSetDevice(m_ordinal); e != cudaSuccess)
        return failure("cudaSetDevice", e);
    if (Status s = reserve(&m_a, aBytes, "A"); !s)
        return s;
    if (Status s = reserve(&m_b, bBytes, "B"); !s)
        return s;
    if (Status s = reserve(&m_c, cBytes, "C"); !s)
        return s;

    if (const cudaError_t e = cudaMemcpyAsync(m_a.data, a.data(), aBytes, cudaMemcpyHostToDevice, m_stream);
        e != cudaSuccess)
        return failure("copying A to the device", e);
    if (const cudaError_t e = cudaMemcpyAsync(m_b.data, b.data(), bBytes, cudaMemcpyHostToDevice, m_stream);
        e != cudaSuccess)
        return failure("copying B to the device", e);
    if (m_cublasHandle) {
        if (Status s = cublasGemm(false, false, shape.m, shape.n, shape.k, 1.0f, m_a.data, m_b.data, 0.0f, m_c.data);
            !s)
            return s;
    } else if (const cudaError_t e = launchCudaGemm(m_a.data, m_b.data, m_c.data, shape.m, shape.n, shape.k, m_stream);
               e != cudaSuccess) {
        return failure("launching the GEMM kernel", e);
    }
    if (const cudaError_t e = cudaMemcpyAsync(c.data(), m_c.data, cBytes, cudaMemcpyDeviceToHost, m_stream);
        e != cudaSuccess)
        return failure("copying C from the device", e);
    if (const cudaError_t e = cudaStreamSynchronize(m_stream); e != cudaSuccess) {
        // A failure during execution usually leaves the context unusable.
        m_unusable = true;
        m_unusableReason = cudaGetErrorString(e);
        return failure("running the GEMM kernel", e);
    }
    return Status::ok();
}

} // namespace tributary::engine
