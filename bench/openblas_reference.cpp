#include "bench/openblas_reference.h"

#include <cblas.h>

namespace tributary::bench {

namespace {

class OpenBlasReference final : public GemmReference {
public:
    explicit OpenBlasReference(int threads)
        : m_threads(threads)
    {
    }

    std::string name() const override { return "openblas"; }

    std::string describe() const override
    {
        return std::string(openblas_get_config()) + ", core " + openblas_get_corename() + ", "
            + std::to_string(m_threads) + (m_threads == 1 ? " thread" : " threads");
    }

    engine::Status gemm(std::span<const float> a, std::span<const float> b, std::span<float> c,
        engine::GemmShape shape) override
    {
        if (engine::Status s = engine::checkGemmArguments(a.size(), b.size(), c.size(), shape); !s)
            return s;
        openblas_set_num_threads(m_threads);
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, shape.m, shape.n, shape.k, 1.0f, a.data(),
            shape.k, b.data(), shape.n, 0.0f, c.data(), shape.n);
        return engine::Status::ok();
    }

private:
    int m_threads;
};

} // namespace

std::unique_ptr<GemmReference> makeOpenBlasReference(int threads, std::string * /*whyNot*/)
{
    return std::make_unique<OpenBlasReference>(threads);
}

} // namespace tributary::bench
