#include "ui/first_run_wizard.h"

#include "app/contributor/device_advice.h"

#include <QButtonGroup>
#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QRadioButton>
#include <QRegularExpression>
#include <QScrollArea>
#include <QSpinBox>
#include <QThread>
#include <QVBoxLayout>

namespace tributary::ui {

namespace {

// A page whose completeness, validation and set-up come from the wizard, so that each page's
// logic stays next to its widgets in FirstRunWizard instead of in five tiny classes.
class WizardPage : public QWizardPage {
public:
    using QWizardPage::QWizardPage;

    std::function<bool()> complete;
    std::function<bool()> validate;
    std::function<void()> initialize;

    void notifyCompleteChanged() { Q_EMIT completeChanged(); }

    bool isComplete() const override { return complete ? complete() : QWizardPage::isComplete(); }
    bool validatePage() override { return validate ? validate() : true; }
    void initializePage() override
    {
        if (initialize)
            initialize();
    }
};

QLabel *paragraph(const QString &text, QWidget *parent, Qt::TextFormat format = Qt::PlainText)
{
    auto *label = new QLabel(text, parent);
    label->setWordWrap(true);
    label->setTextFormat(format);
    return label;
}

QString backendDisplayName(const engine::DeviceInfo &device)
{
    switch (device.backend) {
    case engine::BackendKind::Cpu: return QStringLiteral("Processor (CPU)");
    case engine::BackendKind::Vulkan: return QStringLiteral("Vulkan");
    case engine::BackendKind::Cuda: return QStringLiteral("CUDA");
    }
    return QString::fromStdString(std::string(engine::backendName(device.backend)));
}

QString memoryText(std::uint64_t bytes)
{
    return QStringLiteral("%1 GiB").arg(double(bytes) / double(1ull << 30), 0, 'f', 1);
}

QString resultText(const DeviceBenchmark &result)
{
    if (!result.ok)
        return QStringLiteral("Could not measure: %1").arg(result.error);
    return QStringLiteral("%1 GFLOP/s").arg(result.gflops, 0, 'f', result.gflops < 10 ? 2 : 1);
}

} // namespace

FirstRunWizard::FirstRunWizard(const engine::Engine &engine, QWidget *parent)
    : QWizard(parent)
    , m_engine(engine)
    , m_benchmark([&engine](const QString &deviceId) { return benchmarkDevice(engine, deviceId); })
{
    setWindowTitle(QStringLiteral("Set up Tributary"));
    setWizardStyle(QWizard::ModernStyle);
    setOption(QWizard::NoBackButtonOnStartPage);
    setPage(WelcomePage, createWelcomePage());
    setPage(DevicesPage, createDevicesPage());
    setPage(BenchmarkPage, createBenchmarkPage());
    setPage(RulesPage, createRulesPage());
    setPage(ConnectPage, createConnectPage());
    setStartId(WelcomePage);
    resize(760, 600);
}

FirstRunWizard::~FirstRunWizard()
{
    // The thread uses this wizard's members: stop after the current device, and wait.
    if (m_benchmarkThread) {
        m_stopBenchmark.storeRelaxed(true);
        m_benchmarkThread->wait();
        delete m_benchmarkThread;
    }
}

void FirstRunWizard::setBenchmark(BenchmarkFunction benchmark)
{
    Q_ASSERT(!m_benchmarkThread);
    m_benchmark = std::move(benchmark);
}

// --- 1 Welcome

QWizardPage *FirstRunWizard::createWelcomePage()
{
    auto *page = new WizardPage(this);
    page->setTitle(QStringLiteral("Welcome to Tributary"));
    page->setSubTitle(QStringLiteral("Lend this computer's spare computing power to a volunteer network."));
    auto *layout = new QVBoxLayout(page);
    layout->setSpacing(10);
    layout->addWidget(paragraph(
        QStringLiteral("Tributary lends your computer's graphics cards (GPUs) and processor to a volunteer "
                       "compute network, as BOINC and Folding@home do. The network sends small pieces of "
                       "work, mostly matrix arithmetic; this computer computes them when your rules allow, "
                       "and the results go back to be checked."),
        page));
    auto *shared = paragraph(
        QStringLiteral("<b>What is shared</b><ul style=\"margin-top:2px\">"
                       "<li>Computing time on the devices you choose (GPU or processor), within your rules.</li>"
                       "<li>The names and speeds of those devices, so the network knows what to send.</li>"
                       "<li>The results of the work this computer does.</li></ul>"),
        page, Qt::RichText);
    shared->setObjectName(QStringLiteral("sharedLabel"));
    layout->addWidget(shared);
    auto *notShared = paragraph(
        QStringLiteral("<b>What is never shared</b><ul style=\"margin-top:2px\">"
                       "<li>Your files, documents and photos.</li>"
                       "<li>Your other programs, what you browse or type, your microphone and camera.</li>"
                       "<li>The network cannot run programs here: work runs only in Tributary's own "
                       "computing kernels, on data the network sends.</li></ul>"),
        page, Qt::RichText);
    notShared->setObjectName(QStringLiteral("notSharedLabel"));
    layout->addWidget(notShared);
    auto *stopping = paragraph(
        QStringLiteral("<b>Stopping</b><br>Click <i>Pause sharing</i> in Tributary's window, or quit "
                       "Tributary, at any time: computing stops within seconds. Everything you choose here "
                       "can be changed later."),
        page, Qt::RichText);
    stopping->setObjectName(QStringLiteral("stoppingLabel"));
    layout->addWidget(stopping);
    layout->addStretch(1);
    return page;
}

// --- 2 Devices

QWizardPage *FirstRunWizard::createDevicesPage()
{
    auto *page = new WizardPage(this);
    page->setTitle(QStringLiteral("Devices"));
    page->setSubTitle(QStringLiteral("Choose the devices Tributary may lend. Devices you leave unticked are never used."));
    auto *pageLayout = new QVBoxLayout(page);

    // A machine may have many GPUs: the list scrolls rather than growing the wizard.
    auto *scroll = new QScrollArea(page);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    auto *list = new QWidget(scroll);
    auto *layout = new QVBoxLayout(list);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4);
    const engine::DeviceInfo *best = m_engine.bestDevice();
    for (const engine::DeviceInfo &device : m_engine.devices()) {
        const QString id = QString::fromStdString(device.id);
        auto *check = new QCheckBox(deviceTitle(id), list);
        check->setObjectName(QStringLiteral("deviceCheck:%1").arg(id));
        QStringList facts{backendDisplayName(device)};
        if (device.memoryBytes > 0)
            facts << (device.backend == engine::BackendKind::Cpu ? memoryText(device.memoryBytes) + QStringLiteral(" RAM")
                                                                : memoryText(device.memoryBytes));
        if (device.computeUnits > 0 && device.backend == engine::BackendKind::Cpu)
            facts << QStringLiteral("%1 threads").arg(device.computeUnits);
        if (device.isSoftware)
            facts << QStringLiteral("a software GPU that runs on the processor");
        QString note = facts.join(QStringLiteral(" · "));
        if (device.available) {
            check->setChecked(best && best->id == device.id);
            if (best && best->id == device.id)
                note += QStringLiteral(" · recommended");
            if (device.reproducibility == engine::Reproducibility::Exact)
                note += QStringLiteral(" · results match the reference bit for bit");
            connect(check, &QCheckBox::toggled, page, &WizardPage::notifyCompleteChanged);
        } else {
            // Listed, so the user learns why the GPU they paid for is missing and what to do.
            check->setEnabled(false);
            note = QStringLiteral("Cannot be used: %1.").arg(QString::fromStdString(device.unavailableReason));
            const QString advice = adviceFor(device);
            if (!advice.isEmpty())
                note += QLatin1Char(' ') + advice;
        }
        auto *noteLabel = paragraph(note, list);
        noteLabel->setObjectName(QStringLiteral("deviceNote:%1").arg(id));
        noteLabel->setContentsMargins(26, 0, 0, 6);
        noteLabel->setEnabled(device.available); // greyed out with its checkbox
        layout->addWidget(check);
        layout->addWidget(noteLabel);
        m_deviceChecks.insert(id, check);
        m_deviceNotes.insert(id, noteLabel);
    }
    layout->addStretch(1);
    scroll->setWidget(list);
    pageLayout->addWidget(scroll, 1);

    m_noDeviceHint = paragraph(QStringLiteral("Tick at least one device to continue."), page);
    m_noDeviceHint->setObjectName(QStringLiteral("noDeviceHint"));
    pageLayout->addWidget(m_noDeviceHint);
    page->complete = [this] { return !tickedDeviceIds().isEmpty(); };
    const auto showHint = [this] { m_noDeviceHint->setVisible(tickedDeviceIds().isEmpty()); };
    for (QCheckBox *check : std::as_const(m_deviceChecks))
        connect(check, &QCheckBox::toggled, page, showHint);
    showHint();
    return page;
}

QString FirstRunWizard::deviceTitle(const QString &deviceId) const
{
    const engine::DeviceInfo *device = m_engine.findDevice(deviceId.toStdString());
    if (!device || device->name.empty())
        return device ? backendDisplayName(*device) : deviceId;
    return QString::fromStdString(device->name);
}

QStringList FirstRunWizard::tickedDeviceIds() const
{
    QStringList ids;
    for (const engine::DeviceInfo &device : m_engine.devices()) {
        const QString id = QString::fromStdString(device.id);
        if (device.available && m_deviceChecks.value(id) && m_deviceChecks.value(id)->isChecked())
            ids << id;
    }
    return ids;
}

// --- 3 Benchmark

QWizardPage *FirstRunWizard::createBenchmarkPage()
{
    auto *page = new WizardPage(this);
    page->setTitle(QStringLiteral("Benchmark"));
    page->setSubTitle(QStringLiteral("Optional: measure how fast each ticked device is. You can skip this."));
    auto *layout = new QVBoxLayout(page);
    layout->addWidget(paragraph(
        QStringLiteral("The benchmark multiplies 512×512 matrices on each ticked device for about a second, "
                       "with the kernels the network's work uses. The device is busy meanwhile; nothing "
                       "leaves this computer."),
        page));

    auto *row = new QHBoxLayout;
    m_benchmarkButton = new QPushButton(QStringLiteral("Run benchmark"), page);
    m_benchmarkButton->setObjectName(QStringLiteral("runBenchmarkButton"));
    connect(m_benchmarkButton, &QPushButton::clicked, this, &FirstRunWizard::runBenchmark);
    row->addWidget(m_benchmarkButton);
    m_benchmarkProgress = new QProgressBar(page);
    m_benchmarkProgress->setObjectName(QStringLiteral("benchmarkProgress"));
    m_benchmarkProgress->setFormat(QStringLiteral("%v of %m devices"));
    row->addWidget(m_benchmarkProgress, 1);
    layout->addLayout(row);

    m_benchmarkStatus = paragraph(QStringLiteral("Not run yet."), page);
    m_benchmarkStatus->setObjectName(QStringLiteral("benchmarkStatus"));
    layout->addWidget(m_benchmarkStatus);

    auto *box = new QGroupBox(QStringLiteral("Results"), page);
    m_resultsGrid = new QGridLayout(box);
    m_resultsGrid->setColumnStretch(1, 1);
    m_resultsGrid->setHorizontalSpacing(24);
    layout->addWidget(box);
    layout->addStretch(1);

    page->initialize = [this] { showBenchmarkRows(); };
    return page;
}

void FirstRunWizard::showBenchmarkRows()
{
    while (QLayoutItem *item = m_resultsGrid->takeAt(0)) {
        delete item->widget();
        delete item;
    }
    m_resultLabels.clear();
    const QStringList ids = tickedDeviceIds();
    int measured = 0;
    for (int row = 0; row < ids.size(); ++row) {
        const QString &id = ids[row];
        auto *name = new QLabel(deviceTitle(id), m_resultsGrid->parentWidget());
        auto *result = paragraph(QStringLiteral("Not measured"), m_resultsGrid->parentWidget());
        result->setObjectName(QStringLiteral("benchmarkResult:%1").arg(id));
        if (m_results.contains(id)) {
            result->setText(resultText(m_results.value(id)));
            ++measured;
        }
        m_resultsGrid->addWidget(name, row, 0, Qt::AlignTop);
        m_resultsGrid->addWidget(result, row, 1);
        m_resultLabels.insert(id, result);
    }
    if (!m_benchmarkThread) {
        m_benchmarkProgress->setRange(0, int(ids.size()));
        m_benchmarkProgress->setValue(measured);
    }
}

void FirstRunWizard::runBenchmark()
{
    if (m_benchmarkThread)
        return;
    const QStringList ids = tickedDeviceIds();
    if (ids.isEmpty())
        return;
    if (m_resultLabels.isEmpty())
        showBenchmarkRows();
    m_benchmarkButton->setEnabled(false);
    m_benchmarkProgress->setRange(0, int(ids.size()));
    m_benchmarkProgress->setValue(0);
    m_stopBenchmark.storeRelaxed(false);

    // The benchmark blocks for seconds per device: it runs on a thread of its own and
    // hands each result to the GUI thread, which never waits for it.
    const BenchmarkFunction benchmark = m_benchmark;
    m_benchmarkThread = QThread::create([this, ids, benchmark] {
        for (const QString &id : ids) {
            if (m_stopBenchmark.loadRelaxed())
                return;
            QMetaObject::invokeMethod(
                this,
                [this, id] {
                    m_benchmarkStatus->setText(QStringLiteral("Measuring %1…").arg(deviceTitle(id)));
                    if (QLabel *label = m_resultLabels.value(id))
                        label->setText(QStringLiteral("Measuring…"));
                },
                Qt::QueuedConnection);
            const DeviceBenchmark result = benchmark(id);
            QMetaObject::invokeMethod(
                this, [this, id, result] { showBenchmarkResult(id, result); }, Qt::QueuedConnection);
        }
    });
    m_benchmarkThread->setObjectName(QStringLiteral("tributary-benchmark"));
    // Queued: `finished` comes from the benchmark thread, after every result it posted.
    connect(m_benchmarkThread, &QThread::finished, this, &FirstRunWizard::finishBenchmark, Qt::QueuedConnection);
    m_benchmarkThread->start();
}

void FirstRunWizard::showBenchmarkResult(const QString &deviceId, const DeviceBenchmark &result)
{
    m_results.insert(deviceId, result);
    if (QLabel *label = m_resultLabels.value(deviceId))
        label->setText(resultText(result));
    m_benchmarkProgress->setValue(m_benchmarkProgress->value() + 1);
}

void FirstRunWizard::finishBenchmark()
{
    m_benchmarkThread->deleteLater();
    m_benchmarkThread = nullptr;
    m_benchmarkButton->setEnabled(true);
    m_benchmarkButton->setText(QStringLiteral("Run again"));
    m_benchmarkStatus->setText(QStringLiteral("Done. Faster devices get more work; any device helps."));
    Q_EMIT benchmarkFinished();
}

// --- 4 Rules

QWizardPage *FirstRunWizard::createRulesPage()
{
    auto *page = new WizardPage(this);
    page->setTitle(QStringLiteral("Rules"));
    page->setSubTitle(QStringLiteral("Decide when the ticked devices may work. You can change this per device later."));
    auto *layout = new QVBoxLayout(page);

    auto *whenBox = new QGroupBox(QStringLiteral("When to run"), page);
    auto *whenLayout = new QVBoxLayout(whenBox);
    m_runAlways = new QRadioButton(QStringLiteral("Always, unless something below pauses it"), whenBox);
    m_runAlways->setObjectName(QStringLiteral("runAlways"));
    m_runWhenIdle = new QRadioButton(
        QStringLiteral("When I am away: after 2 minutes without keyboard or mouse"), whenBox);
    m_runWhenIdle->setObjectName(QStringLiteral("runWhenIdle"));
    m_runNightsAndWeekends = new QRadioButton(
        QStringLiteral("Nights and weekends: every night 22:00–07:00, and all of Saturday and Sunday"), whenBox);
    m_runNightsAndWeekends->setObjectName(QStringLiteral("runNightsAndWeekends"));
    m_runAlways->setChecked(true);
    auto *whenGroup = new QButtonGroup(whenBox);
    for (QRadioButton *button : {m_runAlways, m_runWhenIdle, m_runNightsAndWeekends}) {
        whenGroup->addButton(button);
        whenLayout->addWidget(button);
    }
    layout->addWidget(whenBox);

    auto *pauseBox = new QGroupBox(QStringLiteral("Pause"), page);
    auto *pauseLayout = new QVBoxLayout(pauseBox);
    m_pauseOnBattery = new QCheckBox(QStringLiteral("While this computer runs on battery"), pauseBox);
    m_pauseOnBattery->setObjectName(QStringLiteral("pauseOnBattery"));
    m_pauseOnBattery->setChecked(true);
    pauseLayout->addWidget(m_pauseOnBattery);
    m_pauseWhenGpuBusy = new QCheckBox(QStringLiteral("While games or other programs use the GPU"), pauseBox);
    m_pauseWhenGpuBusy->setObjectName(QStringLiteral("pauseWhenGpuBusy"));
    m_pauseWhenGpuBusy->setChecked(true);
    pauseLayout->addWidget(m_pauseWhenGpuBusy);
    layout->addWidget(pauseBox);

    auto *heatBox = new QGroupBox(QStringLiteral("Temperature"), page);
    auto *heatLayout = new QHBoxLayout(heatBox);
    m_temperatureCheck = new QCheckBox(QStringLiteral("When a device is hotter than"), heatBox);
    m_temperatureCheck->setObjectName(QStringLiteral("temperatureLimit"));
    m_temperatureCheck->setChecked(true);
    heatLayout->addWidget(m_temperatureCheck);
    m_temperatureSpin = new QSpinBox(heatBox);
    m_temperatureSpin->setObjectName(QStringLiteral("temperatureLimitC"));
    m_temperatureSpin->setRange(30, 110); // DevicePolicy's limits
    m_temperatureSpin->setValue(80);
    m_temperatureSpin->setSuffix(QStringLiteral(" °C"));
    heatLayout->addWidget(m_temperatureSpin);
    m_overLimitAction = new QComboBox(heatBox);
    m_overLimitAction->setObjectName(QStringLiteral("overLimitAction"));
    m_overLimitAction->addItem(QStringLiteral("slow it down"), int(DevicePolicy::OverLimitAction::Throttle));
    m_overLimitAction->addItem(QStringLiteral("pause it"), int(DevicePolicy::OverLimitAction::Pause));
    heatLayout->addWidget(m_overLimitAction);
    heatLayout->addWidget(new QLabel(QStringLiteral("until it cools down"), heatBox));
    heatLayout->addStretch(1);
    connect(m_temperatureCheck, &QCheckBox::toggled, m_temperatureSpin, &QWidget::setEnabled);
    connect(m_temperatureCheck, &QCheckBox::toggled, m_overLimitAction, &QWidget::setEnabled);
    layout->addWidget(heatBox);

    layout->addWidget(paragraph(QStringLiteral("These rules apply to every device you ticked."), page));
    layout->addStretch(1);
    return page;
}

QRadioButton *FirstRunWizard::runWhenButton(RunWhen when) const
{
    switch (when) {
    case RunWhen::Always: return m_runAlways;
    case RunWhen::WhenIdle: return m_runWhenIdle;
    case RunWhen::NightsAndWeekends: return m_runNightsAndWeekends;
    }
    return nullptr;
}

QList<ScheduleWindow> FirstRunWizard::nightsAndWeekends()
{
    // A window whose end is before its start runs into the next morning (device_policy.h);
    // start == end is the whole day. Weeknights start Monday evening, so Sunday night's
    // run into Monday morning needs a window of its own.
    return {
        {{Qt::Monday, Qt::Tuesday, Qt::Wednesday, Qt::Thursday, Qt::Friday}, QTime(22, 0), QTime(7, 0)},
        {{Qt::Saturday, Qt::Sunday}, QTime(0, 0), QTime(0, 0)},
        {{Qt::Monday}, QTime(0, 0), QTime(7, 0)},
    };
}

// --- 5 Connect

QWizardPage *FirstRunWizard::createConnectPage()
{
    auto *page = new WizardPage(this);
    page->setTitle(QStringLiteral("Connect"));
    page->setSubTitle(QStringLiteral("Choose the network this computer works for."));
    auto *layout = new QVBoxLayout(page);

    m_localButton = new QRadioButton(
        QStringLiteral("Just this computer (a local network, nothing leaves this machine)"), page);
    m_localButton->setObjectName(QStringLiteral("useLocalNetwork"));
    m_localButton->setChecked(true);
    layout->addWidget(m_localButton);
    auto *localNote = paragraph(
        QStringLiteral("Tributary runs a small coordinator of its own here: you can send it jobs and your "
                       "devices compute them. A good way to try Tributary out."),
        page);
    localNote->setContentsMargins(26, 0, 0, 8);
    layout->addWidget(localNote);

    m_coordinatorButton = new QRadioButton(QStringLiteral("A coordinator"), page);
    m_coordinatorButton->setObjectName(QStringLiteral("useCoordinator"));
    layout->addWidget(m_coordinatorButton);
    auto *group = new QButtonGroup(page);
    group->addButton(m_localButton);
    group->addButton(m_coordinatorButton);

    auto *fields = new QWidget(page);
    fields->setObjectName(QStringLiteral("coordinatorFields"));
    auto *form = new QFormLayout(fields);
    form->setContentsMargins(26, 0, 0, 0);
    m_addressEdit = new QLineEdit(fields);
    m_addressEdit->setObjectName(QStringLiteral("coordinatorAddress"));
    m_addressEdit->setPlaceholderText(QStringLiteral("coordinator.example.org:7443"));
    form->addRow(QStringLiteral("Address:"), m_addressEdit);
    m_tokenEdit = new QLineEdit(fields);
    m_tokenEdit->setObjectName(QStringLiteral("coordinatorToken"));
    m_tokenEdit->setEchoMode(QLineEdit::Password);
    m_tokenEdit->setPlaceholderText(QStringLiteral("from the coordinator's operator"));
    form->addRow(QStringLiteral("Token:"), m_tokenEdit);
    form->addRow(paragraph(QStringLiteral("The coordinator's operator gives you both. The token is kept in "
                                          "the system keychain (GNOME Keyring, KWallet), never in a file."),
                           fields));
    layout->addWidget(fields);

    m_connectError = paragraph(QString(), page);
    m_connectError->setObjectName(QStringLiteral("connectError"));
    m_connectError->setStyleSheet(QStringLiteral("color: #b00020;"));
    m_connectError->hide();
    layout->addWidget(m_connectError);
    layout->addStretch(1);

    connect(m_coordinatorButton, &QRadioButton::toggled, this, &FirstRunWizard::showCoordinatorFields);
    // An old complaint about text the user has since changed only misleads.
    for (QLineEdit *edit : {m_addressEdit, m_tokenEdit})
        connect(edit, &QLineEdit::textEdited, m_connectError, &QWidget::hide);
    showCoordinatorFields();

    page->validate = [this] {
        const QString problem = connectProblem();
        m_connectError->setText(problem);
        m_connectError->setVisible(!problem.isEmpty());
        return problem.isEmpty();
    };
    return page;
}

void FirstRunWizard::showCoordinatorFields()
{
    const bool remote = m_coordinatorButton->isChecked();
    m_addressEdit->setEnabled(remote);
    m_tokenEdit->setEnabled(remote);
    m_connectError->hide();
    if (remote)
        m_addressEdit->setFocus();
}

QString FirstRunWizard::connectProblem() const
{
    if (m_localButton->isChecked())
        return {};
    if (const QString problem = addressProblem(m_addressEdit->text()); !problem.isEmpty())
        return problem;
    if (m_tokenEdit->text().trimmed().isEmpty())
        return QStringLiteral("Enter the token the coordinator's operator gave you: the coordinator refuses "
                              "nodes without one.");
    return {};
}

QString FirstRunWizard::addressProblem(const QString &text)
{
    static const QString example = QStringLiteral("coordinator.example.org:7443");
    const QString address = text.trimmed();
    if (address.isEmpty())
        return QStringLiteral("Enter the coordinator's address as host:port, for example %1.").arg(example);
    if (const qsizetype scheme = address.indexOf(QLatin1String("://")); scheme >= 0)
        return QStringLiteral("Leave out \"%1\": enter the address as host:port, for example %2.")
            .arg(address.left(scheme + 3), example);
    if (address.contains(QRegularExpression(QStringLiteral("\\s"))))
        return QStringLiteral("The address \"%1\" contains a space: enter it as host:port, for example %2.")
            .arg(address, example);
    if (address.contains(QLatin1Char('/')))
        return QStringLiteral("The address \"%1\" contains a path: enter only host:port, for example %2.")
            .arg(address, example);

    QString host;
    QString port;
    if (address.startsWith(QLatin1Char('['))) {
        const qsizetype close = address.indexOf(QLatin1Char(']'));
        if (close < 0)
            return QStringLiteral("The IPv6 address in \"%1\" has no closing \"]\": write it as "
                                  "[2001:db8::1]:7443.").arg(address);
        host = address.mid(1, close - 1);
        const QString rest = address.mid(close + 1);
        if (rest.isEmpty())
            return QStringLiteral("The address \"%1\" has no port: add it after a colon, for example %1:7443.")
                .arg(address);
        if (!rest.startsWith(QLatin1Char(':')))
            return QStringLiteral("In \"%1\", the \"]\" must be followed by a colon and the port, for example "
                                  "[2001:db8::1]:7443.").arg(address);
        port = rest.mid(1);
        static const QRegularExpression ipv6(QStringLiteral("^[0-9A-Fa-f:.]+$"));
        if (!host.contains(QLatin1Char(':')) || !ipv6.match(host).hasMatch())
            return QStringLiteral("\"%1\" is not an IPv6 address.").arg(host);
    } else {
        const qsizetype colon = address.lastIndexOf(QLatin1Char(':'));
        if (colon < 0)
            return QStringLiteral("The address \"%1\" has no port: add it after a colon, for example %1:7443.")
                .arg(address);
        if (address.count(QLatin1Char(':')) > 1)
            return QStringLiteral("\"%1\" looks like an IPv6 address: put it in brackets, for example "
                                  "[2001:db8::1]:7443.").arg(address);
        host = address.left(colon);
        port = address.mid(colon + 1);
        if (host.isEmpty())
            return QStringLiteral("The address \"%1\" has no host name before the port, for example %2.")
                .arg(address, example);
        // Host names (RFC 1123 labels) and IPv4 addresses, which are made of the same characters.
        static const QRegularExpression hostName(QStringLiteral(
            "^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\\.?$"));
        if (host.size() > 253 || !hostName.match(host).hasMatch())
            return QStringLiteral("\"%1\" is not a valid host name: use letters, digits, hyphens and dots, for "
                                  "example %2.").arg(host, example);
    }
    if (port.isEmpty())
        return QStringLiteral("The address \"%1\" has no port after the colon: add it, for example %2.")
            .arg(address, example);
    static const QRegularExpression digits(QStringLiteral("^[0-9]+$"));
    if (!digits.match(port).hasMatch())
        return QStringLiteral("\"%1\" is not a port number: the port must be a number from 1 to 65535.").arg(port);
    bool fits = false;
    const int value = port.size() <= 5 ? port.toInt(&fits) : 0;
    if (!fits || value < 1 || value > 65535)
        return QStringLiteral("Port %1 is out of range: it must be from 1 to 65535.").arg(port);
    return {};
}

// --- What the user chose

FirstRunChoices FirstRunWizard::choices() const
{
    DevicePolicy rules;
    if (m_runWhenIdle->isChecked()) {
        rules.when = DevicePolicy::When::WhenIdle;
    } else if (m_runNightsAndWeekends->isChecked()) {
        rules.when = DevicePolicy::When::Schedule;
        rules.schedule = nightsAndWeekends();
    } else {
        rules.when = DevicePolicy::When::Always;
    }
    rules.pauseOnBattery = m_pauseOnBattery->isChecked();
    rules.pauseWhenGpuBusy = m_pauseWhenGpuBusy->isChecked();
    if (m_temperatureCheck->isChecked()) {
        rules.temperatureLimitC = m_temperatureSpin->value();
        rules.overLimitAction = DevicePolicy::OverLimitAction(m_overLimitAction->currentData().toInt());
    }

    FirstRunChoices choices;
    const QStringList ticked = tickedDeviceIds();
    for (const engine::DeviceInfo &device : m_engine.devices()) {
        if (!device.available)
            continue;
        const QString id = QString::fromStdString(device.id);
        DevicePolicy policy = rules;
        policy.enabled = ticked.contains(id);
        choices.policies.insert(id, policy);
    }
    choices.useLocalNetwork = m_localButton->isChecked();
    if (!choices.useLocalNetwork) {
        choices.coordinatorAddress = m_addressEdit->text().trimmed();
        choices.token = m_tokenEdit->text().trimmed();
    }
    return choices;
}

} // namespace tributary::ui
