#pragma once

// Makes SIGINT and SIGTERM end QCoreApplication::exec() cleanly, so that a headless
// process stopped by Ctrl+C or systemd shuts its threads and database down properly.
// Call once from main(), before any other thread starts (the signals are blocked in
// every thread and received by a dedicated one).

namespace tributary {

void quitOnTerminationSignals();

} // namespace tributary
