#pragma once

// One logging category per module. Enable one with QT_LOGGING_RULES, e.g.
//   QT_LOGGING_RULES="tributary.net.debug=true" tributary

#include "engine/log.h"

#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcApp)         // tributary.app: start-up, entry points
Q_DECLARE_LOGGING_CATEGORY(lcNet)         // tributary.net: the gRPC client
Q_DECLARE_LOGGING_CATEGORY(lcContributor) // tributary.contributor: the contributor runtime
Q_DECLARE_LOGGING_CATEGORY(lcEngine)      // tributary.engine: messages from the engine
Q_DECLARE_LOGGING_CATEGORY(lcCoordinator) // tributary.coordinator: the embedded coordinator

namespace tributary {

// A callback for the engine or the coordinator (which have no Qt) that writes into
// a Qt logging category.
engine::LogCallback logToCategory(const QLoggingCategory &category);

} // namespace tributary
