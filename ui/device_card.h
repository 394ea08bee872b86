#pragma once

// DeviceCard: one device on the Contribute tab. It shows the device's name and details, a
// switch to share it or not, a one-line summary of its rules with a button that opens
// PolicyEditor, what the policy engine decided and why (a coloured chip: Running,
// Throttled, Paused, Off, or Unavailable), the task it is computing, and live charts of
// its utilization, temperature and power over the last five minutes.
//
//   auto *card = new DeviceCard(QStringLiteral("cuda:0"), QStringLiteral("NVIDIA H100 (cuda:0)"),
//                               QStringLiteral("80 GiB · CUDA · exact"), parent);
//   card->setPolicy(settings.policy("cuda:0"));
//   connect(card, &DeviceCard::policyChanged, &settings, &Settings::setPolicy);
//   card->setDecision(QStringLiteral("pause"), QStringLiteral("paused: on battery power"));
//   card->addSample({ nowMs, 37.0, 64.0, 212.0 });   // about once a second
//
// The card holds a copy of the policy for its summary and editor; it changes that copy
// itself only when the user edits it (switch or editor), and then says so by a signal. The
// owner stores the change and may call setPolicy() again (it emits nothing).

#include "app/contributor/device_reading.h"
#include "app/contributor/policy/device_policy.h"
#include "ui/policy_editor.h"

#include <QFrame>
#include <QPointer>
#include <QString>

#include <optional>

class QChart;
class QChartView;
class QCheckBox;
class QLabel;
class QLineSeries;
class QProgressBar;
class QPushButton;
class QStackedWidget;
class QValueAxis;

namespace tributary::ui {

class DeviceCard : public QFrame {
    Q_OBJECT
public:
    // How far back the charts reach; older points are dropped.
    static constexpr qint64 kChartWindowMs = 5 * 60 * 1000;

    // `title` names the device ("NVIDIA H100 (cuda:0)"); `detail` is one line of what it
    // is ("80 GiB · CUDA · exact"). The card starts switched off with the default policy.
    DeviceCard(QString deviceId, QString title, QString detail, QWidget *parent = nullptr);

    const QString &deviceId() const { return m_deviceId; }
    const DevicePolicy &policy() const { return m_policy; }

    // Shows `policy` (switch and summary) without emitting anything.
    void setPolicy(const DevicePolicy &policy);
    // What the policy engine decided: `action` as PolicyDecision::actionName() writes it
    // ("run", "throttle", "pause", "off"); `reason` its plain words ("paused: on battery power").
    void setDecision(const QString &action, const QString &reason);
    // Appends one reading to the charts and drops what is older than kChartWindowMs before
    // it. Cheap: meant to be called about once a second.
    void addSample(const DeviceReading &sample);
    void setCurrentTask(const QString &taskId, const QString &jobId);
    void clearCurrentTask();
    // The device cannot be used (no driver, failed self-test): the switch is disabled and
    // `advice` (what the user can do about it) is shown. setAvailable() undoes it.
    void setUnavailable(const QString &advice);
    void setAvailable();
    bool isUnavailable() const { return m_unavailable; }

    // The rules in one line: "Runs when idle for 2 min · pauses on battery · 80 °C limit (throttle)".
    static QString summarize(const DevicePolicy &policy);

    // For tests: what the user sees and touches.
    QCheckBox *enabledSwitch() const { return m_switch; }
    QPushButton *policyButton() const { return m_policyButton; }
    QLabel *stateLabel() const { return m_state; }
    QLabel *reasonLabel() const { return m_reason; }
    QLabel *adviceLabel() const { return m_advice; }
    QLabel *summaryLabel() const { return m_summary; }
    QLabel *taskLabel() const { return m_task; }
    QProgressBar *taskProgress() const { return m_taskProgress; }
    QLineSeries *utilizationSeries() const { return m_utilization.series; }
    QLineSeries *temperatureSeries() const { return m_temperature.series; }
    QLineSeries *powerSeries() const { return m_power.series; }
    // The caption above each chart ("Temperature 64 °C"), and the note shown instead of a
    // chart when the device does not report that reading.
    QLabel *temperatureCaption() const { return m_temperature.caption; }
    QLabel *temperatureNote() const { return m_temperature.note; }
    QLabel *powerNote() const { return m_power.note; }
    // The open editor, if any.
    PolicyEditor *editor() const { return m_editor; }

public Q_SLOTS:
    // Opens PolicyEditor on the card's policy (window-modal); on "Save rules" with a changed
    // policy the card applies it and emits policyChanged.
    void editPolicy();

Q_SIGNALS:
    // The user flipped the switch (not emitted by setPolicy).
    void enabledToggled(const QString &deviceId, bool enabled);
    // The user saved a changed policy in the editor; the card already shows it.
    void policyChanged(const QString &deviceId, const tributary::DevicePolicy &policy);
    // The editor has just been opened (for tests and for callers that want to position it).
    void editorOpened(tributary::ui::PolicyEditor *editor);

private:
    // One metric's caption and chart, with a note that replaces the chart when the device
    // does not report the metric.
    struct Metric {
        QString name; // "Temperature"
        QString unit; // " °C"
        QLabel *caption = nullptr;
        QStackedWidget *stack = nullptr;
        QChart *chart = nullptr;
        QChartView *view = nullptr;
        QLineSeries *series = nullptr;
        QValueAxis *timeAxis = nullptr;
        QValueAxis *valueAxis = nullptr;
        QLabel *note = nullptr;
    };

    QWidget *createMetric(Metric &metric, const QString &name, const QString &unit, const QColor &colour);
    void appendPoint(Metric &metric, qint64 atMs, std::optional<double> value, bool autoRange);
    void showState(const QString &text, const QString &background, const QString &foreground);
    void applyEditor(int result);

    const QString m_deviceId;
    const QString m_title;
    DevicePolicy m_policy;
    bool m_unavailable = false;
    QPointer<PolicyEditor> m_editor;

    QCheckBox *m_switch = nullptr;
    QLabel *m_state = nullptr;
    QLabel *m_reason = nullptr;
    QLabel *m_advice = nullptr;
    QLabel *m_summary = nullptr;
    QPushButton *m_policyButton = nullptr;
    QLabel *m_task = nullptr;
    QProgressBar *m_taskProgress = nullptr;
    QWidget *m_charts = nullptr;
    Metric m_utilization;
    Metric m_temperature;
    Metric m_power;
};

} // namespace tributary::ui
