#include "coordinator/verification/verifier.h"

#include "coordinator/ledger/ledger.h"
#include "coordinator/scheduling/job_lifecycle.h"
#include "coordinator/verification/spot_check.h"

namespace tributary::coordinator {

using engine::Status;

namespace {

// Beyond quorum + this many results without agreement, the task fails.
constexpr std::uint32_t kExtraResultsForDisputes = 2;


Status loadTaskAndJob(StoreTransaction &tx, const std::string &taskId, std::optional<TaskRecord> *task,
    std::optional<JobRecord> *job)
{
    if (auto status = tx.findTask(taskId, task); !status)
        return status;
    if (!*task)
        return Status::error("task " + taskId + " vanished");
    if (auto status = tx.findJobRow((*task)->jobId, job); !status)
        return status;
    if (!*job)
        return Status::error("job " + (*task)->jobId + " vanished");
    return Status::ok();
}

} // namespace

std::uint32_t quorumFor(const JobRecord &job, const TaskRecord &task)
{
    switch (job.policy) {
    case VerificationPolicy::Replicate:
        return job.replicas;
    case VerificationPolicy::SpotCheck:
        // needed is 1 until the spot check picks the task, then 2 or more.
        return task.needed >= 2 ? 2 : 1;
    case VerificationPolicy::Reference:
        return 1;
    }
    return job.replicas;
}

Verifier::Verifier(VerifierOptions options)
    : m_options(std::move(options))
{
}

Status Verifier::submit(StoreTransaction &tx, const SubmittedResult &result, std::int64_t nowMs, SubmitVerdict *verdict)
{
    *verdict = SubmitVerdict {};
    const std::string which = "task " + result.taskId + " attempt " + std::to_string(result.attempt);
    // All of the task's attempts: deciding needs the others, and ours is among them.
    std::vector<AttemptRecord> attempts;
    if (auto status = tx.taskAttempts(result.taskId, &attempts); !status)
        return status;
    std::optional<AttemptRecord> attempt;
    for (const AttemptRecord &candidate : attempts) {
        if (candidate.attempt == result.attempt)
            attempt = candidate;
    }
    if (!attempt || attempt->nodeId != result.node.id) {
        verdict->outcome = SubmitOutcome::NotHeld;
        verdict->message = which + " is not leased to node " + result.node.id;
        return Status::ok();
    }
    verdict->jobId = attempt->jobId;
    switch (attempt->state) {
    case AttemptState::Leased:
        break;
    case AttemptState::Submitted:
    case AttemptState::Accepted:
    case AttemptState::Rejected:
    case AttemptState::Failed:
        verdict->outcome = SubmitOutcome::Duplicate;
        verdict->message = which + " was already submitted";
        return Status::ok();
    case AttemptState::Expired:
        verdict->outcome = SubmitOutcome::NotHeld;
        verdict->message = which + ": the lease ran out and the task went to another node";
        return Status::ok();
    case AttemptState::Revoked:
        verdict->outcome = SubmitOutcome::NotHeld;
        verdict->message = which + " was revoked: " + attempt->message;
        return Status::ok();
    }

    std::optional<TaskRecord> task;
    std::optional<JobRecord> job;
    if (auto status = loadTaskAndJob(tx, result.taskId, &task, &job); !status)
        return status;

    if (!result.error.empty()) {
        if (auto status = failAttempt(tx, *job, *task, *attempt, AttemptState::Failed,
                "node " + result.node.id + " could not run it: " + result.error, m_options.backoff, nowMs);
            !status)
            return status;
        verdict->outcome = SubmitOutcome::Rejected;
        verdict->message = which + ": recorded the node's error; the task will be retried";
        verdict->jobEnded = isTerminal(job->state);
        return Status::ok();
    }
    if (job->policy == VerificationPolicy::Reference && result.referenceRejection
        && !result.referenceRejection->empty()) {
        if (auto status = failAttempt(tx, *job, *task, *attempt, AttemptState::Rejected, *result.referenceRejection,
                m_options.backoff, nowMs);
            !status)
            return status;
        verdict->outcome = SubmitOutcome::Rejected;
        verdict->message = *result.referenceRejection;
        verdict->jobEnded = isTerminal(job->state);
        return Status::ok();
    }

    // In exact mode identical results are identical bytes: keep one copy.
    bool duplicateBytes = false;
    for (const AttemptRecord &other : attempts) {
        if (job->mode == ExecutionMode::Exact && other.state == AttemptState::Submitted && other.hasOutput
            && other.outputSha256 == result.outputSha256)
            duplicateBytes = true;
    }
    attempt->state = AttemptState::Submitted;
    attempt->outputSha256 = result.outputSha256;
    attempt->computeMs = result.computeMs;
    attempt->submittedMs = nowMs;
    attempt->deviceId = result.deviceId.empty() ? attempt->deviceId : result.deviceId;
    attempt->progress = 1.0f;
    if (auto status = tx.updateAttempt(*attempt); !status)
        return status;
    attempt->hasOutput = false;
    if (!result.output.empty() && !duplicateBytes) {
        if (auto status = tx.storeAttemptOutput(result.taskId, result.attempt, result.output); !status)
            return status;
        attempt->hasOutput = true;
    }
    for (AttemptRecord &other : attempts) {
        if (other.attempt == attempt->attempt)
            other = *attempt;
    }
    leaseEnded(*task, *job);
    ++task->submitted;

    if (job->policy == VerificationPolicy::SpotCheck && task->needed == 1) {
        const double p = spotCheckProbability(job->spotCheckP, result.node.verifiedStreak);
        if (spotCheckDraw(task->id, attempt->attempt) < p)
            task->needed = 2;
    }
    verdict->outcome = SubmitOutcome::Accepted;
    verdict->message = which + " recorded";
    return decide(tx, *job, *task, attempts, nowMs, verdict);
}

Status Verifier::groupByAgreement(StoreTransaction &tx, const JobRecord &job, const std::vector<AttemptRecord> &results,
    std::vector<std::vector<AttemptRecord>> *groups)
{
    groups->clear();
    for (const AttemptRecord &result : results) {
        bool placed = false;
        for (auto &group : *groups) {
            bool agree = group.front().outputSha256 == result.outputSha256;
            if (!agree && job.mode == ExecutionMode::Fast && m_options.resultsAgree) {
                if (auto status = m_options.resultsAgree(tx, job, group.front(), result, &agree); !status)
                    return status;
            }
            if (agree) {
                group.push_back(result);
                placed = true;
                break;
            }
        }
        if (!placed)
            groups->push_back({ result });
    }
    return Status::ok();
}

Status Verifier::decide(StoreTransaction &tx, JobRecord &job, TaskRecord &task,
    const std::vector<AttemptRecord> &attempts, std::int64_t nowMs, SubmitVerdict *verdict)
{
    std::vector<AttemptRecord> submitted;
    for (const AttemptRecord &attempt : attempts) {
        if (attempt.state == AttemptState::Submitted)
            submitted.push_back(attempt);
    }
    std::vector<std::vector<AttemptRecord>> groups;
    if (auto status = groupByAgreement(tx, job, submitted, &groups); !status)
        return status;

    const std::uint32_t quorum = quorumFor(job, task);
    std::size_t largest = 0;
    for (std::size_t i = 1; i < groups.size(); ++i) {
        if (groups[i].size() > groups[largest].size())
            largest = i;
    }
    if (!groups.empty() && groups[largest].size() >= quorum) {
        std::vector<AttemptRecord> winners = std::move(groups[largest]);
        std::vector<std::string> losers;
        for (std::size_t i = 0; i < groups.size(); ++i) {
            if (i == largest)
                continue;
            for (AttemptRecord &loser : groups[i]) {
                loser.state = AttemptState::Rejected;
                loser.message = "outvoted: " + std::to_string(winners.size()) + " other nodes agreed on a different result";
                if (auto status = tx.updateAttempt(loser); !status)
                    return status;
                if (auto status = tx.clearAttemptOutput(loser.taskId, loser.attempt); !status)
                    return status;
                --task.submitted;
                losers.push_back(loser.nodeId);
            }
        }
        if (auto status = accept(tx, job, task, winners, attempts, quorum, nowMs, verdict); !status)
            return status;
        for (const std::string &nodeId : losers) {
            if (auto status = markDishonest(tx, nodeId,
                    "its result for task " + task.id + " disagreed with " + std::to_string(winners.size())
                        + " other nodes",
                    nowMs);
                !status)
                return status;
        }
        // Undoing a loser's unconfirmed results can re-open the job this task just
        // completed: report the job as it stands now.
        if (verdict->jobEnded && !losers.empty()) {
            std::optional<JobRecord> current;
            if (auto status = tx.findJob(job.id, &current); !status)
                return status;
            verdict->jobEnded = current && isTerminal(current->state);
        }
        return Status::ok();
    }

    // No quorum yet. If the results still to come could not make one even if they all
    // agreed with the largest group, ask for more.
    const std::uint32_t largestSize = groups.empty() ? 0 : std::uint32_t(groups[largest].size());
    const std::uint32_t outstanding = task.needed > task.submitted ? task.needed - task.submitted : 0;
    if (largestSize + outstanding < quorum) {
        task.needed += quorum - largestSize - outstanding;
        if (task.needed > quorum + kExtraResultsForDisputes) {
            task.state = TaskState::Failed;
            if (auto status = tx.updateTask(task); !status)
                return status;
            verdict->jobEnded = true;
            return endJob(tx, job, JobState::Failed,
                "task " + std::to_string(task.index) + ": no " + std::to_string(quorum) + " of "
                    + std::to_string(task.submitted) + " results agreed",
                nowMs);
        }
    }
    task.state = openTaskState(task);
    if (auto status = tx.updateTask(task); !status)
        return status;
    return tx.updateJob(job);
}

Status Verifier::accept(StoreTransaction &tx, JobRecord &job, TaskRecord &task, const std::vector<AttemptRecord> &winners,
    const std::vector<AttemptRecord> &attempts, std::uint32_t quorum, std::int64_t nowMs, SubmitVerdict *verdict)
{
    const bool confirmed = quorum >= 2 || job.policy == VerificationPolicy::Reference;
    // The result kept is a winner holding its bytes (or, for outputs uploaded as blobs,
    // the first winner: the blob holds them).
    const AttemptRecord *kept = &winners.front();
    for (const AttemptRecord &winner : winners) {
        if (winner.hasOutput) {
            kept = &winner;
            break;
        }
    }
    std::vector<Ledger::Payee> payees;
    for (const AttemptRecord &winner : winners) {
        AttemptRecord accepted = winner;
        accepted.state = AttemptState::Accepted;
        if (auto status = tx.updateAttempt(accepted); !status)
            return status;
        if (accepted.hasOutput && accepted.attempt != kept->attempt) {
            if (auto status = tx.clearAttemptOutput(accepted.taskId, accepted.attempt); !status)
                return status;
        }
        std::optional<NodeRecord> node;
        if (auto status = tx.findNode(accepted.nodeId, &node); !status)
            return status;
        if (!node)
            return Status::error("node " + accepted.nodeId + " vanished");
        payees.push_back({ accepted.attempt, node->accountId });
        if (confirmed) {
            if (auto status = tx.addVerifiedResult(node->id); !status)
                return status;
        }
    }
    if (auto status = Ledger::pay(tx, job, task, payees, nowMs); !status)
        return status;

    // Replicas still running are no longer needed.
    for (AttemptRecord attempt : attempts) {
        if (attempt.state != AttemptState::Leased)
            continue;
        attempt.state = AttemptState::Revoked;
        attempt.message = "the task was verified without this run";
        if (auto status = tx.updateAttempt(attempt); !status)
            return status;
        countDown(job.liveAttempts);
    }

    task.state = TaskState::Done;
    task.live = 0;
    task.submitted = 0;
    task.acceptedAttempt = kept->attempt;
    task.outputSha256 = kept->outputSha256;
    task.unconfirmed = !confirmed;
    task.completedMs = nowMs;
    if (auto status = tx.updateTask(task); !status)
        return status;

    ++job.tasksDone;
    if (job.state == JobState::Queued)
        job.state = JobState::Running;
    if (m_options.taskAccepted) {
        if (auto status = m_options.taskAccepted(tx, job, task, nowMs); !status)
            return status;
    }
    if (job.tasksDone < job.tasksTotal)
        return tx.updateJob(job);
    if (m_options.assemble) {
        if (auto status = m_options.assemble(tx, job); !status)
            return status;
    }
    verdict->jobEnded = true;
    return endJob(tx, job, JobState::Completed, {}, nowMs);
}

Status Verifier::undoAccepted(
    StoreTransaction &tx, const AttemptRecord &attempt, const NodeRecord &node, const std::string &why, std::int64_t nowMs)
{
    std::optional<TaskRecord> task;
    std::optional<JobRecord> job;
    if (auto status = loadTaskAndJob(tx, attempt.taskId, &task, &job); !status)
        return status;
    // Only results that nobody confirmed are in doubt.
    if (!task->unconfirmed || task->acceptedAttempt != attempt.attempt || task->state != TaskState::Done)
        return Status::ok();
    if (job->state == JobState::Failed || job->state == JobState::Cancelled)
        return Status::ok();

    AttemptRecord undone = attempt;
    undone.state = AttemptState::Rejected;
    undone.message = "undone: node " + node.id + " was caught returning wrong results (" + why + ")";
    if (auto status = tx.updateAttempt(undone); !status)
        return status;
    if (auto status = tx.clearAttemptOutput(undone.taskId, undone.attempt); !status)
        return status;
    if (auto status = Ledger::clawback(tx, *job, *task, undone.attempt, node.accountId, nowMs); !status)
        return status;

    task->needed = 2; // two other nodes must now agree
    task->submitted = 0;
    task->live = 0;
    task->acceptedAttempt = 0;
    task->outputSha256.clear();
    task->unconfirmed = false;
    task->completedMs = 0;
    task->state = openTaskState(*task);
    if (auto status = tx.updateTask(*task); !status)
        return status;

    countDown(job->tasksDone);
    if (job->state == JobState::Completed) {
        job->state = JobState::Running;
        job->finishedMs = 0;
        job->resultSha256.clear();
    }
    job->message = "re-checking results of node " + node.id + ", which was caught returning wrong results";
    return tx.updateJob(*job);
}

Status Verifier::markDishonest(StoreTransaction &tx, const std::string &nodeId, const std::string &why, std::int64_t nowMs)
{
    std::optional<NodeRecord> node;
    if (auto status = tx.findNode(nodeId, &node); !status)
        return status;
    if (!node || node->dishonestMs != 0)
        return Status::ok();
    node->dishonestMs = nowMs;
    node->verifiedStreak = 0;
    if (auto status = tx.saveNode(*node); !status)
        return status;

    std::vector<AttemptRecord> accepted;
    if (auto status = tx.nodeAttempts(nodeId, AttemptState::Accepted, nowMs - m_options.recheckWindow.count(), &accepted);
        !status)
        return status;
    for (const AttemptRecord &attempt : accepted) {
        if (auto status = undoAccepted(tx, attempt, *node, why, nowMs); !status)
            return status;
    }

    for (AttemptState open : { AttemptState::Submitted, AttemptState::Leased }) {
        std::vector<AttemptRecord> attempts;
        if (auto status = tx.nodeAttempts(nodeId, open, 0, &attempts); !status)
            return status;
        for (AttemptRecord &attempt : attempts) {
            std::optional<TaskRecord> task;
            std::optional<JobRecord> job;
            if (auto status = loadTaskAndJob(tx, attempt.taskId, &task, &job); !status)
                return status;
            attempt.state = open == AttemptState::Submitted ? AttemptState::Rejected : AttemptState::Revoked;
            attempt.message = "node " + nodeId + " was caught returning wrong results (" + why + ")";
            if (auto status = tx.updateAttempt(attempt); !status)
                return status;
            if (auto status = tx.clearAttemptOutput(attempt.taskId, attempt.attempt); !status)
                return status;
            if (open == AttemptState::Submitted) {
                countDown(task->submitted);
            } else {
                leaseEnded(*task, *job);
            }
            task->state = openTaskState(*task);
            if (auto status = tx.updateTask(*task); !status)
                return status;
            if (auto status = tx.updateJob(*job); !status)
                return status;
        }
    }
    return Status::ok();
}

} // namespace tributary::coordinator
