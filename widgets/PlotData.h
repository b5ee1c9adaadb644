#pragma once
// The numbers behind a plot as a plain table, independent of how it is drawn:
// what PlotExporter writes as CSV and JSON. A cell is a number, a string, or
// empty (missing: an empty CSV field, JSON null).
#include <QString>
#include <QStringList>
#include <QVariant>
#include <QVector>

namespace poslab {

struct PlotData {
  QString name;        // e.g. "sweep" (file stem and JSON "name")
  QString description; // one sentence: what a row is
  QStringList columns;
  QVector<QVector<QVariant>> rows; // each row has columns.size() cells
};

} // namespace poslab
