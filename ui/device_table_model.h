#pragma once

// DeviceTableModel: the devices the engine found, one row each, for a QTableView.
// Unavailable devices stay listed, with the reason in the Status column.

#include "engine/device_info.h"

#include <QAbstractTableModel>

#include <vector>

namespace tributary::ui {

class DeviceTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Name = 0, Backend, Memory, Status, ColumnCount };
    // Role returning the underlying value (bytes for Memory, bool for Status).
    static constexpr int RawDataRole = Qt::UserRole + 1;
    // What the user can do about an unavailable device (tributary::adviceFor); empty otherwise.
    static constexpr int AdviceRole = Qt::UserRole + 2;

    explicit DeviceTableModel(QObject *parent = nullptr);

    void setDevices(std::vector<engine::DeviceInfo> devices);
    const engine::DeviceInfo &device(int row) const { return m_devices.at(std::size_t(row)); }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    std::vector<engine::DeviceInfo> m_devices;
};

} // namespace tributary::ui
