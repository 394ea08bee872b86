#pragma once

// First start and every start after it, before the local network starts:
//
// - On the first start (or until the user finishes it), the first-run wizard: its device
//   rules are written to the network's policies file, the chosen network to
//   ConnectionSettings, and a coordinator's token to the OS keychain.
// - When a coordinator was chosen, its token is read back from the keychain and the
//   network is pointed at it. If the keychain cannot give it, the user is told why and
//   this session uses the local network instead; nothing is forgotten.
//
// Blocks in a local event loop while the keychain answers (it is asynchronous).

#include <QString>

class QWidget;

namespace tributary {
class ConnectionSettings;
class LocalNetwork;
}

namespace tributary::ui {

// Returns a note for the user about what happened ("joined coordinator.example:7443"), or
// an empty string when nothing needs saying.
QString prepareNetwork(LocalNetwork &network, ConnectionSettings &settings, QWidget *parent);

} // namespace tributary::ui
