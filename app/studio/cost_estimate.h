#pragma once

// CostEstimate: what a compiled job will cost and take, before it is submitted, so that a
// researcher can weigh a design (more workers, a longer H, a bigger sweep) in the editor.
//
//   const CostEstimate estimate = estimateCost(compiled, EstimateOptions{1e12, 8, 2.0});
//   estimate.credits, estimate.seconds, estimate.parameterBytes, estimate.stages[i]…
//
// Per stage:
//   flops            counted work of one run of every task (the coordinator's unit):
//                    train: Σ over runs of workers × steps × trainingStepFlops(model, batch);
//                    inference: forwardFlops(model, examples).
//   expectedRuns     runs per task the stage's verification implies: replicate(k) k, unset 2,
//                    spot_check(p) 1 + p, reference 1.
//   costUnits        the coordinator's pricing (coordinator/ledger/pricing.h): Σ over tasks of
//                    unitsForFlops(task's FLOPs), times expectedRuns, rounded up. Exact for
//                    training (tasks are worker rounds, the last round shorter); for inference
//                    an approximation, the examples cut into equal shards.
//   credits          costUnits / kUnitsPerCredit.
//   seconds          flops × expectedRuns / deviceFlopsPerSecond / min(parallel tasks, devices)
//                    + rounds × roundLatencySeconds; parallel tasks are runs × workers per
//                    round (training) or the shards (inference, one round).
//   parameterBytes   parameter traffic of training: 2 (down and up) × parameters × 4 bytes ×
//                    workers × rounds × runs. H (local_steps) divides the rounds, and with them
//                    the traffic: this is why low-communication training works.
// The totals add the stages up (time too: stages are counted one after another).
//
// A stage whose size is not known before its files are loaded (MlpSpec.inputs 0, or an
// empty tensors dataset) is marked incomplete and counts 0; the launcher fills the spec in
// once loaded and estimates again.

#include "app/studio/job_compiler.h"

#include "tributary/v1/job.pb.h"

#include <QList>
#include <QString>

namespace tributary::studio {

struct EstimateOptions {
    double deviceFlopsPerSecond = 1e12; // one device's sustained rate
    int devices = 1; // devices the network gives the job at once
    double roundLatencySeconds = 2.0; // per round: leasing, transfers, the coordinator's outer step
};

struct StageEstimate {
    quint64 tasks = 0;
    quint64 rounds = 0;
    quint64 parallelTasks = 0;
    quint64 flops = 0;
    double expectedRuns = 2;
    qint64 costUnits = 0;
    double credits = 0;
    double seconds = 0;
    quint64 parameterBytes = 0;
    bool complete = true; // false: sized once the launcher has loaded the files
};

struct CostEstimate {
    QList<StageEstimate> stages; // as CompiledJob::stages
    quint64 flops = 0;
    qint64 costUnits = 0;
    double credits = 0;
    double seconds = 0;
    quint64 parameterBytes = 0;
    bool complete = true;
};

double expectedRunsPerTask(const v1::Verification &verification);
StageEstimate estimateStage(const v1::JobSpec &spec, const EstimateOptions &options);
CostEstimate estimateCost(const CompiledJob &job, const EstimateOptions &options);

} // namespace tributary::studio
