#include "bench/reporter.h"

#include "bench/json_line.h"

#include <array>

namespace tributary::bench {

namespace {

std::string fixed(const std::optional<double> &value, const char *format)
{
    if (!value)
        return "n/a";
    char text[32];
    std::snprintf(text, sizeof text, format, *value);
    return text;
}

// GFLOP/s with one decimal, or three significant digits below 1 (software devices).
std::string gflopsText(const std::optional<double> &value)
{
    return fixed(value, value && *value < 1.0 ? "%.3g" : "%.1f");
}

class TableReporter final : public Reporter {
public:
    explicit TableReporter(std::FILE *out)
        : m_out(out)
    {
    }

    void info(const std::string &line) override { std::fprintf(m_out, "# %s\n", line.c_str()); }
    void note(const std::string &line) override
    {
        m_headerDue = true;
        std::fprintf(m_out, "note: %s\n", line.c_str());
    }
    void warning(const std::string &line) override
    {
        m_headerDue = true;
        std::fprintf(m_out, "warning: %s\n", line.c_str());
    }

    void result(const BenchResult &r) override
    {
        const std::string threads = r.threads > 0 ? std::to_string(r.threads) : "-";
        const std::string check = r.check + (r.correct ? " ok" : " DIFFERS");
        std::string device = r.deviceId + (r.softwareDevice ? " (software)" : "");
        if (!r.kernel.empty())
            device += " " + r.kernel;
        row({ r.op, device, threads, r.shape, r.clock == "thread-cpu" ? "cpu" : "wall",
            fixed(r.seconds * 1e3, "%.3f"), gflopsText(r.gflops), fixed(r.peakPercent, "%.1f%%"),
            r.reference.empty() ? "-" : r.reference, gflopsText(r.referenceGflops), fixed(r.ratio, "%.3g"),
            check });
        std::fflush(m_out);
    }

private:
    static constexpr std::size_t kColumns = 12;
    static constexpr std::array<int, kColumns> kWidths = { 10, 22, 7, 14, 5, 9, 7, 6, 15, 11, 7, 12 };

    void row(const std::array<std::string, kColumns> &cells)
    {
        if (m_headerDue) {
            m_headerDue = false;
            std::fputc('\n', m_out);
            line({ "op", "device", "threads", "shape", "clock", "ms", "GFLOP/s", "% peak", "reference",
                "ref GFLOP/s", "ratio", "check" });
            std::array<std::string, kColumns> rule;
            for (std::size_t i = 0; i < kColumns; ++i)
                rule[i] = std::string(static_cast<std::size_t>(kWidths[i]), '-');
            line(rule);
        }
        line(cells);
    }

    void line(const std::array<std::string, kColumns> &cells)
    {
        std::string text = "|";
        for (std::size_t i = 0; i < kColumns; ++i) {
            std::string cell = cells[i];
            if (cell.size() < static_cast<std::size_t>(kWidths[i]))
                cell.append(static_cast<std::size_t>(kWidths[i]) - cell.size(), ' ');
            text += " " + cell + " |";
        }
        std::fprintf(m_out, "%s\n", text.c_str());
    }

    std::FILE *m_out;
    bool m_headerDue = true; // a new table starts after notes, so each block pastes cleanly
};

class JsonReporter final : public Reporter {
public:
    JsonReporter(std::FILE *out, std::FILE *messages)
        : m_out(out)
        , m_messages(messages)
    {
    }

    void info(const std::string &line) override { std::fprintf(m_messages, "# %s\n", line.c_str()); }
    void note(const std::string &line) override { std::fprintf(m_messages, "note: %s\n", line.c_str()); }
    void warning(const std::string &line) override
    {
        std::fprintf(m_messages, "warning: %s\n", line.c_str());
    }

    void result(const BenchResult &r) override
    {
        JsonLine line;
        line.add("op", r.op)
            .add("backend", r.backend)
            .add("device_id", r.deviceId)
            .add("device", r.device)
            .add("software_device", r.softwareDevice)
            .add("shape", r.shape);
        if (r.threads > 0)
            line.add("threads", r.threads);
        else
            line.addNull("threads");
        line.addStringOrNull("kernel", r.kernel);
        line.add("clock", r.clock);
        line.add("seconds", r.seconds)
            .add("gflops", r.gflops)
            .add("steps_per_second", r.stepsPerSecond)
            .add("peak_percent", r.peakPercent)
            .addStringOrNull("reference", r.reference)
            .add("reference_seconds", r.referenceSeconds)
            .add("reference_gflops", r.referenceGflops)
            .add("reference_kernel_gflops", r.referenceKernelGflops)
            .add("ratio", r.ratio)
            .add("check", r.check)
            .add("correct", r.correct)
            .addStringOrNull("check_detail", r.checkDetail);
        std::fprintf(m_out, "%s\n", line.text().c_str());
        std::fflush(m_out);
    }

private:
    std::FILE *m_out;
    std::FILE *m_messages;
};

} // namespace

std::unique_ptr<Reporter> makeTableReporter(std::FILE *out)
{
    return std::make_unique<TableReporter>(out);
}

std::unique_ptr<Reporter> makeJsonReporter(std::FILE *out, std::FILE *messages)
{
    return std::make_unique<JsonReporter>(out, messages);
}

} // namespace tributary::bench
