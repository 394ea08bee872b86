#pragma once

// cuBLAS loaded with dlopen (libcublas.so.<CUDA major>, then libcublas.so), never linked:
// libcublas with libcublasLt is about 600 MB, and a binary linked against it would not
// start on a machine without the CUDA toolkit's libraries. Used by the CUDA backend in
// fast mode (ExecutionMode::Fast) and by tributary-bench's cuBLAS reference.
//
//   CublasLibrary cublas;
//   std::string whyNot;
//   if (!loadCublas(&cublas, &whyNot))
//       ...                          // "cannot load libcublas.so.12 (…: cannot open shared object file)"
//   cublasHandle_t handle;
//   cublas.create(&handle);
//
// The library stays loaded for the rest of the process once loaded (cuBLAS does not
// support being unloaded while CUDA is initialised), so the function pointers never dangle.

#include <cublas_v2.h>

#include <string>

namespace tributary::engine {

// The cuBLAS entry points the engine and the bench use. The declarations in cublas_v2.h
// give the types; nothing is linked.
struct CublasLibrary {
    decltype(&cublasCreate_v2) create = nullptr;
    decltype(&cublasDestroy_v2) destroy = nullptr;
    decltype(&cublasGetVersion_v2) getVersion = nullptr;
    decltype(&cublasSetStream_v2) setStream = nullptr;
    decltype(&cublasSetMathMode) setMathMode = nullptr;
    decltype(&cublasSgemm_v2) sgemm = nullptr;
};

// "libcublas.so.12": the name for the CUDA runtime the engine was built with.
std::string cublasLibraryName();

// Loads cuBLAS and resolves every member of *library. Returns false, with *whyNot set,
// when the library cannot be loaded or lacks a symbol.
bool loadCublas(CublasLibrary *library, std::string *whyNot);

// "12.4.5" from cublasGetVersion's integer (12 04 05 → major·10000 + minor·100 + patch).
std::string cublasVersionText(int version);

} // namespace tributary::engine
