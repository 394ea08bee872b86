// Built instead of openblas_reference.cpp when CMake found no OpenBLAS.

#include "bench/openblas_reference.h"

namespace tributary::bench {

std::unique_ptr<GemmReference> makeOpenBlasReference(int /*threads*/, std::string *whyNot)
{
    if (whyNot)
        *whyNot = "built without OpenBLAS (install libopenblas-dev and reconfigure)";
    return nullptr;
}

} // namespace tributary::bench
