#pragma once

// The engine has no Qt and no global logger: whoever creates an Engine passes a
// callback, and the app routes it into its `tributary.engine` logging category
// (the way ggml_log_set lets llama.cpp route ggml's messages).

#include <functional>
#include <string_view>

namespace tributary::engine {

enum class LogLevel { Debug = 1, Info, Warning, Error };

using LogCallback = std::function<void(LogLevel, std::string_view message)>;

} // namespace tributary::engine
