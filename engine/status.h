#pragma once

// Status: the engine's error type. The engine has no exceptions at its API: every call
// that can fail returns a Status whose message names the problem in words a user can act
// on ("vulkan: out of device memory allocating 64 MiB for B").

#include <string>
#include <utility>

namespace tributary::engine {

class Status {
public:
    // A success. Prefer Status::ok() at call sites for readability.
    Status() = default;

    static Status ok() { return Status(); }
    static Status error(std::string message) { return Status(std::move(message), true); }

    bool isOk() const { return !m_failed; }
    explicit operator bool() const { return isOk(); }
    const std::string &message() const { return m_message; }

private:
    Status(std::string message, bool failed) : m_message(std::move(message)), m_failed(failed) {}

    std::string m_message;
    bool m_failed = false;
};

} // namespace tributary::engine
