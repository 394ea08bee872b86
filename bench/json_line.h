#pragma once

// JsonLine: builds one flat JSON object for line-delimited output (one result a line).
//
//   JsonLine line;
//   line.add("op", "gemm").add("gflops", 123.4).addNull("reference");
//   std::puts(line.text().c_str());   // {"op":"gemm","gflops":123.4,"reference":null}
//
// Keys are written in the order added. Non-finite numbers and empty optionals become null.

#include <optional>
#include <string>
#include <string_view>

namespace tributary::bench {

class JsonLine {
public:
    JsonLine &add(std::string_view key, std::string_view value);
    JsonLine &add(std::string_view key, const char *value) { return add(key, std::string_view(value)); }
    JsonLine &add(std::string_view key, double value);
    JsonLine &add(std::string_view key, int value);
    JsonLine &add(std::string_view key, bool value);
    JsonLine &add(std::string_view key, const std::optional<double> &value);
    // A string, or null when the string is empty.
    JsonLine &addStringOrNull(std::string_view key, std::string_view value);
    JsonLine &addNull(std::string_view key);

    // The object, without a trailing newline.
    std::string text() const { return "{" + m_body + "}"; }

private:
    void addKey(std::string_view key);

    std::string m_body;
};

// `text` as a JSON string literal, quotes included.
std::string jsonQuoted(std::string_view text);

} // namespace tributary::bench
