#pragma once
// "Export figure…" for any plot (issue "GUI lab", Export): the file, whose suffix
// picks the format (.pdf .svg .png vector/raster; .csv .json the numbers), the
// figure's size in inches with presets for paper columns and slides, and the PNG
// resolution in DPI. Every format is laid out at the same physical size, so text
// reads the same in a PDF and in a PNG of any DPI. The last choices are kept
// (QSettings "figureExport/…"). Accepting writes the file; a failure is shown in
// the dialog, which stays open, and nothing already on disk is touched.
#include "widgets/PlotExporter.h"

#include <QDialog>
#include <QSize>
#include <QSizeF>
#include <QString>

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace poslab {

class ExportablePlot;

class FigureExportDialog : public QDialog {
  Q_OBJECT
public:
  FigureExportDialog(const ExportablePlot& plot, const QString& suggestedPath, QWidget* parent = nullptr);

  QString path() const;
  void setPath(const QString& path);
  QSizeF sizeInches() const;
  void setSizeInches(QSizeF inches);
  int dpi() const;
  void setDpi(int dpi);
  QString lastError() const { return error_; }

  // What PlotExporter is given for `path`'s format: PDF in points, SVG in 1/96 in,
  // PNG in pixels at dpi() (fonts scale with it).
  static PlotExporter::Options optionsFor(const QString& path, QSizeF inches, int dpi);
  // Writes the file now; false with lastError() naming the file.
  bool exportFigure();

  // Where the last figure went (else the home folder) + `stem`.pdf: the suggested file.
  static QString suggestedPath(const QString& stem);
  // Right-clicking `host` (a plot widget, or a widget holding one) offers "Export figure…".
  static void offerOnRightClick(QWidget* host, const ExportablePlot& plot, const QString& stem);

public Q_SLOTS:
  void accept() override;

private:
  void browse();
  void applyPreset(int index);
  void syncPreset();
  void describe();
  void remember() const;

  const ExportablePlot& plot_;
  QLineEdit* path_ = nullptr;
  QComboBox* preset_ = nullptr;
  QDoubleSpinBox* width_ = nullptr;
  QDoubleSpinBox* height_ = nullptr;
  QSpinBox* dpi_ = nullptr;
  QLabel* summary_ = nullptr;
  QLabel* errorLabel_ = nullptr;
  QString error_;
};

} // namespace poslab
