// The first-run wizard, driven as a user would (offscreen), on the real engine's devices
// (the CPU device always exists; Vulkan and CUDA ones where the machine has them) and with
// a fake benchmark that the test holds until it lets it finish.

#include "ui/first_run_wizard.h"

#include "app/contributor/device_advice.h"

#include <QCheckBox>
#include <QComboBox>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QMutex>
#include <QProgressBar>
#include <QPushButton>
#include <QRadioButton>
#include <QSemaphore>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTest>
#include <QThread>
#include <QTimer>

#include <memory>

using namespace tributary;
using ui::FirstRunChoices;
using ui::FirstRunWizard;

namespace {

constexpr int kTimeoutMs = 5000;

// Stands in for benchmarkDevice(): records who called it from which thread, then waits
// until the test releases it, so the test sees the wizard while a device is measured.
struct FakeBenchmark {
    QSemaphore entered;
    QSemaphore release;
    QMutex mutex;
    QStringList calls;       // guarded by mutex
    QStringList threadNames; // guarded by mutex
    QString failingDevice;   // set before the run

    FirstRunWizard::BenchmarkFunction function()
    {
        return [this](const QString &deviceId) {
            int index = 0;
            {
                QMutexLocker lock(&mutex);
                index = int(calls.size());
                calls << deviceId;
                threadNames << QThread::currentThread()->objectName();
            }
            entered.release();
            // Bounded, so a broken wizard fails the test instead of hanging it.
            if (!release.tryAcquire(1, kTimeoutMs))
                return DeviceBenchmark{false, 0, 0, QStringLiteral("the test never released the benchmark")};
            if (deviceId == failingDevice)
                return DeviceBenchmark{false, 0, 3, QStringLiteral("out of device memory")};
            return DeviceBenchmark{true, 100.0 + index, 700, {}};
        };
    }
    QStringList callsSoFar()
    {
        QMutexLocker lock(&mutex);
        return calls;
    }
};

void goTo(FirstRunWizard &wizard, FirstRunWizard::PageId page)
{
    while (wizard.currentId() != page) {
        const int before = wizard.currentId();
        wizard.next();
        QVERIFY2(wizard.currentId() != before, qPrintable(QStringLiteral("stuck on page %1").arg(before)));
    }
}

// The offscreen platform warns each time QWizard resizes itself to its pages; nothing is wrong.
QtMessageHandler g_testHandler = nullptr;
void dropOffscreenSizeHintWarnings(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    if (message == QLatin1String("This plugin does not support propagateSizeHints()"))
        return;
    g_testHandler(type, context, message);
}

QString policyText(const DevicePolicy &policy)
{
    return QString::fromUtf8(QJsonDocument(policy.toJson()).toJson(QJsonDocument::Compact));
}

} // namespace

class FirstRunWizardTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void defaultsTickTheBestDeviceAndTheLocalNetwork();
    void listsUnusableDevicesGreyedWithAdvice();
    void untickingAndTickingDevices();
    void benchmarksTickedDevicesOffTheGuiThread();
    void closingDuringBenchmarkWaitsForIt();
    void rulesPresets_data();
    void rulesPresets();
    void rulesToggles();
    void connectRefusesBadInput_data();
    void connectRefusesBadInput();
    void connectAcceptsCoordinator();
    void localNetworkIgnoresCoordinatorFields();

private:
    const engine::DeviceInfo *otherUsableDevice() const;

    std::unique_ptr<engine::Engine> m_engine;
    QString m_best;
};

void FirstRunWizardTest::initTestCase()
{
    g_testHandler = qInstallMessageHandler(dropOffscreenSizeHintWarnings);
    m_engine = std::make_unique<engine::Engine>(engine::LogCallback{}, engine::SelfTest::Skip);
    QVERIFY(m_engine->bestDevice());
    m_best = QString::fromStdString(m_engine->bestDevice()->id);
}

const engine::DeviceInfo *FirstRunWizardTest::otherUsableDevice() const
{
    for (const engine::DeviceInfo &device : m_engine->devices()) {
        if (device.available && QString::fromStdString(device.id) != m_best)
            return &device;
    }
    return nullptr;
}

void FirstRunWizardTest::defaultsTickTheBestDeviceAndTheLocalNetwork()
{
    FirstRunWizard wizard(*m_engine);
    wizard.show();
    QVERIFY(QTest::qWaitForWindowExposed(&wizard));
    QCOMPARE(wizard.currentId(), int(FirstRunWizard::WelcomePage));
    // The welcome page says plainly what is shared and what is not.
    const auto *shared = wizard.findChild<QLabel *>(QStringLiteral("sharedLabel"));
    const auto *notShared = wizard.findChild<QLabel *>(QStringLiteral("notSharedLabel"));
    QVERIFY(shared && notShared);
    QVERIFY(shared->text().contains(QStringLiteral("names and speeds")));
    QVERIFY(notShared->text().contains(QStringLiteral("Your files")));
    QVERIFY(notShared->text().contains(QStringLiteral("microphone and camera")));

    const FirstRunChoices choices = wizard.choices();
    int usable = 0;
    for (const engine::DeviceInfo &device : m_engine->devices()) {
        const QString id = QString::fromStdString(device.id);
        QCOMPARE(choices.policies.contains(id), device.available);
        if (!device.available)
            continue;
        ++usable;
        QCOMPARE(wizard.deviceCheckBox(id)->isChecked(), id == m_best);
        QCOMPARE(choices.policies.value(id).enabled, id == m_best);
    }
    QCOMPARE(choices.policies.size(), usable);
    QVERIFY(choices.useLocalNetwork);
    QVERIFY(choices.coordinatorAddress.isEmpty());
    QVERIFY(choices.token.isEmpty());
    QVERIFY(wizard.localNetworkButton()->isChecked());
    QVERIFY(!wizard.addressEdit()->isEnabled());
    QCOMPARE(wizard.tokenEdit()->echoMode(), QLineEdit::Password);

    // The default rules, the same for every ticked device.
    const DevicePolicy policy = choices.policies.value(m_best);
    QCOMPARE(policy.when, DevicePolicy::When::Always);
    QVERIFY(policy.pauseOnBattery);
    QVERIFY(policy.pauseWhenGpuBusy);
    QCOMPARE(policy.temperatureLimitC, std::optional<double>(80));
    QCOMPARE(policy.overLimitAction, DevicePolicy::OverLimitAction::Throttle);
}

void FirstRunWizardTest::listsUnusableDevicesGreyedWithAdvice()
{
    FirstRunWizard wizard(*m_engine);
    for (const engine::DeviceInfo &device : m_engine->devices()) {
        const QString id = QString::fromStdString(device.id);
        QCheckBox *check = wizard.deviceCheckBox(id);
        QLabel *note = wizard.deviceNoteLabel(id);
        QVERIFY2(check && note, qPrintable(id));
        QCOMPARE(check->isEnabled(), device.available);
        QCOMPARE(note->isEnabled(), device.available);
        if (device.available)
            continue;
        QVERIFY(!check->isChecked());
        QVERIFY2(note->text().contains(QString::fromStdString(device.unavailableReason)), qPrintable(note->text()));
        QVERIFY2(note->text().contains(adviceFor(device)), qPrintable(note->text()));
    }
}

void FirstRunWizardTest::untickingAndTickingDevices()
{
    FirstRunWizard wizard(*m_engine);
    wizard.show();
    goTo(wizard, FirstRunWizard::DevicesPage);
    auto *hint = wizard.findChild<QLabel *>(QStringLiteral("noDeviceHint"));
    QVERIFY(hint && hint->isHidden());

    // With nothing ticked there is nothing to lend: the wizard does not go on.
    QCheckBox *best = wizard.deviceCheckBox(m_best);
    best->click();
    QVERIFY(!best->isChecked());
    QVERIFY(!wizard.button(QWizard::NextButton)->isEnabled());
    QVERIFY(!hint->isHidden());
    QVERIFY(!wizard.choices().policies.value(m_best).enabled);

    best->click();
    QVERIFY(wizard.button(QWizard::NextButton)->isEnabled());
    QVERIFY(hint->isHidden());
    QVERIFY(wizard.choices().policies.value(m_best).enabled);

    if (const engine::DeviceInfo *other = otherUsableDevice()) {
        const QString id = QString::fromStdString(other->id);
        wizard.deviceCheckBox(id)->click();
        QVERIFY(wizard.choices().policies.value(id).enabled);
        QVERIFY(wizard.choices().policies.value(m_best).enabled);
    }
}

void FirstRunWizardTest::benchmarksTickedDevicesOffTheGuiThread()
{
    FakeBenchmark fake;
    FirstRunWizard wizard(*m_engine);
    wizard.setBenchmark(fake.function());
    wizard.show();
    QVERIFY(QTest::qWaitForWindowExposed(&wizard));

    // Tick a second device where there is one, leave any third unticked.
    QStringList ticked{m_best};
    const engine::DeviceInfo *other = otherUsableDevice();
    if (other) {
        ticked << QString::fromStdString(other->id);
        wizard.deviceCheckBox(ticked.last())->setChecked(true);
        fake.failingDevice = ticked.last();
    }
    QStringList unticked;
    for (const engine::DeviceInfo &device : m_engine->devices()) {
        const QString id = QString::fromStdString(device.id);
        if (device.available && !ticked.contains(id))
            unticked << id;
    }
    goTo(wizard, FirstRunWizard::BenchmarkPage);
    // A row for each ticked device and none for the others; the benchmark is skippable.
    for (const QString &id : ticked)
        QCOMPARE(wizard.benchmarkResultLabel(id)->text(), QStringLiteral("Not measured"));
    for (const QString &id : unticked)
        QVERIFY2(!wizard.benchmarkResultLabel(id), qPrintable(id));
    QVERIFY(wizard.button(QWizard::NextButton)->isEnabled());

    QSignalSpy finished(&wizard, &FirstRunWizard::benchmarkFinished);
    QTest::mouseClick(wizard.benchmarkButton(), Qt::LeftButton);
    QVERIFY(wizard.benchmarkRunning());
    QVERIFY(!wizard.benchmarkButton()->isEnabled());
    QCOMPARE(wizard.benchmarkProgress()->maximum(), int(ticked.size()));
    QCOMPARE(wizard.benchmarkProgress()->value(), 0);

    // The first device is being measured and blocks; the GUI thread still runs its loop.
    QVERIFY(fake.entered.tryAcquire(1, kTimeoutMs));
    bool timerFired = false;
    QTimer::singleShot(0, this, [&timerFired] { timerFired = true; });
    QTRY_VERIFY_WITH_TIMEOUT(timerFired, kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(wizard.benchmarkResultLabel(m_best)->text(), QStringLiteral("Measuring…"), kTimeoutMs);
    QVERIFY(wizard.button(QWizard::NextButton)->isEnabled());
    QVERIFY(wizard.benchmarkRunning());
    QCOMPARE(finished.count(), 0);

    fake.release.release();
    QTRY_COMPARE_WITH_TIMEOUT(wizard.benchmarkResultLabel(m_best)->text(), QStringLiteral("100.0 GFLOP/s"), kTimeoutMs);
    QCOMPARE(wizard.benchmarkProgress()->value(), 1);
    if (other) {
        QVERIFY(fake.entered.tryAcquire(1, kTimeoutMs));
        fake.release.release();
        QTRY_COMPARE_WITH_TIMEOUT(wizard.benchmarkResultLabel(ticked[1])->text(),
                                  QStringLiteral("Could not measure: out of device memory"), kTimeoutMs);
    }
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, kTimeoutMs);
    QVERIFY(!wizard.benchmarkRunning());
    QVERIFY(wizard.benchmarkButton()->isEnabled());
    QCOMPARE(wizard.benchmarkProgress()->value(), int(ticked.size()));

    // Only the ticked devices, in order, each on the named benchmark thread.
    QCOMPARE(fake.callsSoFar(), ticked);
    QCOMPARE(fake.threadNames, QStringList(ticked.size(), QStringLiteral("tributary-benchmark")));
    QStringList measured = ticked;
    measured.sort();
    QCOMPARE(wizard.benchmarkResults().keys(), measured);
    QVERIFY(wizard.benchmarkResults().value(m_best).ok);
    QCOMPARE(wizard.benchmarkResults().value(m_best).gflops, 100.0);
}

void FirstRunWizardTest::closingDuringBenchmarkWaitsForIt()
{
    FakeBenchmark fake;
    fake.release.release(100); // nothing blocks: the wizard goes away mid-run
    auto wizard = std::make_unique<FirstRunWizard>(*m_engine);
    wizard->setBenchmark(fake.function());
    for (QCheckBox *check : wizard->findChildren<QCheckBox *>()) {
        if (check->objectName().startsWith(QStringLiteral("deviceCheck:")) && check->isEnabled())
            check->setChecked(true);
    }
    wizard->runBenchmark();
    QVERIFY(fake.entered.tryAcquire(1, kTimeoutMs));
    wizard.reset(); // must neither crash nor leave the thread running
    QVERIFY(!fake.callsSoFar().isEmpty());
}

void FirstRunWizardTest::rulesPresets_data()
{
    QTest::addColumn<int>("preset");
    QTest::addColumn<int>("when");
    QTest::addColumn<bool>("nightsAndWeekends");

    QTest::newRow("always") << int(FirstRunWizard::RunWhen::Always) << int(DevicePolicy::When::Always) << false;
    QTest::newRow("when I am away") << int(FirstRunWizard::RunWhen::WhenIdle) << int(DevicePolicy::When::WhenIdle)
                                    << false;
    QTest::newRow("nights and weekends") << int(FirstRunWizard::RunWhen::NightsAndWeekends)
                                         << int(DevicePolicy::When::Schedule) << true;
}

void FirstRunWizardTest::rulesPresets()
{
    QFETCH(int, preset);
    QFETCH(int, when);
    QFETCH(bool, nightsAndWeekends);

    FirstRunWizard wizard(*m_engine);
    wizard.show();
    if (const engine::DeviceInfo *other = otherUsableDevice())
        wizard.deviceCheckBox(QString::fromStdString(other->id))->setChecked(true);
    goTo(wizard, FirstRunWizard::RulesPage);
    QVERIFY(wizard.runWhenButton(FirstRunWizard::RunWhen::Always)->isChecked());
    wizard.runWhenButton(FirstRunWizard::RunWhen(preset))->click();

    DevicePolicy expected;
    expected.enabled = true;
    expected.when = DevicePolicy::When(when);
    expected.idleSeconds = 120;
    if (nightsAndWeekends) {
        // Written out here rather than taken from FirstRunWizard::nightsAndWeekends(), so
        // that the preset itself is checked.
        expected.schedule = {
            {{Qt::Monday, Qt::Tuesday, Qt::Wednesday, Qt::Thursday, Qt::Friday}, QTime(22, 0), QTime(7, 0)},
            {{Qt::Saturday, Qt::Sunday}, QTime(0, 0), QTime(0, 0)},
            {{Qt::Monday}, QTime(0, 0), QTime(7, 0)},
        };
    }
    expected.pauseOnBattery = true;
    expected.pauseWhenGpuBusy = true;
    expected.temperatureLimitC = 80;
    expected.overLimitAction = DevicePolicy::OverLimitAction::Throttle;

    const FirstRunChoices choices = wizard.choices();
    for (auto it = choices.policies.cbegin(); it != choices.policies.cend(); ++it) {
        // Every ticked device gets the same rules; an unticked one differs only by being off.
        DevicePolicy expectedHere = expected;
        expectedHere.enabled = wizard.deviceCheckBox(it.key())->isChecked();
        QVERIFY2(it.value() == expectedHere,
                 qPrintable(QStringLiteral("%1: %2\nexpected: %3")
                                .arg(it.key(), policyText(it.value()), policyText(expectedHere))));
    }
    QVERIFY(choices.policies.value(m_best).enabled);
}

void FirstRunWizardTest::rulesToggles()
{
    FirstRunWizard wizard(*m_engine);
    wizard.show();
    goTo(wizard, FirstRunWizard::RulesPage);
    wizard.pauseOnBatteryCheck()->click();
    wizard.pauseWhenGpuBusyCheck()->click();
    wizard.temperatureLimitSpin()->setValue(72);
    wizard.overLimitActionCombo()->setCurrentIndex(1);
    DevicePolicy policy = wizard.choices().policies.value(m_best);
    QVERIFY(!policy.pauseOnBattery);
    QVERIFY(!policy.pauseWhenGpuBusy);
    QCOMPARE(policy.temperatureLimitC, std::optional<double>(72));
    QCOMPARE(policy.overLimitAction, DevicePolicy::OverLimitAction::Pause);

    wizard.temperatureLimitCheck()->click();
    QVERIFY(!wizard.temperatureLimitSpin()->isEnabled());
    policy = wizard.choices().policies.value(m_best);
    QVERIFY(!policy.temperatureLimitC);
    // What the app stores must read back as the same policy.
    QString error;
    const std::optional<DevicePolicy> back = DevicePolicy::fromJson(policy.toJson(), &error);
    QVERIFY2(back, qPrintable(error));
    QVERIFY(*back == policy);
}

void FirstRunWizardTest::connectRefusesBadInput_data()
{
    QTest::addColumn<QString>("address");
    QTest::addColumn<QString>("token");
    QTest::addColumn<QString>("message");

    const QString token = QStringLiteral("t0ken");
    QTest::newRow("empty") << QString() << token << QStringLiteral("Enter the coordinator's address as host:port");
    QTest::newRow("missing port") << QStringLiteral("coordinator.example") << token
                                  << QStringLiteral("The address \"coordinator.example\" has no port");
    QTest::newRow("empty port") << QStringLiteral("coordinator.example:") << token
                                << QStringLiteral("has no port after the colon");
    QTest::newRow("port out of range") << QStringLiteral("coordinator.example:70000") << token
                                       << QStringLiteral("Port 70000 is out of range: it must be from 1 to 65535");
    QTest::newRow("port zero") << QStringLiteral("coordinator.example:0") << token
                               << QStringLiteral("Port 0 is out of range");
    QTest::newRow("port not a number") << QStringLiteral("coordinator.example:https") << token
                                       << QStringLiteral("\"https\" is not a port number");
    QTest::newRow("scheme") << QStringLiteral("https://coordinator.example:7443") << token
                            << QStringLiteral("Leave out \"https://\"");
    QTest::newRow("no host") << QStringLiteral(":7443") << token << QStringLiteral("has no host name");
    QTest::newRow("bad host") << QStringLiteral("coord_inator!:7443") << token
                              << QStringLiteral("\"coord_inator!\" is not a valid host name");
    QTest::newRow("bare IPv6") << QStringLiteral("2001:db8::1:7443") << token << QStringLiteral("put it in brackets");
    QTest::newRow("no token") << QStringLiteral("coordinator.example:7443") << QStringLiteral("   ")
                              << QStringLiteral("Enter the token");
}

void FirstRunWizardTest::connectRefusesBadInput()
{
    QFETCH(QString, address);
    QFETCH(QString, token);
    QFETCH(QString, message);

    FirstRunWizard wizard(*m_engine);
    wizard.show();
    QVERIFY(QTest::qWaitForWindowExposed(&wizard));
    goTo(wizard, FirstRunWizard::ConnectPage);
    QTest::mouseClick(wizard.coordinatorButton(), Qt::LeftButton, {}, QPoint(8, wizard.coordinatorButton()->height() / 2));
    QVERIFY(wizard.coordinatorButton()->isChecked());
    QVERIFY(wizard.addressEdit()->isEnabled());
    QTest::keyClicks(wizard.addressEdit(), address);
    QTest::keyClicks(wizard.tokenEdit(), token);

    wizard.button(QWizard::FinishButton)->click();
    QVERIFY(wizard.isVisible()); // refused: still open, on the same page
    QCOMPARE(wizard.currentId(), int(FirstRunWizard::ConnectPage));
    QVERIFY(wizard.connectErrorLabel()->isVisible());
    QVERIFY2(wizard.connectErrorLabel()->text().contains(message), qPrintable(wizard.connectErrorLabel()->text()));
    QCOMPARE(FirstRunWizard::addressProblem(address).isEmpty(), QTest::currentDataTag() == QByteArray("no token"));

    // Editing clears the complaint about the old text.
    QTest::keyClicks(wizard.addressEdit(), QStringLiteral("x"));
    QVERIFY(!wizard.connectErrorLabel()->isVisible());
}

void FirstRunWizardTest::connectAcceptsCoordinator()
{
    for (const QString &address : {QStringLiteral("coordinator.example.org:7443"), QStringLiteral("10.0.0.5:1"),
                                   QStringLiteral("[2001:db8::1]:65535"), QStringLiteral("localhost:7443")})
        QVERIFY2(FirstRunWizard::addressProblem(address).isEmpty(), qPrintable(FirstRunWizard::addressProblem(address)));

    FirstRunWizard wizard(*m_engine);
    wizard.show();
    QVERIFY(QTest::qWaitForWindowExposed(&wizard));
    goTo(wizard, FirstRunWizard::ConnectPage);
    wizard.coordinatorButton()->click();
    QTest::keyClicks(wizard.addressEdit(), QStringLiteral(" coordinator.example.org:7443 "));
    QTest::keyClicks(wizard.tokenEdit(), QStringLiteral("s3cret-token"));
    QSignalSpy accepted(&wizard, &QDialog::accepted);
    wizard.button(QWizard::FinishButton)->click();
    QCOMPARE(accepted.count(), 1);
    QVERIFY(!wizard.connectErrorLabel()->isVisible());

    const FirstRunChoices choices = wizard.choices();
    QVERIFY(!choices.useLocalNetwork);
    QCOMPARE(choices.coordinatorAddress, QStringLiteral("coordinator.example.org:7443"));
    QCOMPARE(choices.token, QStringLiteral("s3cret-token"));
}

void FirstRunWizardTest::localNetworkIgnoresCoordinatorFields()
{
    FirstRunWizard wizard(*m_engine);
    wizard.show();
    goTo(wizard, FirstRunWizard::ConnectPage);
    // Half-typed, then changed mind: the local network needs neither field.
    wizard.coordinatorButton()->click();
    QTest::keyClicks(wizard.addressEdit(), QStringLiteral("coordinator.exam"));
    wizard.localNetworkButton()->click();
    QSignalSpy accepted(&wizard, &QDialog::accepted);
    wizard.button(QWizard::FinishButton)->click();
    QCOMPARE(accepted.count(), 1);
    const FirstRunChoices choices = wizard.choices();
    QVERIFY(choices.useLocalNetwork);
    QVERIFY(choices.coordinatorAddress.isEmpty());
    QVERIFY(choices.token.isEmpty());
}

QTEST_MAIN(FirstRunWizardTest)
#include "first_run_wizard_test.moc"
