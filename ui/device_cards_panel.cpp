#include "ui/device_cards_panel.h"

#include "app/contributor/device_advice.h"
#include "app/local/local_network.h"
#include "ui/device_card.h"

#include <QLocale>
#include <QMessageBox>
#include <QVBoxLayout>

namespace tributary::ui {

namespace {

QString backendName(const engine::DeviceInfo &device)
{
    switch (device.backend) {
    case engine::BackendKind::Cpu: return QStringLiteral("CPU");
    case engine::BackendKind::Vulkan: return device.isSoftware ? QStringLiteral("Vulkan (software)") : QStringLiteral("Vulkan");
    case engine::BackendKind::Cuda: return QStringLiteral("CUDA");
    }
    return {};
}

// "24 GiB · CPU · exact (bit-identical to the CPU reference)"
QString detailOf(const engine::DeviceInfo &device)
{
    QStringList parts;
    if (device.memoryBytes > 0)
        parts << QLocale().formattedDataSize(qint64(device.memoryBytes), 0);
    parts << backendName(device);
    switch (device.reproducibility) {
    case engine::Reproducibility::Exact: parts << QStringLiteral("exact (results verifiable bit for bit)"); break;
    case engine::Reproducibility::Failed: parts << QStringLiteral("failed the determinism self-test"); break;
    case engine::Reproducibility::Untested: break;
    }
    return parts.join(QStringLiteral(" · "));
}

} // namespace

DeviceCardsPanel::DeviceCardsPanel(LocalNetwork &network, QWidget *parent)
    : QScrollArea(parent)
    , m_network(network)
{
    setWidgetResizable(true);
    setFrameShape(QFrame::NoFrame);
    auto *list = new QWidget(this);
    auto *layout = new QVBoxLayout(list);
    layout->setContentsMargins(0, 0, 0, 0);
    for (const engine::DeviceInfo &device : network.engine().devices()) {
        const QString id = QString::fromStdString(device.id);
        const QString name = device.name.empty() ? backendName(device) : QString::fromStdString(device.name);
        auto *card = new DeviceCard(id, QStringLiteral("%1 (%2)").arg(name, id), detailOf(device), list);
        card->setObjectName(QStringLiteral("deviceCard:%1").arg(id));
        if (!device.available) {
            const QString advice = adviceFor(device);
            card->setUnavailable(advice.isEmpty() ? QString::fromStdString(device.unavailableReason) : advice);
        } else {
            card->setDecision(QStringLiteral("off"), QStringLiteral("starting…"));
        }
        layout->addWidget(card);
        m_cards.emplace(id, card);
    }
    layout->addStretch(1);
    setWidget(list);
}

DeviceCard *DeviceCardsPanel::card(const QString &deviceId) const
{
    const auto it = m_cards.find(deviceId);
    return it == m_cards.end() ? nullptr : it->second;
}

void DeviceCardsPanel::bindToNetwork()
{
    for (const auto &[id, card] : m_cards) {
        if (card->isUnavailable())
            continue;
        SharedDevice *device = m_network.device(id);
        if (!device) {
            // Usable, but this session shares one named device only (--device).
            card->setUnavailable(QStringLiteral("Not shared in this session: Tributary was started for %1 only.")
                                     .arg(m_network.contributorDeviceId()));
            continue;
        }
        card->setPolicy(device->policy());
        card->setDecision(PolicyDecision::actionName(device->decision().action), device->decision().reason);
        if (!device->currentTaskId().isEmpty())
            card->setCurrentTask(device->currentTaskId(), device->currentJobId());
        connect(card, &DeviceCard::enabledToggled, this,
                [this](const QString &deviceId, bool enabled) { applyPolicy(deviceId, true, enabled); });
        connect(card, &DeviceCard::policyChanged, this,
                [this](const QString &deviceId) { applyPolicy(deviceId, false, false); });
    }
    connect(&m_network, &LocalNetwork::deviceDecisionChanged, this,
            [this](const QString &deviceId, const QString &action, const QString &reason) {
                if (DeviceCard *found = card(deviceId))
                    found->setDecision(action, reason);
            });
    connect(&m_network, &LocalNetwork::deviceReading, this, [this](const QString &deviceId, const DeviceReading &reading) {
        if (DeviceCard *found = card(deviceId))
            found->addSample(reading);
    });
    connect(&m_network, &LocalNetwork::deviceTaskStarted, this,
            [this](const QString &deviceId, const QString &taskId, const QString &jobId) {
                if (DeviceCard *found = card(deviceId))
                    found->setCurrentTask(taskId, jobId);
            });
    connect(&m_network, &LocalNetwork::deviceStateChanged, this,
            [this](const QString &deviceId, Contributor::State state) {
                // A task ends (computed, handed back, lost with the connection) in any state but Working.
                if (DeviceCard *found = card(deviceId); found && state != Contributor::State::Working)
                    found->clearCurrentTask();
            });
    connect(&m_network, &LocalNetwork::deviceTaskFinished, this, [this](const QString &deviceId) {
        if (DeviceCard *found = card(deviceId))
            found->clearCurrentTask();
    });
}

void DeviceCardsPanel::applyPolicy(const QString &deviceId, bool enabledOnly, bool enabled)
{
    DeviceCard *edited = card(deviceId);
    DevicePolicy policy = edited->policy();
    if (enabledOnly)
        policy.enabled = enabled;
    QString error;
    if (!m_network.setDevicePolicy(deviceId, policy, &error))
        QMessageBox::warning(this, QStringLiteral("Rules not saved"),
            QStringLiteral("The new rules for %1 apply now but could not be saved, so they will be lost when "
                           "Tributary restarts:\n%2")
                .arg(deviceId, error));
    edited->setPolicy(m_network.device(deviceId)->policy());
}

} // namespace tributary::ui
