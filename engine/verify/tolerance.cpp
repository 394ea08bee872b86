#include "engine/verify/tolerance.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>
#include <limits>

namespace tributary::engine {

namespace {

constexpr double kUnitRoundoff = 0x1p-24; // binary32, round to nearest
constexpr double kGemmSafety = 8.0; // two results × fma rounding twice × headroom (tolerance.h)

// Floats mapped to integers that increase with the value, −0 and +0 both to 0.
std::int64_t orderedBits(float x)
{
    const auto bits = static_cast<std::int64_t>(std::bit_cast<std::uint32_t>(x) & 0x7fffffffu);
    return std::signbit(x) ? -bits : bits;
}

bool validMember(double value)
{
    return !std::isnan(value) && value >= 0.0;
}

std::string format(const char *pattern, double value)
{
    char text[64];
    std::snprintf(text, sizeof text, pattern, value);
    return text;
}

std::string number(double value)
{
    return format("%.9g", value);
}

std::string error(double value)
{
    return format("%.3g", value);
}

} // namespace

std::uint32_t ulpDistance(float x, float y)
{
    if (!std::isfinite(x) || !std::isfinite(y))
        return std::numeric_limits<std::uint32_t>::max();
    const std::int64_t distance = std::abs(orderedBits(x) - orderedBits(y));
    return static_cast<std::uint32_t>(
        std::min<std::int64_t>(distance, std::numeric_limits<std::uint32_t>::max()));
}

float maxAbsValue(std::span<const float> values)
{
    float largest = 0.0f;
    for (const float v : values) {
        if (!std::isfinite(v))
            return std::numeric_limits<float>::infinity();
        largest = std::max(largest, std::fabs(v));
    }
    return largest;
}

Tolerance gemmTolerance(std::int64_t k, float maxAbsA, float maxAbsB)
{
    const double depth = static_cast<double>(std::max<std::int64_t>(k, 1));
    const double growth = kGemmSafety * std::sqrt(depth) * kUnitRoundoff;
    Tolerance tolerance;
    tolerance.absolute = growth * depth * static_cast<double>(maxAbsA) * static_cast<double>(maxAbsB);
    tolerance.relative = growth;
    return tolerance;
}

Status compareWithTolerance(std::span<const float> expected, std::span<const float> actual,
    const Tolerance &tolerance, ToleranceReport *report)
{
    if (expected.size() != actual.size())
        return Status::error("tolerance comparison: " + std::to_string(expected.size()) + " elements against "
            + std::to_string(actual.size()));
    if (!validMember(tolerance.absolute) || !validMember(tolerance.relative))
        return Status::error("tolerance comparison: the tolerance must be non-negative (absolute "
            + number(tolerance.absolute) + ", relative " + number(tolerance.relative) + ")");

    ToleranceReport result;
    result.tolerance = tolerance;
    result.elements = static_cast<std::int64_t>(expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        const float x = expected[i];
        const float y = actual[i];
        double absoluteError = 0.0;
        double relativeError = 0.0;
        double allowed = 0.0;
        bool agrees = false;
        if (std::isnan(x) || std::isnan(y)) {
            agrees = std::isnan(x) && std::isnan(y);
            absoluteError = relativeError = agrees ? 0.0 : std::numeric_limits<double>::infinity();
        } else if (std::isinf(x) || std::isinf(y)) {
            agrees = x == y;
            absoluteError = relativeError = agrees ? 0.0 : std::numeric_limits<double>::infinity();
        } else {
            // In double, so that the difference of two large floats cannot overflow.
            const double magnitude = std::max(std::fabs(double(x)), std::fabs(double(y)));
            absoluteError = std::fabs(double(x) - double(y));
            relativeError = magnitude > 0.0 ? absoluteError / magnitude : 0.0;
            allowed = tolerance.absolute + tolerance.relative * magnitude;
            const std::uint32_t ulps = ulpDistance(x, y);
            result.maxUlpDistance = std::max(result.maxUlpDistance, ulps);
            agrees = absoluteError <= allowed || (tolerance.maxUlps > 0 && ulps <= tolerance.maxUlps);
        }
        if (absoluteError > result.maxAbsoluteError) {
            result.maxAbsoluteError = absoluteError;
            result.maxAbsoluteErrorIndex = static_cast<std::int64_t>(i);
        }
        result.maxRelativeError = std::max(result.maxRelativeError, relativeError);
        if (agrees)
            continue;
        if (result.mismatches == 0) {
            result.firstMismatch = static_cast<std::int64_t>(i);
            result.expected = x;
            result.actual = y;
            result.absoluteError = absoluteError;
            result.relativeError = relativeError;
            result.allowedError = allowed;
        }
        ++result.mismatches;
    }
    result.withinTolerance = result.mismatches == 0;
    *report = result;
    return Status::ok();
}

std::string ToleranceReport::describe() const
{
    const std::string maxima = "max absolute error " + error(maxAbsoluteError)
        + (maxAbsoluteErrorIndex >= 0 ? " at element " + std::to_string(maxAbsoluteErrorIndex)
                                      : std::string())
        + ", max relative error " + error(maxRelativeError) + ", max " + std::to_string(maxUlpDistance)
        + " ulp";
    if (withinTolerance)
        return "all " + std::to_string(elements) + " elements within tolerance (" + maxima + ")";

    std::string text
        = "element " + std::to_string(firstMismatch) + ": " + number(expected) + " vs " + number(actual);
    if (std::isnan(expected) || std::isnan(actual))
        text += ", a NaN against a number";
    else if (std::isinf(expected) || std::isinf(actual))
        text += ", an infinity against a different value";
    else
        text += ", absolute error " + error(absoluteError) + " over " + error(allowedError)
            + " allowed (relative error " + error(relativeError) + " over " + error(tolerance.relative)
            + ", absolute " + error(tolerance.absolute)
            + (tolerance.maxUlps > 0 ? ", " + std::to_string(tolerance.maxUlps) + " ulp" : "") + ")";
    text += "; " + std::to_string(mismatches) + " of " + std::to_string(elements)
        + " elements outside tolerance, " + maxima;
    return text;
}

} // namespace tributary::engine
