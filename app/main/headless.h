#pragma once

// `tributary --headless`: the local network of `./dev run` in a terminal, for servers.
// Starts the embedded coordinator and a contributor, runs the sample job, prints its
// progress and the verified result, and returns the process exit code (0 on success).

#include <QString>

namespace tributary {

struct HeadlessOptions {
    QString databasePath; // empty: the app's default
    QString deviceId;     // empty: the best device
};

// Needs a running QCoreApplication; runs its event loop until the job ends.
int runHeadless(const HeadlessOptions &options);

} // namespace tributary
