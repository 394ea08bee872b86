#include "bench/training_step_bench.h"

#include "bench/target_row.h"
#include "bench/timing.h"

#include "engine/graph/executor.h"
#include "engine/random_fill.h"
#include "engine/training/mlp.h"
#include "engine/training/trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

namespace tributary::bench {

namespace {

using engine::training::MlpConfig;

constexpr int kCheckSteps = 3;
constexpr double kMinRunSeconds = 0.05;
constexpr int kMaxStepsPerRun = 1000;

// The model and optimiser of the Fashion-MNIST training tests; batch and SGD settings are
// the Trainer's defaults.
struct StepProblem {
    MlpConfig model;
    std::int64_t batch = 0;
    engine::SgdAttributes sgd;
    engine::Graph graph;
    engine::HostTensor x, labels;
    std::string shape; // "mlp 784-64-10 batch 100"
    double flops = 0;
};

engine::Status makeProblem(StepProblem *out)
{
    const engine::training::TrainConfig defaults;
    out->model.hidden = { 64 };
    out->batch = defaults.batchSize;
    out->sgd = defaults.sgd;
    if (engine::Status s = engine::training::buildTrainingStep(out->model, out->batch, out->sgd, &out->graph);
        !s)
        return s;
    out->x = engine::HostTensor::zeros(engine::DType::F32, { out->batch, out->model.inputs });
    engine::fillUniform(out->x.f32(), 21);
    out->labels = engine::HostTensor::zeros(engine::DType::I64, { out->batch });
    for (std::int64_t i = 0; i < out->batch; ++i)
        out->labels.i64()[std::size_t(i)] = i % out->model.classes;

    std::string widths = std::to_string(out->model.inputs);
    const auto layers = out->model.layers();
    for (std::size_t l = 0; l < layers.size(); ++l) {
        widths += '-';
        widths += std::to_string(layers[l].second);
        const double product = 2.0 * double(out->batch) * double(layers[l].first) * double(layers[l].second);
        out->flops += product * (l == 0 ? 2 : 3); // forward, dW, and dX except for the data
    }
    out->shape = "mlp " + widths + " batch " + std::to_string(out->batch);
    return engine::Status::ok();
}

// The step graph on one backend with its whole state on the device: inputs are x,
// labels, parameters…, velocities… as buildTrainingStep orders them.
class DeviceTraining {
public:
    engine::Status prepare(engine::Backend &backend, const StepProblem &problem)
    {
        m_backend = &backend;
        if (engine::Status s = engine::Executor::create(problem.graph, backend, &m_executor); !s)
            return s;
        const std::vector<engine::HostTensor> parameters = engine::training::initialParameters(problem.model);
        const std::vector<engine::HostTensor> velocities = engine::training::zerosLike(parameters);
        m_parameterCount = parameters.size();
        m_inputs.resize(2 + 2 * m_parameterCount);
        if (engine::Status s = backend.upload(problem.x, &m_inputs[0]); !s)
            return s;
        if (engine::Status s = backend.upload(problem.labels, &m_inputs[1]); !s)
            return s;
        for (std::size_t i = 0; i < m_parameterCount; ++i) {
            if (engine::Status s = backend.upload(parameters[i], &m_inputs[2 + i]); !s)
                return s;
            if (engine::Status s = backend.upload(velocities[i], &m_inputs[2 + m_parameterCount + i]); !s)
                return s;
        }
        return engine::Status::ok();
    }

    // `steps` steps, each one's parameters and velocities the next one's, then a wait.
    engine::Status runSteps(int steps)
    {
        for (int step = 0; step < steps; ++step) {
            if (engine::Status s = m_executor->runDevice(m_inputs, &m_outputs); !s)
                return s;
            std::copy(m_outputs.begin() + 1, m_outputs.end(), m_inputs.begin() + 2);
        }
        return m_backend->synchronize();
    }

    engine::Status parameterDigest(std::string *digest)
    {
        std::vector<engine::HostTensor> parameters(m_parameterCount);
        for (std::size_t i = 0; i < m_parameterCount; ++i) {
            if (engine::Status s = m_backend->download(m_inputs[2 + i], &parameters[i]); !s)
                return s;
        }
        *digest = engine::training::parameterDigest(parameters);
        return engine::Status::ok();
    }

private:
    engine::Backend *m_backend = nullptr;
    std::unique_ptr<engine::Executor> m_executor;
    std::size_t m_parameterCount = 0;
    std::vector<engine::Tensor> m_inputs;
    std::vector<engine::Tensor> m_outputs;
};

// The parameter digest after kCheckSteps steps from the initial parameters.
engine::Status digestAfterCheckSteps(
    engine::Backend &backend, const StepProblem &problem, std::string *digest)
{
    DeviceTraining training;
    if (engine::Status s = training.prepare(backend, problem); !s)
        return s;
    if (engine::Status s = training.runSteps(kCheckSteps); !s)
        return s;
    return training.parameterDigest(digest);
}

struct StepTiming {
    double secondsPerStep = 0;
    int stepsPerRun = 0;
};

engine::Status timeSteps(
    engine::Backend &backend, const StepProblem &problem, int repeat, Clock clock, StepTiming *out)
{
    DeviceTraining training;
    if (engine::Status s = training.prepare(backend, problem); !s)
        return s;
    // The first step pays for pipelines and allocations; the second, timed alone, sizes
    // the timed runs.
    if (engine::Status s = training.runSteps(1); !s)
        return s;
    const auto start = std::chrono::steady_clock::now();
    if (engine::Status s = training.runSteps(1); !s)
        return s;
    const double single = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    out->stepsPerRun
        = std::clamp(static_cast<int>(std::ceil(kMinRunSeconds / std::max(single, 1e-6))), 1, kMaxStepsPerRun);
    Timing timing;
    if (engine::Status s = timeRepeated(
            repeat, clock, [&] { return training.runSteps(out->stepsPerRun); }, &timing);
        !s)
        return s;
    out->secondsPerStep = timing.medianSeconds / out->stepsPerRun;
    return engine::Status::ok();
}

} // namespace

int runTrainingStepBenchmark(OpBenchContext &context)
{
    const EngineBenchOptions &options = context.options;
    Reporter &reporter = context.reporter;
    StepProblem problem;
    if (engine::Status s = makeProblem(&problem); !s) {
        reporter.warning("train_step: " + s.message());
        return 1;
    }

    std::string expectedDigest;
    {
        const auto checker = makeCheckerCpuBackend();
        if (engine::Status s = digestAfterCheckSteps(*checker, problem, &expectedDigest); !s) {
            reporter.warning("train_step on the CPU backend failed: " + s.message());
            return 1;
        }
    }
    std::optional<double> cpuExactSeconds; // measured when a target first needs it
    std::vector<BenchResult> reported;
    int failures = 0;

    for (BenchTarget &target : context.targets) {
        const std::string label = targetLabel(target);
        const Clock clock = clockFor(target, options);
        std::string digest;
        StepTiming timing;
        engine::Status status = digestAfterCheckSteps(*target.backend, problem, &digest);
        if (status)
            status = timeSteps(*target.backend, problem, options.repeat, clock, &timing);
        if (!status) {
            reporter.warning(label + " train_step " + problem.shape + " failed: " + status.message());
            ++failures;
            continue;
        }

        BenchResult result = resultRowFor(target, "train_step", problem.shape, clock);
        result.seconds = timing.secondsPerStep;
        result.gflops = problem.flops / timing.secondsPerStep / 1e9;
        result.stepsPerSecond = 1.0 / timing.secondsPerStep;
        if (target.peakGflops)
            result.peakPercent = 100.0 * result.gflops / *target.peakGflops;
        result.check = "bitwise";
        if (digest != expectedDigest) {
            result.correct = false;
            result.checkDetail = "parameters after " + std::to_string(kCheckSteps) + " steps: SHA-256 "
                + digest + ", the CPU backend's " + expectedDigest;
            reporter.warning(label + " train_step differs from the CPU backend: " + result.checkDetail);
            ++failures;
        }

        if (!isDefaultCpuTarget(target)) {
            if (!cpuExactSeconds) {
                StepTiming cpuTiming;
                const auto cpu = makeDefaultCpuBackend();
                if (engine::Status s = timeSteps(*cpu, problem, options.repeat, Clock::Wall, &cpuTiming); s)
                    cpuExactSeconds = cpuTiming.secondsPerStep;
                else
                    reporter.warning("train_step reference " + std::string(kCpuExactReference)
                        + " failed: " + s.message());
            }
            if (cpuExactSeconds) {
                result.reference = kCpuExactReference;
                result.referenceSeconds = *cpuExactSeconds;
                result.referenceGflops = problem.flops / *cpuExactSeconds / 1e9;
                result.ratio = result.gflops / *result.referenceGflops;
            }
        }
        reporter.result(result);
        reported.push_back(std::move(result));
    }

    reportVulkanAgainstCuda(context.targets, reported, reporter);
    return failures;
}

} // namespace tributary::bench
