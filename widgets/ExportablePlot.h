#pragma once
// A plot that can be exported for a paper: its drawing (vector or raster, through
// PlotExporter) and the numbers behind it (CSV / JSON).
#include "widgets/PlotData.h"

class QCustomPlot;

namespace poslab {

class ExportablePlot {
public:
  virtual ~ExportablePlot() = default;
  virtual QCustomPlot* customPlot() const = 0;
  virtual PlotData plotData() const = 0;
};

} // namespace poslab
