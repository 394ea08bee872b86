#pragma once

// DeviceCardsPanel: the Contribute tab's list of devices, one DeviceCard each, kept in
// step with the local network: a card's switch and rules editor set the device's policy
// (applied at once and saved), and the network's decisions, tasks and once-a-second
// readings show on the card.
//
//   auto *panel = new DeviceCardsPanel(network, parent);   // a card per engine device
//   ...
//   network.start(&error);
//   panel->bindToNetwork();                                 // once the devices are shared
//
// Devices the engine cannot use get a card that says why and what to do about it.

#include <QScrollArea>

#include <map>

namespace tributary {
class LocalNetwork;
}

namespace tributary::ui {

class DeviceCard;

class DeviceCardsPanel : public QScrollArea {
    Q_OBJECT
public:
    explicit DeviceCardsPanel(LocalNetwork &network, QWidget *parent = nullptr);

    // Connects each card to its shared device; call after the network has started.
    void bindToNetwork();

    // The card of `deviceId`, or null (for tests).
    DeviceCard *card(const QString &deviceId) const;
    int cardCount() const { return int(m_cards.size()); }

private:
    void applyPolicy(const QString &deviceId, bool enabledOnly, bool enabled);

    LocalNetwork &m_network;
    std::map<QString, DeviceCard *> m_cards; // in the engine's order of ids
};

} // namespace tributary::ui
