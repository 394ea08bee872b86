#pragma once

// The runs the crash test records in a process it then kills, and checks afterwards:
// shared by task_history_crash_helper.cpp (which writes them) and task_history_test.cpp
// (which reads them back), so that the two cannot drift apart.

#include "app/storage/task_run.h"

namespace tributary::test {

inline TaskRun crashRun(int i)
{
    TaskRun run;
    run.taskId = QStringLiteral("crash-task-%1").arg(i);
    run.jobId = QStringLiteral("crash-job-%1").arg(i % 3);
    run.attempt = quint32(i % 2 + 1);
    run.deviceId = i % 2 ? QStringLiteral("cuda:0") : QStringLiteral("vulkan:1");
    run.startedMs = 1'700'000'000'000 + qint64(i) * 60'000;
    run.finishedMs = run.startedMs + 1'234 + i;
    run.flops = quint64(1) << 40 | quint64(i);
    run.creditUnits = 1'000'000'007LL * (i + 1);
    run.energyWh = 0.1 * i + 1.0 / 3.0;
    run.outcome = i % 4 == 0 ? TaskRun::Outcome::Verified : TaskRun::Outcome::Pending;
    run.message = QStringLiteral("run %1, \"quoted\"\nsecond line — ünïcode").arg(i);
    return run;
}

} // namespace tributary::test
