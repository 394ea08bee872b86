#pragma once

// FirstRunWizard: what a user goes through the first time Tributary starts, in five pages:
//
//   1 Welcome    what Tributary does, plainly what it shares and what it never touches,
//                and how to stop at any time.
//   2 Devices    one row per device the engine found: usable ones with a checkbox (the
//                best device ticked, the others not), unusable ones greyed out with what
//                the user can do about them (device_advice.h).
//   3 Benchmark  an optional short benchmark of each ticked device (device_benchmark.h),
//                run on a worker thread named "tributary-benchmark", with a progress bar.
//   4 Rules      when devices may run (always, when the user is away, nights and
//                weekends), pausing on battery and while other programs use the GPU,
//                and a temperature limit. Applied to every ticked device.
//   5 Connect    the local network on this computer (the default), or a remote
//                coordinator's address and token.
//
// The wizard saves nothing: once it is accepted, the app persists choices() (the policies
// in its settings, the token through CredentialStore, never in a file).
//
//   ui::FirstRunWizard wizard(engine);
//   if (wizard.exec() == QDialog::Accepted) save(wizard.choices());

#include "app/contributor/device_benchmark.h"
#include "app/contributor/policy/device_policy.h"
#include "engine/engine.h"

#include <QAtomicInteger>
#include <QMap>
#include <QString>
#include <QWizard>

#include <functional>

class QCheckBox;
class QComboBox;
class QGridLayout;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QRadioButton;
class QSpinBox;
class QThread;
class QVBoxLayout;

namespace tributary::ui {

struct FirstRunChoices {
    // One per usable device, keyed by device id; `enabled` is whether the user ticked it.
    QMap<QString, DevicePolicy> policies;
    bool useLocalNetwork = true;
    QString coordinatorAddress; // "host:port", when !useLocalNetwork
    QString token;              // when !useLocalNetwork; to be stored in the keychain
};

class FirstRunWizard : public QWizard {
    Q_OBJECT
public:
    enum PageId { WelcomePage = 1, DevicesPage, BenchmarkPage, RulesPage, ConnectPage };
    // When ticked devices may run (the Rules page's choice).
    enum class RunWhen { Always = 1, WhenIdle, NightsAndWeekends };

    // Measures one device; called on the benchmark thread, one device after another.
    using BenchmarkFunction = std::function<DeviceBenchmark(const QString &deviceId)>;

    // `engine` must outlive the wizard; only its const, thread-safe API is used.
    explicit FirstRunWizard(const engine::Engine &engine, QWidget *parent = nullptr);
    // Waits for a running benchmark to finish its current device.
    ~FirstRunWizard() override;

    // Replaces benchmarkDevice() (tests use a fake). Not while a benchmark runs.
    void setBenchmark(BenchmarkFunction benchmark);

    // What the user chose, from the widgets as they are now.
    FirstRunChoices choices() const;
    // The benchmark results so far, by device id (also worth keeping: they tell the
    // coordinator how much work a device takes).
    QMap<QString, DeviceBenchmark> benchmarkResults() const { return m_results; }

    // "Nights and weekends": Monday to Friday 22:00-07:00, and all of Saturday and Sunday.
    static QList<ScheduleWindow> nightsAndWeekends();
    // Empty when `address` is a usable "host:port" (a name, an IPv4 address or a
    // bracketed IPv6 address, and a port 1-65535); otherwise the problem, in a sentence.
    static QString addressProblem(const QString &address);

    // Starts the benchmark of the ticked devices (the page's button does the same).
    void runBenchmark();
    bool benchmarkRunning() const { return m_benchmarkThread != nullptr; }

    // For tests: the widgets a user works with. Device ids are the engine's; an unusable
    // device's checkbox is there, disabled.
    QCheckBox *deviceCheckBox(const QString &deviceId) const { return m_deviceChecks.value(deviceId); }
    QLabel *deviceNoteLabel(const QString &deviceId) const { return m_deviceNotes.value(deviceId); }
    QPushButton *benchmarkButton() const { return m_benchmarkButton; }
    QProgressBar *benchmarkProgress() const { return m_benchmarkProgress; }
    // The result label of a device on the Benchmark page; null when it has no row there.
    QLabel *benchmarkResultLabel(const QString &deviceId) const { return m_resultLabels.value(deviceId); }
    QRadioButton *runWhenButton(RunWhen when) const;
    QCheckBox *pauseOnBatteryCheck() const { return m_pauseOnBattery; }
    QCheckBox *pauseWhenGpuBusyCheck() const { return m_pauseWhenGpuBusy; }
    QCheckBox *temperatureLimitCheck() const { return m_temperatureCheck; }
    QSpinBox *temperatureLimitSpin() const { return m_temperatureSpin; }
    QComboBox *overLimitActionCombo() const { return m_overLimitAction; }
    QRadioButton *localNetworkButton() const { return m_localButton; }
    QRadioButton *coordinatorButton() const { return m_coordinatorButton; }
    QLineEdit *addressEdit() const { return m_addressEdit; }
    QLineEdit *tokenEdit() const { return m_tokenEdit; }
    QLabel *connectErrorLabel() const { return m_connectError; }

Q_SIGNALS:
    // The benchmark thread has finished every ticked device (or was stopped).
    void benchmarkFinished();

private:
    QWizardPage *createWelcomePage();
    QWizardPage *createDevicesPage();
    QWizardPage *createBenchmarkPage();
    QWizardPage *createRulesPage();
    QWizardPage *createConnectPage();

    QStringList tickedDeviceIds() const;
    QString deviceTitle(const QString &deviceId) const;
    // Rebuilds the Benchmark page's rows for the devices ticked now.
    void showBenchmarkRows();
    void showBenchmarkResult(const QString &deviceId, const DeviceBenchmark &result);
    void finishBenchmark();
    void showCoordinatorFields();
    // Empty when the Connect page can be accepted; otherwise what to fix.
    QString connectProblem() const;

    const engine::Engine &m_engine;
    BenchmarkFunction m_benchmark;
    QMap<QString, DeviceBenchmark> m_results;

    QMap<QString, QCheckBox *> m_deviceChecks; // every device; disabled when unusable
    QMap<QString, QLabel *> m_deviceNotes;     // every device: what it is, or why it cannot be used
    QLabel *m_noDeviceHint = nullptr;

    QPushButton *m_benchmarkButton = nullptr;
    QProgressBar *m_benchmarkProgress = nullptr;
    QLabel *m_benchmarkStatus = nullptr;
    QGridLayout *m_resultsGrid = nullptr;
    QMap<QString, QLabel *> m_resultLabels;
    QThread *m_benchmarkThread = nullptr;
    QAtomicInteger<bool> m_stopBenchmark = false;

    QRadioButton *m_runAlways = nullptr;
    QRadioButton *m_runWhenIdle = nullptr;
    QRadioButton *m_runNightsAndWeekends = nullptr;
    QCheckBox *m_pauseOnBattery = nullptr;
    QCheckBox *m_pauseWhenGpuBusy = nullptr;
    QCheckBox *m_temperatureCheck = nullptr;
    QSpinBox *m_temperatureSpin = nullptr;
    QComboBox *m_overLimitAction = nullptr;

    QRadioButton *m_localButton = nullptr;
    QRadioButton *m_coordinatorButton = nullptr;
    QLineEdit *m_addressEdit = nullptr;
    QLineEdit *m_tokenEdit = nullptr;
    QLabel *m_connectError = nullptr;
};

} // namespace tributary::ui
