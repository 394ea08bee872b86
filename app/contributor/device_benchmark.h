#pragma once

// A short benchmark of one device: how fast it multiplies matrices in exact mode, the
// kind of work the network sends. The first-run wizard shows it per device so a user sees
// what each device is worth before lending it, and the result tells a coordinator how
// much work to hand the device.
//
//   DeviceBenchmark result = benchmarkDevice(engine, QStringLiteral("cpu:0"));
//   if (result.ok)
//       label->setText(QStringLiteral("%1 GFLOP/s").arg(result.gflops, 0, 'f', 1));
//   else
//       label->setText(result.error);   // e.g. "unknown device \"cuda:7\""
//
// It opens the device, uploads two random size×size matrices once, runs one GEMM to warm
// up (kernel compilation, caches, clocks), then as many more as fit in about half a second
// (at most about two seconds on a slow device), and reports 2·size³ floating-point
// operations per GEMM over the time they took, transfers not included.
//
// It blocks the calling thread for up to about two seconds (longer only when a single
// GEMM takes longer): call it off the GUI thread. `engine` is only read, so several
// devices may be benchmarked from different threads.

#include "engine/engine.h"

#include <QString>
#include <QtGlobal>

namespace tributary {

struct DeviceBenchmark {
    bool ok = false;
    double gflops = 0; // GFLOP/s over the timed GEMMs
    qint64 elapsedMs = 0; // wall time of the whole benchmark, opening the device included
    QString error; // when !ok: why, in the engine's words
};

DeviceBenchmark benchmarkDevice(const engine::Engine &engine, const QString &deviceId, int size = 512);

} // namespace tributary
