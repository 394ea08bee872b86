#pragma once

// TaskRun: one task this machine ran, as the contributor's local task history keeps it
// (see TaskHistory). A task that is leased again after a failure is a new run with the
// next attempt number, so (taskId, attempt) identifies a run.
//
// Money is kept in integers: creditUnits counts billionths of a credit
// (kCreditUnitsPerCredit), so that sums over a year of tasks are exact.

#include <QString>
#include <QStringView>

#include <optional>

namespace tributary {

// 1 credit = 1e9 credit units.
inline constexpr qint64 kCreditUnitsPerCredit = 1'000'000'000;

struct TaskRun {
    // What became of the run. Starts at 1 so that a zeroed value is not silently valid.
    enum class Outcome {
        Pending = 1, // submitted, waiting for the coordinator to verify it
        Verified, // verified: the credits are earned
        Rejected, // verification failed: no credits
        Failed, // the run itself failed (device error, bad input): nothing submitted
        HandedBack, // stopped before the end and returned to the coordinator
    };

    QString taskId;
    QString jobId;
    quint32 attempt = 0;
    QString deviceId; // engine device id, e.g. "cuda:0"
    qint64 startedMs = 0; // milliseconds since the epoch
    qint64 finishedMs = 0; // milliseconds since the epoch; never before startedMs
    quint64 flops = 0; // floating-point operations the task performed (at most 2^63 - 1)
    qint64 creditUnits = 0; // expected payment, in credit units
    double energyWh = 0; // measured power integrated over the run; 0 when unknown
    Outcome outcome = Outcome::Pending;
    QString message; // why it failed or was rejected; free text

    friend bool operator==(const TaskRun &, const TaskRun &) = default;
};

// The outcome's stable lower-case name, as stored in the database and written to CSV.
inline QString taskOutcomeName(TaskRun::Outcome outcome)
{
    switch (outcome) {
    case TaskRun::Outcome::Pending:
        return QStringLiteral("pending");
    case TaskRun::Outcome::Verified:
        return QStringLiteral("verified");
    case TaskRun::Outcome::Rejected:
        return QStringLiteral("rejected");
    case TaskRun::Outcome::Failed:
        return QStringLiteral("failed");
    case TaskRun::Outcome::HandedBack:
        return QStringLiteral("handed-back");
    }
    return {};
}

// The outcome named `name` (taskOutcomeName's inverse); nullopt for anything else.
inline std::optional<TaskRun::Outcome> taskOutcomeFromName(QStringView name)
{
    for (auto outcome : { TaskRun::Outcome::Pending, TaskRun::Outcome::Verified, TaskRun::Outcome::Rejected,
             TaskRun::Outcome::Failed, TaskRun::Outcome::HandedBack }) {
        if (name == taskOutcomeName(outcome))
            return outcome;
    }
    return std::nullopt;
}

} // namespace tributary
