#include "engine/cuda/cublas_library.h"

#include <cuda_runtime_api.h>

#include <dlfcn.h>

namespace tributary::engine {

namespace {

template<typename Function> bool resolve(void *library, const char *symbol, Function *out)
{
    *out = reinterpret_cast<Function>(dlsym(library, symbol));
    return *out != nullptr;
}

} // namespace

std::string cublasLibraryName()
{
    return "libcublas.so." + std::to_string(CUDART_VERSION / 1000);
}

bool loadCublas(CublasLibrary *library, std::string *whyNot)
{
    void *handle = nullptr;
    std::string firstError;
    for (const std::string &name : { cublasLibraryName(), std::string("libcublas.so") }) {
        handle = dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL);
        if (handle)
            break;
        if (firstError.empty()) // the versioned name's error is the one a user can act on
            firstError = dlerror();
    }
    if (!handle) {
        if (whyNot)
            *whyNot = "cannot load " + cublasLibraryName() + " (" + firstError + ")";
        return false;
    }
    CublasLibrary loaded;
    if (!resolve(handle, "cublasCreate_v2", &loaded.create)
        || !resolve(handle, "cublasDestroy_v2", &loaded.destroy)
        || !resolve(handle, "cublasGetVersion_v2", &loaded.getVersion)
        || !resolve(handle, "cublasSetStream_v2", &loaded.setStream)
        || !resolve(handle, "cublasSetMathMode", &loaded.setMathMode)
        || !resolve(handle, "cublasSgemm_v2", &loaded.sgemm)) {
        if (whyNot)
            *whyNot = cublasLibraryName() + " lacks an expected symbol (" + dlerror() + ")";
        return false;
    }
    *library = loaded;
    return true;
}

std::string cublasVersionText(int version)
{
    return std::to_string(version / 10000) + "." + std::to_string(version / 100 % 100) + "."
        + std::to_string(version % 100);
}

} // namespace tributary::engine
