// Built instead of cublas_reference.cpp when the engine has no CUDA backend.

#include "bench/cublas_reference.h"

namespace tributary::bench {

std::unique_ptr<GemmReference> makeCublasReference(int /*ordinal*/, std::string *whyNot)
{
    if (whyNot)
        *whyNot = "built without CUDA support";
    return nullptr;
}

std::optional<double> cudaPeakGflops(int /*ordinal*/)
{
    return std::nullopt;
}

} // namespace tributary::bench
