#pragma once

// JobCompiler: turns a valid job graph into the coordinator jobs that run it, one stage
// per workload node, in dependency order, plus what the launcher must do around them
// (upload file datasets, export results).
//
//   CompileOptions options;
//   options.jobName = "fashion sweep";
//   const CompiledJob job = compileJob(graph, options);
//   if (!job.ok()) -> show job.error (lists the graph's validation errors)
//   for (const CompiledStage &stage : job.stages) -> fill in what the launcher must, then SubmitJob(stage.spec)
//
// Rules:
//   train              one run, 1 worker, local_steps = checkpointEvery, outer average.
//   sweep              one run per configuration, 1 worker, labelled "adamw lr=0.01 batch=64".
//                      grid: optimizers × learningRates × batchSizes (optimizer outermost);
//                      random: `samples` configurations, each entry drawn with splitmix64
//                      from `seed` (deterministic; a configuration may repeat). The seed
//                      also orders the examples of every run.
//   distributed-train  one run, `workers` workers, local_steps = localSteps, the outer rule.
//   batch-inference    InferenceJobSpec with `shards`; evaluate: InferenceJobSpec, 1 shard.
// Every stage carries the options' verification and mode; eval_every_rounds is 0.
//
// Datasets: Fashion-MNIST becomes DatasetSpec.builtin "fashion-mnist" (train port) or
// "fashion-mnist-test" (test port), with the node's limit. A file dataset becomes an empty
// DatasetSpec.tensors (the oneof set, the blobs not) and a DatasetUpload telling the
// launcher which node to load, which split to cut (the node's testFraction), and which
// role of which stage to fill. MlpSpec.inputs is 784 for Fashion-MNIST and 0 for files:
// the launcher sets it to the loaded feature count.
//
// An inference or evaluation whose model comes from a training node depends on that stage
// (dependsOnStage): the launcher fills InferenceJobSpec.parameters from its result (the
// best run by test accuracy). With the model straight from an mlp node, parameters are the
// initial weights (engine/training/mlp.h initialParameters). Training from another stage's
// trained model is refused: TrainJobSpec always starts from the MLP's initial weights.

#include "app/studio/job_graph.h"
#include "app/studio/port_type.h"

#include "tributary/v1/job.pb.h"

#include <QList>
#include <QString>

namespace tributary::studio {

struct CompileOptions {
    v1::Verification verification; // unset: the coordinator's default, replicate(2)
    v1::ExecutionMode mode = v1::EXECUTION_MODE_EXACT;
    QString jobName; // empty: the graph's name; stages of a multi-stage job add their node's title
};

struct CompiledStage {
    QString nodeId; // the workload node
    QString kind; // its kind: "train", "sweep", "distributed-train", "batch-inference", "evaluate"
    v1::JobSpec spec; // kind train (TrainJobSpec) or inference (InferenceJobSpec)
    int dependsOnStage = -1; // the stage whose trained model this one uses; -1: none
    QString modelNodeId; // the mlp node its model traces back to
};

struct DatasetUpload {
    int stage = -1;
    QString role; // "train" or "test" (TrainJobSpec.train/.test), "data" (InferenceJobSpec.data)
    QString datasetNodeId;
    QString split; // "train" or "test": which part of the node's examples
};

struct ExportStep {
    QString exportNodeId;
    QString format; // "csv" or "npy"
    QString path;
    int stage = -1; // the stage whose result is exported; -1 when the value is not a stage's (an mlp's initial model)
    QString sourceNodeId;
    QString port; // the source's output port: "predictions", "model", "metrics"
    PortType type = PortType::Tensor;
};

struct CompiledJob {
    QList<CompiledStage> stages; // in dependency order
    QList<DatasetUpload> uploads;
    QList<ExportStep> exports;
    QString error; // empty on success

    bool ok() const { return error.isEmpty(); }
};

CompiledJob compileJob(const JobGraph &graph, const CompileOptions &options);

// The sweep's configurations as compile() lays them out (exposed for the editor's preview).
struct SweepConfiguration {
    QString optimizer; // "sgd" or "adamw"
    double learningRate = 0;
    quint32 batchSize = 0;
};
QList<SweepConfiguration> sweepConfigurations(const GraphNode &sweep);

// "adamw lr=0.01 batch=64"
QString runLabel(const QString &optimizer, double learningRate, quint32 batchSize);

} // namespace tributary::studio
