#include "coordinator/jobs/train_kind.h"

#include "coordinator/jobs/mlp_evaluation.h"
#include "coordinator/jobs/train_datasets.h"
#include "coordinator/jobs/train_layout.h"
#include "coordinator/jobs/train_round.h"
#include "engine/sha256.h"
#include "engine/training/outer_optimizer.h"
#include "engine/training/train_steps.h"

#include <cmath>
#include <cstring>

namespace tributary::coordinator {

using engine::Status;
namespace training = engine::training;

namespace {

std::string sha256Of(std::string_view bytes)
{
    return engine::sha256Hex(std::as_bytes(std::span(bytes.data(), bytes.size())));
}

Status specOf(const JobRecord &job, v1::TrainJobSpec *spec)
{
    v1::JobSpec full;
    if (!full.ParseFromString(job.spec) || !full.has_train())
        return Status::error("job " + job.id + " has no readable training spec");
    *spec = full.train();
    return Status::ok();
}

bool finitePositive(float value)
{
    return std::isfinite(value) && value > 0.0f;
}

std::uint64_t parameterBytes(const v1::TrainJobSpec &spec)
{
    return training::parameterCount(mlpConfigOf(spec.model())) * sizeof(float);
}

std::uint64_t stateBytes(const v1::TrainJobSpec &spec, std::uint32_t run)
{
    return training::optimizerStateSlots(optimizerOf(spec.runs(int(run)).optimizer())) * parameterBytes(spec);
}

Status readInput(StoreTransaction &tx, const JobRecord &job, const std::string &role, std::string *bytes)
{
    const auto found = job.inputs.find(role);
    if (found == job.inputs.end())
        return Status::error("job " + job.id + " has no input " + role);
    std::optional<std::string> blob;
    if (auto status = tx.readBlob(found->second, &blob); !status)
        return status;
    if (!blob)
        return Status::error("job " + job.id + ": blob " + found->second + " (" + role + ") is missing");
    *bytes = std::move(*blob);
    return Status::ok();
}

Status storeInput(StoreTransaction &tx, JobRecord &job, const std::string &role, std::string_view bytes)
{
    const std::string sha = sha256Of(bytes);
    if (auto status = tx.insertBlob(sha, std::as_bytes(std::span(bytes.data(), bytes.size()))); !status)
        return status;
    job.inputs[role] = sha;
    return tx.setJobInput(job.id, role, sha);
}

v1::BlobRef blobRef(const JobRecord &job, const std::string &role, std::uint64_t size)
{
    v1::BlobRef ref;
    const auto found = job.inputs.find(role);
    ref.set_sha256(found == job.inputs.end() ? std::string() : found->second);
    ref.set_size(size);
    return ref;
}

std::uint32_t shardExamples(const DatasetShape &train, std::uint32_t workers)
{
    return std::uint32_t(train.examples / workers);
}

} // namespace

Status TrainKind::validate(const v1::JobSpec &full) const
{
    const v1::TrainJobSpec &spec = full.train();
    if (full.mode() == v1::EXECUTION_MODE_FAST)
        return Status::error("spec.mode: training runs in exact mode only, so that every round is checked bit for bit");
    if (full.verification().has_spot_check())
        return Status::error("spec.verification.spot_check cannot check training: a round builds on the one before, "
                             "so its results must be confirmed before the next starts; use replicate or reference");
    DatasetShape train, test;
    if (auto status = datasetShape(spec.train(), "spec.train.train", &train); !status)
        return status;
    if (spec.has_test())
        if (auto status = datasetShape(spec.test(), "spec.train.test", &test); !status)
            return status;
    const v1::MlpSpec &model = spec.model();
    if (model.hidden_size() < 1 || model.hidden_size() > 2)
        return Status::error("spec.train.model.hidden must have one or two layers, not " + std::to_string(model.hidden_size()));
    for (int i = 0; i < model.hidden_size(); ++i)
        if (model.hidden(i) < 1 || model.hidden(i) > kMaxWidth)
            return Status::error("spec.train.model.hidden[" + std::to_string(i) + "] must be between 1 and "
                + std::to_string(kMaxWidth));
    if (model.classes() < 2 || model.classes() > kMaxClasses)
        return Status::error("spec.train.model.classes must be between 2 and " + std::to_string(kMaxClasses));
    if (model.inputs() != train.features)
        return Status::error("spec.train.model.inputs is " + std::to_string(model.inputs()) + " but the training set has "
            + std::to_string(train.features) + " features");
    if (spec.has_test() && test.features != train.features)
        return Status::error("spec.train.test has " + std::to_string(test.features) + " features, the training set "
            + std::to_string(train.features));
    if (spec.runs_size() < 1 || std::uint32_t(spec.runs_size()) > kMaxRuns)
        return Status::error("spec.train.runs must hold between 1 and " + std::to_string(kMaxRuns) + " configurations");
    if (spec.workers() < 1 || spec.workers() > kMaxWorkers)
        return Status::error("spec.train.workers must be between 1 and " + std::to_string(kMaxWorkers));
    if (spec.local_steps() < 1)
        return Status::error("spec.train.local_steps must be at least 1");
    if (spec.steps() < 1 || spec.steps() > kMaxSteps)
        return Status::error("spec.train.steps must be between 1 and " + std::to_string(kMaxSteps));
    const std::uint32_t perShard = shardExamples(train, spec.workers());
    for (int r = 0; r < spec.runs_size(); ++r) {
        const v1::TrainRunSpec &run = spec.runs(r);
        const std::string field = "spec.train.runs[" + std::to_string(r) + "]";
        const v1::OptimizerSpec &opt = run.optimizer();
        if (!v1::OptimizerSpec::Kind_IsValid(opt.kind()))
            return Status::error(field + ".optimizer.kind is not an optimizer");
        if (!finitePositive(opt.learning_rate()) || opt.learning_rate() > 10.0f)
            return Status::error(field + ".optimizer.learning_rate must be in (0, 10]");
        if (!(opt.momentum() >= 0.0f && opt.momentum() < 1.0f))
            return Status::error(field + ".optimizer.momentum must be in [0, 1)");
        if (!(opt.weight_decay() >= 0.0f && opt.weight_decay() <= 1.0f))
            return Status::error(field + ".optimizer.weight_decay must be in [0, 1]");
        if (run.batch_size() < 1 || run.batch_size() > perShard)
            return Status::error(field + ".batch_size must be between 1 and the " + std::to_string(perShard)
                + " examples of each worker's shard");
    }
    const v1::OuterOptimizerSpec &outer = spec.outer();
    if (!v1::OuterOptimizerSpec::Kind_IsValid(outer.kind()))
        return Status::error("spec.train.outer.kind is not an outer optimizer");
    if (outer.kind() == v1::OuterOptimizerSpec::KIND_NESTEROV) {
        if (!finitePositive(outer.learning_rate()) || outer.learning_rate() > 10.0f)
            return Status::error("spec.train.outer.learning_rate must be in (0, 10]");
        if (!(outer.momentum() >= 0.0f && outer.momentum() < 1.0f))
            return Status::error("spec.train.outer.momentum must be in [0, 1)");
    }
    if (TrainLayout(spec).taskCount() > kMaxTasks)
        return Status::error("spec.train: runs × workers × rounds is " + std::to_string(TrainLayout(spec).taskCount())
            + " tasks, more than " + std::to_string(kMaxTasks) + "; raise local_steps or lower steps");
    return Status::ok();
}

Status TrainKind::planTasks(
    const v1::JobSpec &full, const JobRecord &job, std::uint32_t needed, std::vector<TaskRecord> *tasks) const
{
    const v1::TrainJobSpec &spec = full.train();
    const TrainLayout layout(spec);
    const training::MlpConfig model = mlpConfigOf(spec.model());
    tasks->clear();
    tasks->reserve(std::size_t(layout.taskCount()));
    for (std::uint32_t run = 0; run < layout.runs(); ++run)
        for (std::uint32_t round = 0; round < layout.rounds(); ++round)
            for (std::uint32_t worker = 0; worker < layout.workers(); ++worker) {
                TaskRecord task;
                task.index = layout.taskIndex(run, round, worker);
                task.id = job.id + "-t" + std::to_string(task.index);
                task.jobId = job.id;
                task.state = TaskState::Queued;
                task.needed = needed;
                task.notBeforeMs = round == 0 ? 0 : kWaitingForOtherTasks;
                task.row0 = run;
                task.col0 = round;
                task.rows = worker;
                task.cols = layout.stepsIn(round);
                task.flops = task.cols * training::trainingStepFlops(model, spec.runs(int(run)).batch_size());
                tasks->push_back(std::move(task));
            }
    return Status::ok();
}

Status TrainKind::prepareInputs(
    StoreTransaction &tx, const v1::JobSpec &full, JobRecord *job, std::vector<JobInputBlob> *blobs) const
{
    const v1::TrainJobSpec &spec = full.train();
    const TrainLayout layout(spec);
    training::Dataset train;
    if (auto status = loadDataset(tx, spec.train(), "spec.train.train", &train); !status)
        return status;
    const auto checkLabels = [&](const training::Dataset &data, const std::string &field) -> Status {
        for (std::int64_t i = 0; i < data.size(); ++i) {
            const std::int64_t label = data.labels.i64()[std::size_t(i)];
            if (label < 0 || label >= std::int64_t(spec.model().classes()))
                return Status::error(field + ": example " + std::to_string(i) + " has label " + std::to_string(label)
                    + ", outside the model's " + std::to_string(spec.model().classes()) + " classes");
        }
        return Status::ok();
    };
    if (auto status = checkLabels(train, "spec.train.train"); !status)
        return status;
    const std::int64_t perShard = train.size() / layout.workers();
    for (std::uint32_t w = 0; w < layout.workers(); ++w) {
        blobs->push_back({ shardRole(w, "features"), featureBytes(train, std::int64_t(w) * perShard, perShard) });
        blobs->push_back({ shardRole(w, "labels"), labelBytes(train, std::int64_t(w) * perShard, perShard) });
    }
    if (spec.has_test()) {
        training::Dataset test;
        if (auto status = loadDataset(tx, spec.test(), "spec.train.test", &test); !status)
            return status;
        if (auto status = checkLabels(test, "spec.train.test"); !status)
            return status;
        blobs->push_back({ testRole("features"), featureBytes(test, 0, test.size()) });
        blobs->push_back({ testRole("labels"), labelBytes(test, 0, test.size()) });
    }
    const std::string initial = tensorsBytes(training::initialParameters(mlpConfigOf(spec.model())));
    for (std::uint32_t run = 0; run < layout.runs(); ++run)
        blobs->push_back({ parametersRole(run, 0), initial });
    for (const JobInputBlob &blob : *blobs)
        job->inputs[blob.role] = sha256Of(blob.bytes);
    return Status::ok();
}

Status TrainKind::fillPayload(StoreTransaction &, const JobRecord &job, const TaskRecord &task, v1::Task *out) const
{
    v1::TrainJobSpec spec;
    if (auto status = specOf(job, &spec); !status)
        return status;
    const TrainLayout layout(spec);
    const TrainTaskPlace place = TrainLayout::placeOf(task);
    const v1::TrainRunSpec &run = spec.runs(int(place.run));
    DatasetShape train;
    if (auto status = datasetShape(spec.train(), "spec.train.train", &train); !status)
        return status;
    const std::uint32_t examples = shardExamples(train, layout.workers());

    v1::TrainRoundTask *payload = out->mutable_train_round();
    *payload->mutable_model() = spec.model();
    *payload->mutable_optimizer() = run.optimizer();
    payload->set_batch_size(run.batch_size());
    payload->set_shuffle_seed(run.shuffle_seed() + place.worker); // each shard its own order
    payload->set_first_step(layout.firstStep(place.round));
    payload->set_steps(place.steps);
    *payload->mutable_parameters() = blobRef(job, parametersRole(place.run, place.round), parameterBytes(spec));
    if (layout.carriesState() && place.round > 0)
        *payload->mutable_optimizer_state() = blobRef(job, stateRole(place.run, place.round), stateBytes(spec, place.run));
    payload->set_return_state(layout.carriesState());
    v1::TensorDataset *shard = payload->mutable_shard();
    *shard->mutable_features() = blobRef(job, shardRole(place.worker, "features"),
        std::uint64_t(examples) * train.features * sizeof(float));
    *shard->mutable_labels() = blobRef(job, shardRole(place.worker, "labels"), std::uint64_t(examples) * sizeof(std::int64_t));
    shard->set_examples(examples);
    shard->set_feature_count(std::uint32_t(train.features));
    if (payload->parameters().sha256().empty())
        return Status::error("task " + task.id + " was leased before its round's parameters exist");
    return Status::ok();
}

Status TrainKind::checkOutput(const JobRecord &job, const TaskRecord &task, std::uint64_t size, std::string *rejection) const
{
    v1::TrainJobSpec spec;
    if (auto status = specOf(job, &spec); !status)
        return status;
    const TrainLayout layout(spec);
    const TrainTaskPlace place = TrainLayout::placeOf(task);
    const std::uint64_t expected
        = parameterBytes(spec) + (layout.carriesState() ? stateBytes(spec, place.run) : 0) + sizeof(float);
    rejection->clear();
    if (size != expected)
        *rejection = "a training round returns " + std::to_string(expected) + " bytes (parameters"
            + (layout.carriesState() ? ", optimizer state" : "") + " and loss), not " + std::to_string(size);
    return Status::ok();
}

Status TrainKind::verifyByReference(Store &store, JobKindContext &context, const JobRecord &job, const TaskRecord &task,
    std::string_view output, std::string_view, std::string *rejection) const
{
    v1::Task leased;
    std::string parameters, state, features, labels;
    if (auto status = store.read([&](StoreTransaction &tx) -> Status {
            if (auto filled = fillPayload(tx, job, task, &leased); !filled)
                return filled;
            const v1::TrainRoundTask &payload = leased.train_round();
            const TrainTaskPlace place = TrainLayout::placeOf(task);
            if (auto read = readInput(tx, job, parametersRole(place.run, place.round), &parameters); !read)
                return read;
            if (!payload.optimizer_state().sha256().empty())
                if (auto read = readInput(tx, job, stateRole(place.run, place.round), &state); !read)
                    return read;
            if (auto read = readInput(tx, job, shardRole(place.worker, "features"), &features); !read)
                return read;
            return readInput(tx, job, shardRole(place.worker, "labels"), &labels);
        });
        !status)
        return status;
    std::string error;
    CpuBackendPool::Handle cpu = context.cpu.acquire(&error);
    if (!cpu)
        return Status::error(error);
    std::string expected;
    if (auto status = runTrainRound(*cpu, leased.train_round(), parameters, state, features, labels, &expected); !status)
        return status;
    rejection->clear();
    if (expected != output)
        *rejection = "the round's parameters differ from the coordinator's own computation";
    return Status::ok();
}

Status TrainKind::resultsAgree(StoreTransaction &, const JobRecord &, const AttemptRecord &, const AttemptRecord &,
    bool *agree) const
{
    *agree = false; // exact mode only: equal digests or nothing
    return Status::ok();
}

Status TrainKind::taskAccepted(
    StoreTransaction &tx, JobKindContext &, JobRecord &job, const TaskRecord &task, std::int64_t) const
{
    v1::TrainJobSpec spec;
    if (auto status = specOf(job, &spec); !status)
        return status;
    const TrainLayout layout(spec);
    const TrainTaskPlace place = TrainLayout::placeOf(task);

    // Wait until every worker of this round is accepted: only the last one's acceptance
    // reads outputs and blobs.
    std::vector<TaskRecord> peers;
    for (std::uint32_t w = 0; w < layout.workers(); ++w) {
        std::optional<TaskRecord> peer;
        const std::string id = job.id + "-t" + std::to_string(layout.taskIndex(place.run, place.round, w));
        if (w == place.worker)
            peer = task;
        else if (auto status = tx.findTask(id, &peer); !status)
            return status;
        if (!peer)
            return Status::error("task " + id + " is missing");
        if (peer->state != TaskState::Done)
            return Status::ok();
        peers.push_back(std::move(*peer));
    }
    std::optional<JobRecord> withInputs; // the verifier's record has no inputs
    if (auto status = tx.findJob(job.id, &withInputs); !status || !withInputs)
        return status ? Status::error("job " + job.id + " vanished") : status;
    job.inputs = withInputs->inputs;

    const training::MlpConfig model = mlpConfigOf(spec.model());
    const std::size_t count = std::size_t(training::parameterCount(model));
    const std::size_t stateFloats = layout.carriesState() ? std::size_t(stateBytes(spec, place.run) / sizeof(float)) : 0;
    std::vector<std::vector<float>> workers(layout.workers());
    std::vector<float> state;
    double lossSum = 0;
    for (std::uint32_t w = 0; w < layout.workers(); ++w) {
        const TaskRecord *peer = &peers[w];
        std::optional<AttemptRecord> attempt;
        if (auto status = tx.findAttempt(peer->id, peer->acceptedAttempt, &attempt); !status)
            return status;
        if (!attempt)
            return Status::error("task " + peer->id + " has no accepted attempt");
        std::string output;
        if (auto status = attemptOutput(tx, *attempt, &output); !status)
            return status;
        if (output.size() != (count + stateFloats + 1) * sizeof(float))
            return Status::error("task " + peer->id + "'s output has " + std::to_string(output.size()) + " bytes");
        const auto *values = reinterpret_cast<const float *>(output.data());
        workers[w].assign(values, values + count);
        if (layout.carriesState())
            state.assign(values + count, values + count + stateFloats);
        lossSum += double(values[count + stateFloats]);
    }

    // The outer step.
    std::string globalBytes;
    if (auto status = readInput(tx, job, parametersRole(place.run, place.round), &globalBytes); !status)
        return status;
    std::vector<float> global(count), velocity;
    std::memcpy(global.data(), globalBytes.data(), count * sizeof(float));
    if (const auto found = job.inputs.find(velocityRole(place.run)); found != job.inputs.end()) {
        std::string bytes;
        if (auto status = readInput(tx, job, velocityRole(place.run), &bytes); !status)
            return status;
        velocity.resize(count);
        std::memcpy(velocity.data(), bytes.data(), count * sizeof(float));
    }
    const v1::OuterOptimizerSpec &outer = spec.outer();
    const bool nesterov = outer.kind() == v1::OuterOptimizerSpec::KIND_NESTEROV;
    const training::OuterOptimizer step(nesterov ? training::OuterRule::Nesterov : training::OuterRule::Average,
        outer.learning_rate(), outer.momentum());
    std::vector<std::span<const float>> views(workers.begin(), workers.end());
    if (auto status = step.step(views, &global, &velocity); !status)
        return status;
    const auto asView = [](const std::vector<float> &values) {
        return std::string_view(reinterpret_cast<const char *>(values.data()), values.size() * sizeof(float));
    };
    const std::uint32_t next = place.round + 1;
    if (auto status = storeInput(tx, job, parametersRole(place.run, next), asView(global)); !status)
        return status;
    if (layout.carriesState())
        if (auto status = storeInput(tx, job, stateRole(place.run, next), asView(state)); !status)
            return status;
    if (nesterov)
        if (auto status = storeInput(tx, job, velocityRole(place.run), asView(velocity)); !status)
            return status;

    TrainingMetricRecord metric;
    metric.jobId = job.id;
    metric.run = place.run;
    metric.round = next;
    metric.step = layout.firstStep(place.round) + place.steps;
    metric.trainLoss = lossSum / double(layout.workers());
    if (spec.has_test() && layout.evaluatesAfter(place.round)) {
        std::string features, labels;
        if (auto status = readInput(tx, job, testRole("features"), &features); !status)
            return status;
        if (auto status = readInput(tx, job, testRole("labels"), &labels); !status)
            return status;
        MlpEvaluation evaluation;
        if (auto status = evaluateMlp(model, global,
                std::span(reinterpret_cast<const float *>(features.data()), features.size() / sizeof(float)),
                std::span(reinterpret_cast<const std::int64_t *>(labels.data()), labels.size() / sizeof(std::int64_t)),
                &evaluation);
            !status)
            return status;
        metric.testAccuracy = evaluation.accuracy;
        metric.testLoss = evaluation.meanLoss;
        const std::string_view confusion(reinterpret_cast<const char *>(evaluation.confusion.data()),
            evaluation.confusion.size() * sizeof(std::uint32_t));
        if (auto status = storeInput(tx, job, confusionRole(place.run), confusion); !status)
            return status;
    }
    if (auto status = tx.saveMetric(metric); !status)
        return status;

    // Open the next round.
    if (next < layout.rounds()) {
        for (std::uint32_t w = 0; w < layout.workers(); ++w) {
            std::optional<TaskRecord> waiting;
            const std::string id = job.id + "-t" + std::to_string(layout.taskIndex(place.run, next, w));
            if (auto status = tx.findTask(id, &waiting); !status)
                return status;
            if (!waiting)
                return Status::error("task " + id + " is missing");
            waiting->notBeforeMs = 0;
            if (auto status = tx.updateTask(*waiting); !status)
                return status;
        }
    }
    return Status::ok();
}

Status TrainKind::assemble(StoreTransaction &tx, JobKindContext &, JobRecord &job) const
{
    v1::TrainJobSpec spec;
    if (auto status = specOf(job, &spec); !status)
        return status;
    std::optional<JobRecord> withInputs;
    if (auto status = tx.findJob(job.id, &withInputs); !status || !withInputs)
        return status ? Status::error("job " + job.id + " vanished") : status;
    job.inputs = withInputs->inputs;
    const TrainLayout layout(spec);
    // The result blob: every run's final parameters one after another.
    std::string all;
    for (std::uint32_t run = 0; run < layout.runs(); ++run) {
        std::string bytes;
        if (auto status = readInput(tx, job, parametersRole(run, layout.rounds()), &bytes); !status)
            return status;
        all += bytes;
    }
    job.resultSha256 = sha256Of(all);
    return tx.insertBlob(job.resultSha256, std::as_bytes(std::span(all.data(), all.size())));
}

Status TrainKind::result(StoreTransaction &tx, const JobRecord &stored, v1::JobResult *out) const
{
    v1::TrainJobSpec spec;
    if (auto status = specOf(stored, &spec); !status)
        return status;
    const JobRecord *job = &stored;
    const TrainLayout layout(spec);
    std::vector<TrainingMetricRecord> metrics;
    if (auto status = tx.jobMetrics(job->id, &metrics); !status)
        return status;
    for (std::uint32_t run = 0; run < layout.runs(); ++run) {
        v1::TrainRunResult *result = out->add_runs();
        result->set_label(spec.runs(int(run)).label());
        std::string parameters;
        if (auto status = readInput(tx, *job, parametersRole(run, layout.rounds()), &parameters); !status)
            return status;
        result->set_parameters_sha256(sha256Of(parameters));
        result->set_parameters(std::move(parameters));
        result->set_classes(spec.model().classes());
        result->set_test_accuracy(-1);
        result->set_test_loss(-1);
        for (const TrainingMetricRecord &metric : metrics)
            if (metric.run == run && metric.round == layout.rounds() && metric.testAccuracy >= 0) {
                result->set_test_accuracy(float(metric.testAccuracy));
                result->set_test_loss(float(metric.testLoss));
            }
        if (job->inputs.contains(confusionRole(run))) {
            std::string confusion;
            if (auto status = readInput(tx, *job, confusionRole(run), &confusion); !status)
                return status;
            const auto *cells = reinterpret_cast<const std::uint32_t *>(confusion.data());
            result->mutable_confusion()->Add(cells, cells + confusion.size() / sizeof(std::uint32_t));
        }
    }
    return Status::ok();
}

} // namespace tributary::coordinator
