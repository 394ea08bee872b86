#pragma once

// deviceFits: whether a node's device may be given a job's tasks. Exact-mode work goes
// only to devices whose determinism self-test passed (their results are compared by
// digest); fast-mode work to any available device that is not known to be broken. Then
// the job's own requirements: backend kinds and memory.

#include "coordinator/store/records.h"

#include "tributary/v1/common.pb.h"

#include <string>

namespace tributary::coordinator {

// Empty when the device fits; otherwise why not, for logs and error messages.
std::string whyDeviceDoesNotFit(
    const v1::Device &device, ExecutionMode mode, const v1::Requirements &requirements);

} // namespace tributary::coordinator
