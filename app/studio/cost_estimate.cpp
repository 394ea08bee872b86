#include "app/studio/cost_estimate.h"

#include "coordinator/ledger/pricing.h"
#include "engine/training/mlp.h"

#include <algorithm>
#include <cmath>

namespace tributary::studio {

namespace {

namespace training = engine::training;

training::MlpConfig mlpConfig(const v1::MlpSpec &model)
{
    training::MlpConfig config;
    config.inputs = model.inputs();
    config.hidden.assign(model.hidden().begin(), model.hidden().end());
    config.classes = model.classes();
    config.seed = model.seed();
    return config;
}

// Examples a dataset holds when known without loading files; 0 otherwise.
quint64 datasetExamples(const v1::DatasetSpec &data)
{
    quint64 examples = 0;
    if (data.source_case() == v1::DatasetSpec::kBuiltin)
        examples = data.builtin() == "fashion-mnist-test" ? 10000 : data.builtin() == "fashion-mnist" ? 60000 : 0;
    else if (data.source_case() == v1::DatasetSpec::kTensors)
        examples = data.tensors().examples();
    return data.limit() > 0 ? std::min<quint64>(examples, data.limit()) : examples;
}

void trainEstimate(const v1::TrainJobSpec &spec, StageEstimate *out)
{
    const training::MlpConfig model = mlpConfig(spec.model());
    const quint64 workers = std::max<quint32>(spec.workers(), 1);
    const quint64 localSteps = std::max<quint32>(spec.local_steps(), 1);
    const quint64 steps = std::max<quint32>(spec.steps(), 1);
    const quint64 runs = std::max<int>(spec.runs_size(), 1);
    out->rounds = (steps + localSteps - 1) / localSteps;
    out->tasks = runs * workers * out->rounds;
    out->parallelTasks = runs * workers;
    out->complete = spec.model().inputs() > 0;
    if (!out->complete)
        return;
    const quint64 lastRoundSteps = steps - (out->rounds - 1) * localSteps;
    qint64 oneRunUnits = 0;
    for (int r = 0; r < spec.runs_size(); ++r) {
        const quint64 stepFlops = training::trainingStepFlops(model, spec.runs(r).batch_size());
        out->flops += workers * steps * stepFlops;
        oneRunUnits += qint64(workers)
            * (qint64(out->rounds - 1) * coordinator::unitsForFlops(localSteps * stepFlops)
                + coordinator::unitsForFlops(lastRoundSteps * stepFlops));
    }
    out->costUnits = oneRunUnits; // times the expected runs by the caller
    out->parameterBytes = 2 * training::parameterCount(model) * 4 * workers * out->rounds * runs;
}

void inferenceEstimate(const v1::InferenceJobSpec &spec, StageEstimate *out)
{
    const training::MlpConfig model = mlpConfig(spec.model());
    const quint64 examples = datasetExamples(spec.data());
    const quint64 shards = std::max<quint32>(spec.shards(), 1);
    out->rounds = 1;
    out->tasks = shards;
    out->parallelTasks = shards;
    out->complete = spec.model().inputs() > 0 && examples > 0;
    if (!out->complete)
        return;
    out->flops = training::forwardFlops(model, qint64(examples));
    const quint64 perShard = (examples + shards - 1) / shards;
    qint64 units = 0;
    for (quint64 first = 0; first < examples; first += perShard)
        units += coordinator::unitsForFlops(training::forwardFlops(model, qint64(std::min(perShard, examples - first))));
    out->costUnits = units;
}

} // namespace

double expectedRunsPerTask(const v1::Verification &verification)
{
    switch (verification.policy_case()) {
    case v1::Verification::kReplicate:
        return verification.replicate().k();
    case v1::Verification::kSpotCheck:
        return 1.0 + verification.spot_check().p();
    case v1::Verification::kReference:
        return 1;
    case v1::Verification::POLICY_NOT_SET:
        break;
    }
    return 2; // the coordinator's default, replicate(2)
}

StageEstimate estimateStage(const v1::JobSpec &spec, const EstimateOptions &options)
{
    StageEstimate estimate;
    estimate.expectedRuns = expectedRunsPerTask(spec.verification());
    if (spec.kind_case() == v1::JobSpec::kTrain)
        trainEstimate(spec.train(), &estimate);
    else if (spec.kind_case() == v1::JobSpec::kInference)
        inferenceEstimate(spec.inference(), &estimate);
    else
        estimate.complete = false;
    // As the coordinator holds it: one run of every task, times the expected runs, rounded up.
    estimate.costUnits = qint64(std::ceil(double(estimate.costUnits) * estimate.expectedRuns));
    estimate.credits = double(estimate.costUnits) / double(coordinator::kUnitsPerCredit);
    const double lanes = double(std::max<quint64>(1, std::min<quint64>(estimate.parallelTasks, quint64(std::max(options.devices, 1)))));
    const double rate = options.deviceFlopsPerSecond > 0 ? options.deviceFlopsPerSecond : 1.0;
    estimate.seconds = double(estimate.flops) * estimate.expectedRuns / rate / lanes
        + double(estimate.rounds) * options.roundLatencySeconds;
    return estimate;
}

CostEstimate estimateCost(const CompiledJob &job, const EstimateOptions &options)
{
    CostEstimate total;
    for (const CompiledStage &stage : job.stages) {
        const StageEstimate estimate = estimateStage(stage.spec, options);
        total.stages.append(estimate);
        total.flops += estimate.flops;
        total.costUnits += estimate.costUnits;
        total.seconds += estimate.seconds;
        total.parameterBytes += estimate.parameterBytes;
        total.complete = total.complete && estimate.complete;
    }
    total.credits = double(total.costUnits) / double(coordinator::kUnitsPerCredit);
    return total;
}

} // namespace tributary::studio
