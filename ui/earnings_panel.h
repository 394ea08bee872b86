#pragma once

// EarningsPanel: what this machine has earned, from the local task history: verified and
// pending credits for today and in all, a chart of credits per day over the last two
// weeks, the electricity the work used and what it cost at the user's price per kWh, the
// net at the user's value of a credit, and a CSV export of every run.
//
// Refreshes itself after the history commits (at most once a second). A history that
// could not open leaves the panel saying so.

#include "app/storage/task_history.h"

#include <QPointer>
#include <QTimer>
#include <QWidget>

class QBarSet;
class QChart;
class QChartView;
class QDoubleSpinBox;
class QLabel;
class QPushButton;
class QTableWidget;

namespace tributary {
class TaskHistory;
}

namespace tributary::ui {

class EarningsPanel : public QWidget {
    Q_OBJECT
public:
    static constexpr int kChartDays = 14;

    explicit EarningsPanel(QWidget *parent = nullptr);

    // The history to show; null shows "no history". Must outlive the panel, or be reset.
    void setHistory(TaskHistory *history);

    // Queries the history now.
    void refresh();
    // Writes every run as CSV; false with *error set when it cannot.
    bool exportCsv(const QString &path, QString *error);

    // For tests: what the user reads.
    QLabel *todayLabel() const { return m_today; }
    QLabel *totalLabel() const { return m_total; }
    QLabel *energyLabel() const { return m_energy; }
    QDoubleSpinBox *pricePerKWh() const { return m_pricePerKWh; }
    QDoubleSpinBox *creditValue() const { return m_creditValue; }
    QPushButton *exportButton() const { return m_exportButton; }
    QBarSet *verifiedPerDay() const { return m_verifiedSet; }
    // All-time credits by device and by job: key, tasks, verified, pending, energy.
    QTableWidget *byDeviceTable() const { return m_byDevice; }
    QTableWidget *byJobTable() const { return m_byJob; }

private:
    void chooseExportFile();
    QTableWidget *createGroupTable(const QString &keyTitle);
    static void fillGroupTable(QTableWidget *table, const QList<TaskHistory::GroupTotals> &groups);

    QPointer<TaskHistory> m_history;
    QTimer m_refreshTimer; // coalesces the history's commits into one refresh a second
    QLabel *m_today = nullptr;
    QLabel *m_total = nullptr;
    QLabel *m_energy = nullptr;
    QDoubleSpinBox *m_pricePerKWh = nullptr;
    QDoubleSpinBox *m_creditValue = nullptr;
    QPushButton *m_exportButton = nullptr;
    QChart *m_chart = nullptr;
    QChartView *m_chartView = nullptr;
    QBarSet *m_verifiedSet = nullptr;
    QBarSet *m_pendingSet = nullptr;
    QTableWidget *m_byDevice = nullptr;
    QTableWidget *m_byJob = nullptr;
};

} // namespace tributary::ui
