#include "bench/conv_bench.h"

#include "bench/gemm_check.h"
#include "bench/target_row.h"
#include "bench/timing.h"

#include "engine/ops/linear.h"
#include "engine/ops/shape_inference.h"
#include "engine/random_fill.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <string>
#include <thread>
#include <vector>

namespace tributary::bench {

namespace {

// As in gemm_bench.cpp: OpenBLAS's idle workers spin for a while after a call.
constexpr auto kReferenceSettle = std::chrono::milliseconds(200);

struct ConvCase {
    std::int64_t channels, height, width, outChannels, kernel, pad, groups;
};

constexpr ConvCase kCases[] = {
    { 3, 32, 32, 64, 3, 1, 1 },
    { 64, 16, 16, 128, 3, 1, 1 },
    { 128, 8, 8, 256, 1, 0, 1 },
    { 128, 16, 16, 128, 3, 1, 128 },
};

// One convolution with its operands on the host, as every target runs it.
struct ConvProblem {
    engine::Op op;
    engine::HostTensor x, w;
    engine::Conv2dGeometry geometry;
    std::string shape; // "32x64x16x16 -> 32x128x16x16 k3x3 pad1"
    double flops = 0;
};

engine::Status makeProblem(const ConvCase &c, std::int64_t batch, ConvProblem *out)
{
    engine::Conv2dAttributes attributes;
    attributes.pads = { c.pad, c.pad, c.pad, c.pad };
    attributes.groups = c.groups;
    out->op = { engine::OpKind::Conv2d, attributes };
    out->x = engine::HostTensor::zeros(engine::DType::F32, { batch, c.channels, c.height, c.width });
    out->w = engine::HostTensor::zeros(
        engine::DType::F32, { c.outChannels, c.channels / c.groups, c.kernel, c.kernel });
    engine::fillUniform(out->x.f32(), 11);
    engine::fillUniform(out->w.f32(), 12);
    const engine::Status status
        = engine::conv2dGeometry("Conv2d", out->x.shape, out->w.shape, attributes, &out->geometry);
    if (!status)
        return status;
    const engine::Conv2dGeometry &g = out->geometry;
    out->shape = std::to_string(g.n) + "x" + std::to_string(g.c) + "x" + std::to_string(g.h) + "x"
        + std::to_string(g.w) + " -> " + std::to_string(g.n) + "x" + std::to_string(g.m) + "x"
        + std::to_string(g.oh) + "x" + std::to_string(g.ow) + " k" + std::to_string(g.kh) + "x"
        + std::to_string(g.kw) + (c.pad > 0 ? " pad" + std::to_string(c.pad) : "")
        + (g.groups > 1 ? " groups" + std::to_string(g.groups) : "");
    out->flops = 2.0 * static_cast<double>(g.n * g.m * g.outputPlane()) * static_cast<double>(g.kernelSize());
    return engine::Status::ok();
}

// The problem's X, W and Y on one backend, uploaded and allocated once; runAndWait() runs
// the op and waits for it, so that a timed run covers the work and nothing else.
class DeviceConv {
public:
    engine::Status prepare(engine::Backend &backend, const ConvProblem &problem)
    {
        m_backend = &backend;
        m_op = problem.op;
        m_inputs.resize(2);
        if (engine::Status s = backend.upload(problem.x, &m_inputs[0]); !s)
            return s;
        if (engine::Status s = backend.upload(problem.w, &m_inputs[1]); !s)
            return s;
        std::vector<engine::TensorDesc> descs;
        if (engine::Status s = engine::inferOutputs(m_op, m_inputs, &descs); !s)
            return s;
        m_outputs.resize(1);
        return backend.allocate(descs[0], &m_outputs[0]);
    }

    engine::Status runAndWait()
    {
        if (engine::Status s = m_backend->run(m_op, m_inputs, m_outputs); !s)
            return s;
        return m_backend->synchronize();
    }

    engine::Status download(engine::HostTensor *y) { return m_backend->download(m_outputs[0], y); }

private:
    engine::Backend *m_backend = nullptr;
    engine::Op m_op;
    std::vector<engine::Tensor> m_inputs;
    std::vector<engine::Tensor> m_outputs;
};

// Y of the problem on `backend`, computed once.
engine::Status convolve(engine::Backend &backend, const ConvProblem &problem, engine::HostTensor *y)
{
    DeviceConv conv;
    if (engine::Status s = conv.prepare(backend, problem); !s)
        return s;
    if (engine::Status s = conv.runAndWait(); !s)
        return s;
    return conv.download(y);
}

// The CPU backend's results (checks) and times ("cpu-exact" reference) per shape, each
// computed once and shared by every target.
class CpuConvResults {
public:
    const engine::HostTensor *expected(const ConvProblem &problem, std::string *error)
    {
        auto found = m_expected.find(problem.shape);
        if (found != m_expected.end())
            return &found->second;
        if (!m_checker)
            m_checker = makeCheckerCpuBackend();
        engine::HostTensor y;
        if (engine::Status s = convolve(*m_checker, problem, &y); !s) {
            *error = s.message();
            return nullptr;
        }
        return &m_expected.emplace(problem.shape, std::move(y)).first->second;
    }

    engine::Status referenceSeconds(const ConvProblem &problem, int repeat, double *seconds)
    {
        if (auto found = m_seconds.find(problem.shape); found != m_seconds.end()) {
            *seconds = found->second;
            return engine::Status::ok();
        }
        if (!m_reference)
            m_reference = makeDefaultCpuBackend();
        DeviceConv conv;
        if (engine::Status s = conv.prepare(*m_reference, problem); !s)
            return s;
        Timing timing;
        if (engine::Status s = timeRepeated(
                repeat, Clock::Wall, [&] { return conv.runAndWait(); }, &timing);
            !s)
            return s;
        *seconds = m_seconds.emplace(problem.shape, timing.medianSeconds).first->second;
        return engine::Status::ok();
    }

private:
    std::unique_ptr<engine::Backend> m_checker;
    std::unique_ptr<engine::Backend> m_reference;
    std::map<std::string, engine::HostTensor> m_expected;
    std::map<std::string, double> m_seconds;
};

// cols[(c, kh, kw)][(oh, ow)] of image n, group `group`, +0.0f at padding, with rows `ld`
// floats apart: the matrix the engine's CPU backend builds.
void hostIm2col(const engine::Conv2dGeometry &g, const float *x, std::int64_t n, std::int64_t group,
    float *cols, std::int64_t ld)
{
    const float *image = x + (n * g.c + group * g.cg) * g.h * g.w;
    for (std::int64_t row = 0; row < g.kernelSize(); ++row) {
        const std::int64_t kw = row % g.kw;
        const std::int64_t kh = (row / g.kw) % g.kh;
        const float *plane = image + (row / (g.kw * g.kh)) * g.h * g.w;
        float *out = cols + row * ld;
        // The output columns whose input column lies inside the image, found once per row
        // so that the inner loop has no bounds checks: im2col is part of what is timed.
        const std::int64_t offset = kw * g.dilationW - g.padLeft;
        std::int64_t begin = 0;
        while (begin < g.ow && begin * g.strideW + offset < 0)
            ++begin;
        std::int64_t end = g.ow;
        while (end > begin && (end - 1) * g.strideW + offset >= g.w)
            --end;
        for (std::int64_t oh = 0; oh < g.oh; ++oh) {
            const std::int64_t h = oh * g.strideH - g.padTop + kh * g.dilationH;
            float *o = out + oh * g.ow;
            if (h < 0 || h >= g.h) {
                std::fill(o, o + g.ow, 0.0f);
                continue;
            }
            const float *input = plane + h * g.w + offset;
            std::fill(o, o + begin, 0.0f);
            for (std::int64_t ow = begin; ow < end; ++ow)
                o[ow] = input[ow * g.strideW];
            std::fill(o + end, o + g.ow, 0.0f);
        }
    }
}

// The convolution as the engine's CPU backend does it, with the reference's GEMM: per
// group, the im2col matrices of every image side by side (K × N·oH·oW), one GEMM with the
// group's weights, and the [mg][N·oH·oW] result copied into Y's NCHW layout.
struct ReferenceConv {
    std::vector<float> cols, staged, y;

    engine::Status run(GemmReference &reference, const ConvProblem &problem)
    {
        const engine::Conv2dGeometry &g = problem.geometry;
        const std::int64_t plane = g.outputPlane();
        const std::int64_t k = g.kernelSize();
        const std::int64_t columns = g.n * plane;
        cols.resize(std::size_t(k * columns));
        staged.resize(std::size_t(g.mg * columns));
        y.resize(std::size_t(g.n * g.m * plane));
        const std::span<const float> w = problem.w.f32();
        const engine::GemmShape shape { static_cast<int>(g.mg), static_cast<int>(columns),
            static_cast<int>(k) };
        for (std::int64_t group = 0; group < g.groups; ++group) {
            for (std::int64_t n = 0; n < g.n; ++n)
                hostIm2col(g, problem.x.f32().data(), n, group, cols.data() + n * plane, columns);
            if (engine::Status s = reference.gemm(
                    w.subspan(std::size_t(group * g.mg * k), std::size_t(g.mg * k)), cols, staged, shape);
                !s)
                return s;
            for (std::int64_t m = 0; m < g.mg; ++m) {
                for (std::int64_t n = 0; n < g.n; ++n)
                    std::copy_n(staged.data() + m * columns + n * plane, plane,
                        y.data() + (n * g.m + group * g.mg + m) * plane);
            }
        }
        return engine::Status::ok();
    }
};

engine::Status measureOpenBlasReference(
    GemmReference &reference, const ConvProblem &problem, int repeat, Clock clock, BenchResult *result)
{
    ReferenceConv conv;
    Timing timing;
    if (engine::Status s = timeRepeated(
            repeat, clock, [&] { return conv.run(reference, problem); }, &timing);
        !s)
        return s;
    result->reference = reference.name() + "-im2col";
    result->referenceSeconds = timing.medianSeconds;
    return engine::Status::ok();
}

// Empty when Y is bitwise equal to the CPU backend's, else the first differing element,
// as "Y (as [N·M][oH·oW])[n·M + m][oh·oW + ow]: expected …", and how many differ.
std::string convMismatch(
    const engine::HostTensor &expected, const engine::HostTensor &actual, const engine::Conv2dGeometry &g)
{
    if (actual.shape != expected.shape)
        return "Y has the wrong shape";
    // bitwiseMismatch() reports rows and columns: one row per (n, m) plane.
    std::string detail = bitwiseMismatch(
        expected.f32(), actual.f32(), { static_cast<int>(g.n * g.m), static_cast<int>(g.outputPlane()), 1 });
    if (detail.starts_with("C["))
        detail = "Y (as [N·M][oH·oW])" + detail.substr(1);
    return detail;
}

std::int64_t batchFor(const BenchTarget &target, const EngineBenchOptions &options)
{
    if (target.device.isSoftware && !options.convBatchGiven)
        return std::min(options.convBatch, kSoftwareConvBatch);
    return options.convBatch;
}

} // namespace

int runConv2dBenchmark(OpBenchContext &context)
{
    const EngineBenchOptions &options = context.options;
    Reporter &reporter = context.reporter;
    CpuConvResults cpuResults;
    std::vector<BenchResult> reported;
    int failures = 0;

    for (BenchTarget &target : context.targets) {
        const std::string label = targetLabel(target);
        for (const ConvCase &convCase : kCases) {
            ConvProblem problem;
            if (engine::Status s = makeProblem(convCase, batchFor(target, options), &problem); !s) {
                reporter.warning(label + " conv2d: " + s.message());
                ++failures;
                continue;
            }
            if (!target.backend->supports(engine::OpKind::Conv2d)) {
                reporter.note(label + ": conv2d not supported, skipped");
                break;
            }
            const Clock clock = clockFor(target, options);
            DeviceConv conv;
            Timing timing;
            engine::Status status = conv.prepare(*target.backend, problem);
            if (status)
                status = timeRepeated(
                    options.repeat, clock, [&] { return conv.runAndWait(); }, &timing);
            engine::HostTensor y;
            if (status)
                status = conv.download(&y);
            if (!status) {
                reporter.warning(label + " conv2d " + problem.shape + " failed: " + status.message());
                ++failures;
                continue;
            }

            BenchResult result = resultRowFor(target, "conv2d", problem.shape, clock);
            result.seconds = timing.medianSeconds;
            result.gflops = problem.flops / timing.medianSeconds / 1e9;
            if (target.peakGflops)
                result.peakPercent = 100.0 * result.gflops / *target.peakGflops;

            result.check = "bitwise";
            std::string error;
            if (const engine::HostTensor *expected = cpuResults.expected(problem, &error))
                result.checkDetail = convMismatch(*expected, y, problem.geometry);
            else
                result.checkDetail = "the CPU backend failed: " + error;
            result.correct = result.checkDetail.empty();
            if (!result.correct) {
                reporter.warning(label + " conv2d " + problem.shape
                    + " differs from the CPU backend: " + result.checkDetail);
                ++failures;
            }

            engine::Status referenceStatus;
            if (target.gemmReference && target.gemmReference->name() == "openblas"
                && (target.device.backend == engine::BackendKind::Cpu || target.device.isSoftware)) {
                referenceStatus = measureOpenBlasReference(
                    *target.gemmReference, problem, options.repeat, clock, &result);
                if (target.threads > 1 || target.device.isSoftware)
                    std::this_thread::sleep_for(kReferenceSettle);
            } else if (!isDefaultCpuTarget(target)) {
                double seconds = 0;
                referenceStatus = cpuResults.referenceSeconds(problem, options.repeat, &seconds);
                if (referenceStatus) {
                    result.reference = kCpuExactReference;
                    result.referenceSeconds = seconds;
                }
            }
            if (!referenceStatus)
                reporter.warning(label + " conv2d reference failed: " + referenceStatus.message());
            if (result.referenceSeconds) {
                result.referenceGflops = problem.flops / *result.referenceSeconds / 1e9;
                result.ratio = result.gflops / *result.referenceGflops;
            }
            reporter.result(result);
            reported.push_back(std::move(result));
        }
    }

    reportVulkanAgainstCuda(context.targets, reported, reporter);
    return failures;
}

} // namespace tributary::bench
