#pragma once

// PolicyEditor: the dialog in which the user sets one device's rules (a DevicePolicy):
// whether it is shared at all, when it may run (always, once the user has been away for
// a while, or in weekly windows), what pauses it (battery power, other programs on the
// GPU), its temperature and power limits and what happens past them, and a cap on the
// device memory it may use.
//
//   auto *editor = new PolicyEditor(card->policy(), QStringLiteral("NVIDIA H100 (cuda:0)"), card);
//   connect(editor, &QDialog::accepted, card, [=] { save(editor->policy()); });
//   editor->open();
//
// OK is refused while the form cannot be saved (a schedule without windows, a window
// without days): the dialog stays open and says what to fix. A value the form shows
// rounded (a 90-second idle time shown as 2 minutes, an 82.5 °C limit shown as 83) is
// kept exactly as given unless the user changes it, so opening and accepting the editor
// never changes a policy by itself. Schedule days come back Monday first when edited.

#include "app/contributor/policy/device_policy.h"

#include <QDialog>

#include <array>
#include <vector>

class QCheckBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QRadioButton;
class QSpinBox;
class QTimeEdit;
class QToolButton;
class QVBoxLayout;
class QWidget;

namespace tributary::ui {

class PolicyEditor : public QDialog {
    Q_OBJECT
public:
    PolicyEditor(const DevicePolicy &policy, const QString &deviceTitle, QWidget *parent = nullptr);

    // What the form says now (whether or not it can be saved; see problem()).
    DevicePolicy policy() const;
    // The first thing that keeps the form from being saved, in plain words; empty when none.
    QString problem() const;

    // Closes the dialog as accepted only when problem() is empty; otherwise shows the problem.
    void accept() override;

    // For tests: the form's widgets, as a user reaches them.
    QCheckBox *shareBox() const { return m_share; }
    QRadioButton *alwaysButton() const { return m_always; }
    QRadioButton *idleButton() const { return m_idle; }
    QRadioButton *scheduleButton() const { return m_scheduled; }
    QSpinBox *idleMinutes() const { return m_idleMinutes; }
    QPushButton *addWindowButton() const { return m_addWindow; }
    int windowCount() const { return int(m_windows.size()); }
    QToolButton *dayButton(int window, Qt::DayOfWeek day) const;
    QTimeEdit *startEdit(int window) const { return m_windows.at(std::size_t(window)).start; }
    QTimeEdit *endEdit(int window) const { return m_windows.at(std::size_t(window)).end; }
    QPushButton *removeWindowButton(int window) const { return m_windows.at(std::size_t(window)).remove; }
    QCheckBox *pauseOnBatteryBox() const { return m_pauseOnBattery; }
    QCheckBox *gpuBusyBox() const { return m_pauseWhenGpuBusy; }
    QLineEdit *processNames() const { return m_processNames; }
    QDoubleSpinBox *gpuBusyPercent() const { return m_gpuBusyPercent; }
    QCheckBox *temperatureLimitBox() const { return m_hasTemperatureLimit; }
    QDoubleSpinBox *temperatureLimit() const { return m_temperatureLimit; }
    QCheckBox *powerLimitBox() const { return m_hasPowerLimit; }
    QDoubleSpinBox *powerLimit() const { return m_powerLimit; }
    QRadioButton *throttleButton() const { return m_throttle; }
    QRadioButton *pauseOverLimitButton() const { return m_pauseOverLimit; }
    QCheckBox *memoryCapBox() const { return m_hasMemoryCap; }
    QDoubleSpinBox *memoryCapGiB() const { return m_memoryCapGiB; }
    QLabel *problemLabel() const { return m_problem; }
    QPushButton *okButton() const { return m_ok; }

private:
    // One weekly window's row: seven day toggles, start, end and a remove button.
    struct WindowRow {
        QWidget *row = nullptr;
        std::array<QToolButton *, 7> days {}; // Monday first
        QTimeEdit *start = nullptr;
        QTimeEdit *end = nullptr;
        QPushButton *remove = nullptr;
        QList<Qt::DayOfWeek> givenDays; // as loaded, kept while the same days stay ticked
    };

    QWidget *createWhenBox();
    QWidget *createPauseBox();
    QWidget *createLimitsBox();
    void load(const DevicePolicy &policy);
    void addWindow(const ScheduleWindow &window);
    void removeWindow(QPushButton *removeButton);
    void updateEnabled();

    QCheckBox *m_share = nullptr;
    QRadioButton *m_always = nullptr;
    QRadioButton *m_idle = nullptr;
    QRadioButton *m_scheduled = nullptr;
    QSpinBox *m_idleMinutes = nullptr;
    QWidget *m_scheduleBox = nullptr;
    QVBoxLayout *m_windowRows = nullptr;
    std::vector<WindowRow> m_windows;
    QPushButton *m_addWindow = nullptr;
    QCheckBox *m_pauseOnBattery = nullptr;
    QCheckBox *m_pauseWhenGpuBusy = nullptr;
    QLineEdit *m_processNames = nullptr;
    QDoubleSpinBox *m_gpuBusyPercent = nullptr;
    QCheckBox *m_hasTemperatureLimit = nullptr;
    QDoubleSpinBox *m_temperatureLimit = nullptr;
    QCheckBox *m_hasPowerLimit = nullptr;
    QDoubleSpinBox *m_powerLimit = nullptr;
    QRadioButton *m_throttle = nullptr;
    QRadioButton *m_pauseOverLimit = nullptr;
    QCheckBox *m_hasMemoryCap = nullptr;
    QDoubleSpinBox *m_memoryCapGiB = nullptr;
    QLabel *m_problem = nullptr;
    QPushButton *m_ok = nullptr;

    // What load() was given, and what the rounding widgets showed of it (see the header).
    DevicePolicy m_given;
    int m_shownIdleMinutes = 0;
    double m_shownGpuBusyPercent = 0;
    double m_shownTemperatureLimitC = 0;
    double m_shownPowerLimitW = 0;
    double m_shownMemoryCapGiB = 0;
};

} // namespace tributary::ui
