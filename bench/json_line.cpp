#include "bench/json_line.h"

#include <cmath>
#include <cstdio>

namespace tributary::bench {

std::string jsonQuoted(std::string_view text)
{
    std::string out = "\"";
    for (const char ch : text) {
        switch (ch) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\t':
            out += "\\t";
            break;
        case '\r':
            out += "\\r";
            break;
        default:
            if (static_cast<unsigned char>(ch) < 0x20) {
                char escaped[8];
                std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(ch));
                out += escaped;
            } else {
                out += ch;
            }
        }
    }
    return out + "\"";
}

void JsonLine::addKey(std::string_view key)
{
    if (!m_body.empty())
        m_body += ',';
    m_body += jsonQuoted(key);
    m_body += ':';
}

JsonLine &JsonLine::add(std::string_view key, std::string_view value)
{
    addKey(key);
    m_body += jsonQuoted(value);
    return *this;
}

JsonLine &JsonLine::add(std::string_view key, double value)
{
    if (!std::isfinite(value))
        return addNull(key);
    addKey(key);
    char number[32];
    // %.6g keeps seconds of fast runs (1.2e-05) and large GFLOP/s (51234.5) readable.
    std::snprintf(number, sizeof number, "%.6g", value);
    m_body += number;
    return *this;
}

JsonLine &JsonLine::add(std::string_view key, int value)
{
    addKey(key);
    m_body += std::to_string(value);
    return *this;
}

JsonLine &JsonLine::add(std::string_view key, bool value)
{
    addKey(key);
    m_body += value ? "true" : "false";
    return *this;
}

JsonLine &JsonLine::add(std::string_view key, const std::optional<double> &value)
{
    return value ? add(key, *value) : addNull(key);
}

JsonLine &JsonLine::addStringOrNull(std::string_view key, std::string_view value)
{
    return value.empty() ? addNull(key) : add(key, value);
}

JsonLine &JsonLine::addNull(std::string_view key)
{
    addKey(key);
    m_body += "null";
    return *this;
}

} // namespace tributary::bench
