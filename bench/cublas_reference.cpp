#include "bench/cublas_reference.h"

#include "engine/cuda/cublas_library.h"

#include <cuda_runtime_api.h>

#include <string>
#include <utility>

namespace tributary::bench {

namespace {

engine::Status cudaFailure(const char *what, cudaError_t error)
{
    return engine::Status::error(std::string("cublas reference: ") + what + ": " + cudaGetErrorString(error));
}

class CublasReference final : public GemmReference {
public:
    CublasReference(const engine::CublasLibrary &api, int ordinal)
        : m_api(api)
        , m_ordinal(ordinal)
    {
    }

    ~CublasReference() override
    {
        cudaSetDevice(m_ordinal);
        if (m_handle)
            m_api.destroy(m_handle);
        for (float *buffer : { m_a.data, m_b.data, m_c.data })
            cudaFree(buffer);
        if (m_start)
            cudaEventDestroy(m_start);
        if (m_stop)
            cudaEventDestroy(m_stop);
        if (m_stream)
            cudaStreamDestroy(m_stream);
    }

    CublasReference(const CublasReference &) = delete;
    CublasReference &operator=(const CublasReference &) = delete;

    bool init(std::string *whyNot)
    {
        auto fail = [&](const std::string &message) {
            *whyNot = message;
            return false;
        };
        if (const cudaError_t e = cudaSetDevice(m_ordinal); e != cudaSuccess)
            return fail(std::string("cudaSetDevice: ") + cudaGetErrorString(e));
        if (cudaStreamCreateWithFlags(&m_stream, cudaStreamNonBlocking) != cudaSuccess
            || cudaEventCreate(&m_start) != cudaSuccess || cudaEventCreate(&m_stop) != cudaSuccess)
            return fail("cannot create a CUDA stream or events");
        if (m_api.create(&m_handle) != CUBLAS_STATUS_SUCCESS)
            return fail("cublasCreate failed");
        if (m_api.setStream(m_handle, m_stream) != CUBLAS_STATUS_SUCCESS
            || m_api.setMathMode(m_handle, CUBLAS_DEFAULT_MATH) != CUBLAS_STATUS_SUCCESS)
            return fail("cannot configure the cuBLAS handle");
        m_api.getVersion(m_handle, &m_version);
        cudaDeviceProp properties {};
        if (cudaGetDeviceProperties(&properties, m_ordinal) == cudaSuccess)
            m_deviceName = properties.name;
        return true;
    }

    std::string name() const override { return "cublas"; }

    std::string describe() const override
    {
        return "cuBLAS " + engine::cublasVersionText(m_version) + " SGEMM on cuda:" + std::to_string(m_ordinal) + " ("
            + m_deviceName + "), CUBLAS_DEFAULT_MATH (fp32, no TF32), host-to-host like Backend::gemm";
    }

    engine::Status gemm(std::span<const float> a, std::span<const float> b, std::span<float> c,
        engine::GemmShape shape) override
    {
        if (engine::Status s = engine::checkGemmArguments(a.size(), b.size(), c.size(), shape); !s)
            return s;
        const std::size_t aBytes = sizeof(float) * static_cast<std::size_t>(shape.m) * shape.k;
        const std::size_t bBytes = sizeof(float) * static_cast<std::size_t>(shape.k) * shape.n;
        const std::size_t cBytes = sizeof(float) * static_cast<std::size_t>(shape.m) * shape.n;
        if (const cudaError_t e = cudaSetDevice(m_ordinal); e != cudaSuccess)
            return cudaFailure("cudaSetDevice", e);
        for (auto [buffer, bytes] :
            { std::pair { &m_a, aBytes }, std::pair { &m_b, bBytes }, std::pair { &m_c, cBytes } }) {
            if (engine::Status s = reserve(buffer, bytes); !s)
                return s;
        }
        if (const cudaError_t e
            = cudaMemcpyAsync(m_a.data, a.data(), aBytes, cudaMemcpyHostToDevice, m_stream);
            e != cudaSuccess)
            return cudaFailure("copy A", e);
        if (const cudaError_t e
            = cudaMemcpyAsync(m_b.data, b.data(), bBytes, cudaMemcpyHostToDevice, m_stream);
            e != cudaSuccess)
            return cudaFailure("copy B", e);
        // Row-major C = A·B is column-major Cᵀ = Bᵀ·Aᵀ: pass B first, no transposes.
        const float one = 1.0f, zero = 0.0f;
        cudaEventRecord(m_start, m_stream);
        const cublasStatus_t status = m_api.sgemm(m_handle, CUBLAS_OP_N, CUBLAS_OP_N, shape.n, shape.m,
            shape.k, &one, m_b.data, shape.n, m_a.data, shape.k, &zero, m_c.data, shape.n);
        cudaEventRecord(m_stop, m_stream);
        if (status != CUBLAS_STATUS_SUCCESS)
            return engine::Status::error("cublas reference: cublasSgemm failed with status "
                + std::to_string(static_cast<int>(status)));
        if (const cudaError_t e
            = cudaMemcpyAsync(c.data(), m_c.data, cBytes, cudaMemcpyDeviceToHost, m_stream);
            e != cudaSuccess)
            return cudaFailure("copy C", e);
        if (const cudaError_t e = cudaStreamSynchronize(m_stream); e != cudaSuccess)
            return cudaFailure("synchronize", e);
        float kernelMs = 0;
        cudaEventElapsedTime(&kernelMs, m_start, m_stop);
        m_lastKernelSeconds = kernelMs / 1e3;
        return engine::Status::ok();
    }

    double lastKernelSeconds() const override { return m_lastKernelSeconds; }

private:
    struct DeviceBuffer {
        float *data = nullptr;
        std::size_t bytes = 0;
    };

    engine::Status reserve(DeviceBuffer *buffer, std::size_t bytes)
    {
        if (buffer->bytes >= bytes)
            return engine::Status::ok();
        cudaFree(buffer->data);
        *buffer = {};
        void *data = nullptr;
        if (const cudaError_t e = cudaMalloc(&data, bytes); e != cudaSuccess)
            return cudaFailure("cudaMalloc", e);
        *buffer = { static_cast<float *>(data), bytes };
        return engine::Status::ok();
    }

    engine::CublasLibrary m_api;
    int m_ordinal;
    int m_version = 0;
    std::string m_deviceName;
    cublasHandle_t m_handle = nullptr;
    cudaStream_t m_stream = nullptr;
    cudaEvent_t m_start = nullptr;
    cudaEvent_t m_stop = nullptr;
    DeviceBuffer m_a, m_b, m_c;
    double m_lastKernelSeconds = -1.0;
};

// fp32 lanes per SM by compute capability (CUDA C Programming Guide, "Arithmetic Instructions").
int fp32LanesPerSm(int major, int minor)
{
    if (major == 7)
        return 64;
    if (major == 8)
        return minor == 0 ? 64 : 128;
    if (major == 9 || major == 10 || major == 12)
        return 128;
    return 0;
}

} // namespace

std::unique_ptr<GemmReference> makeCublasReference(int ordinal, std::string *whyNot)
{
    std::string reason;
    engine::CublasLibrary api;
    if (!engine::loadCublas(&api, &reason)) {
        if (whyNot)
            *whyNot = reason;
        return nullptr;
    }
    auto reference = std::make_unique<CublasReference>(api, ordinal);
    if (!reference->init(&reason)) {
        if (whyNot)
            *whyNot = "cuBLAS on cuda:" + std::to_string(ordinal) + ": " + reason;
        return nullptr;
    }
    return reference;
}

std::optional<double> cudaPeakGflops(int ordinal)
{
    int major = 0, minor = 0, sms = 0, clockKHz = 0;
    if (cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, ordinal) != cudaSuccess
        || cudaDeviceGetAttribute(&minor, cudaDevAttrComputeCapabilityMinor, ordinal) != cudaSuccess
        || cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, ordinal) != cudaSuccess
        || cudaDeviceGetAttribute(&clockKHz, cudaDevAttrClockRate, ordinal) != cudaSuccess)
        return std::nullopt;
    const int lanes = fp32LanesPerSm(major, minor);
    if (lanes == 0 || sms <= 0 || clockKHz <= 0)
        return std::nullopt;
    return 2.0 * lanes * sms * (clockKHz / 1e6);
}

} // namespace tributary::bench
