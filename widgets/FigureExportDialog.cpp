#include "widgets/FigureExportDialog.h"

#include "widgets/ExportablePlot.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QPushButton>
#include <QSettings>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QVBoxLayout>
#include <array>
#include <cmath>
#include <utility>

namespace poslab {

namespace {

struct Preset {
  const char* name;
  double width, height; // inches
};

// Common figure sizes: a single column of a two-column paper (ACL, NeurIPS-style
// one-column halves), the full text width, and a 16:9 slide.
constexpr std::array<Preset, 3> kPresets = {{
    {QT_TRANSLATE_NOOP("FigureExportDialog", "Paper column (3.5 × 2.6 in)"), 3.5, 2.6},
    {QT_TRANSLATE_NOOP("FigureExportDialog", "Paper width (7.0 × 3.5 in)"), 7.0, 3.5},
    {QT_TRANSLATE_NOOP("FigureExportDialog", "Slide (10 × 5.6 in)"), 10.0, 5.625},
}};

constexpr double kVectorUnitsPerInch = 96.0; // SVG user units and the layout's pixels
constexpr double kPointsPerInch = 72.0;

const char* const kWidthKey = "figureExport/widthInches";
const char* const kHeightKey = "figureExport/heightInches";
const char* const kDpiKey = "figureExport/dpi";
const char* const kFolderKey = "figureExport/folder";

QSize scaled(QSizeF inches, double perInch) {
  return {static_cast<int>(std::lround(inches.width() * perInch)),
          static_cast<int>(std::lround(inches.height() * perInch))};
}

} // namespace

FigureExportDialog::FigureExportDialog(const ExportablePlot& plot, const QString& suggestedPath,
                                       QWidget* parent)
    : QDialog(parent), plot_(plot) {
  setWindowTitle(tr("Export figure"));
  path_ = new QLineEdit(suggestedPath);
  path_->setObjectName("exportPath");
  path_->setToolTip(tr("The file to write; its suffix picks the format: .pdf, .svg (vector), .png (raster), "
                       ".csv or .json (the numbers behind the plot)"));
  auto* browse = new QPushButton(tr("Browse…"));
  browse->setToolTip(tr("Choose the file and its format"));
  connect(browse, &QPushButton::clicked, this, &FigureExportDialog::browse);
  auto* pathRow = new QHBoxLayout;
  pathRow->addWidget(path_, 1);
  pathRow->addWidget(browse);

  preset_ = new QComboBox;
  preset_->setObjectName("exportPreset");
  preset_->setToolTip(tr("Common figure sizes; editing the width or height makes it custom"));
  for (const Preset& p : kPresets)
    preset_->addItem(tr(p.name));
  preset_->addItem(tr("Custom"));
  width_ = new QDoubleSpinBox;
  width_->setObjectName("exportWidth");
  height_ = new QDoubleSpinBox;
  height_->setObjectName("exportHeight");
  for (QDoubleSpinBox* box : {width_, height_}) {
    box->setRange(1.0, 40.0);
    box->setDecimals(2);
    box->setSingleStep(0.1);
    box->setSuffix(tr(" in"));
  }
  width_->setToolTip(tr("Figure width in inches (the PDF page, the SVG size, the PNG at the chosen DPI)"));
  height_->setToolTip(tr("Figure height in inches"));
  auto* sizeRow = new QHBoxLayout;
  sizeRow->addWidget(width_);
  sizeRow->addWidget(new QLabel(QStringLiteral("×")));
  sizeRow->addWidget(height_);
  sizeRow->addStretch(1);
  dpi_ = new QSpinBox;
  dpi_->setObjectName("exportDpi");
  dpi_->setRange(72, 1200);
  dpi_->setSingleStep(50);
  dpi_->setSuffix(tr(" dpi"));
  dpi_->setToolTip(
      tr("PNG resolution: pixels per inch (text and lines scale with it); PDF and SVG are vector"));
  summary_ = new QLabel;
  summary_->setObjectName("exportSummary");
  summary_->setToolTip(tr("What will be written"));
  errorLabel_ = new QLabel;
  errorLabel_->setObjectName("exportError");
  errorLabel_->setWordWrap(true);
  errorLabel_->setStyleSheet(QStringLiteral("color: #b00020;"));
  errorLabel_->setVisible(false);

  auto* form = new QFormLayout;
  auto* fileLabel = new QLabel(tr("&File"));
  fileLabel->setBuddy(path_);
  form->addRow(fileLabel, pathRow);
  form->addRow(tr("&Size"), preset_);
  form->addRow(QString(), sizeRow);
  form->addRow(tr("&Resolution"), dpi_);
  form->addRow(QString(), summary_);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel);
  buttons->button(QDialogButtonBox::Save)->setToolTip(tr("Write the file"));
  buttons->button(QDialogButtonBox::Cancel)->setToolTip(tr("Close without writing"));
  connect(buttons, &QDialogButtonBox::accepted, this, &FigureExportDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, this, &FigureExportDialog::reject);
  path_->setMinimumWidth(360); // room for a real path
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(form);
  layout->addWidget(errorLabel_);
  layout->addWidget(buttons);

  const QSettings settings;
  setSizeInches({settings.value(kWidthKey, kPresets[1].width).toDouble(),
                 settings.value(kHeightKey, kPresets[1].height).toDouble()});
  setDpi(settings.value(kDpiKey, 300).toInt());
  connect(preset_, qOverload<int>(&QComboBox::activated), this, &FigureExportDialog::applyPreset);
  for (QDoubleSpinBox* box : {width_, height_})
    connect(box, qOverload<double>(&QDoubleSpinBox::valueChanged), this, &FigureExportDialog::syncPreset);
  connect(dpi_, qOverload<int>(&QSpinBox::valueChanged), this, &FigureExportDialog::describe);
  connect(path_, &QLineEdit::textChanged, this, &FigureExportDialog::describe);
  syncPreset();
}

QString FigureExportDialog::path() const {
  return path_->text().trimmed();
}
void FigureExportDialog::setPath(const QString& path) {
  path_->setText(path);
}

QSizeF FigureExportDialog::sizeInches() const {
  return {width_->value(), height_->value()};
}

void FigureExportDialog::setSizeInches(QSizeF inches) {
  for (auto [box, value] : {std::pair{width_, inches.width()}, std::pair{height_, inches.height()}}) {
    const QSignalBlocker block(box);
    box->setValue(value);
  }
  syncPreset();
}

// The preset that matches the size, else "Custom"; then the summary.
void FigureExportDialog::syncPreset() {
  const QSizeF inches = sizeInches();
  int match = static_cast<int>(kPresets.size());
  for (size_t i = 0; i < kPresets.size(); ++i)
    if (std::abs(kPresets[i].width - inches.width()) < 1e-6 &&
        std::abs(kPresets[i].height - inches.height()) < 1e-6)
      match = static_cast<int>(i);
  const QSignalBlocker block(preset_);
  preset_->setCurrentIndex(match);
  describe();
}

int FigureExportDialog::dpi() const {
  return dpi_->value();
}
void FigureExportDialog::setDpi(int dpi) {
  dpi_->setValue(dpi);
}

PlotExporter::Options FigureExportDialog::optionsFor(const QString& path, QSizeF inches, int dpi) {
  PlotExporter::Options options;
  const QString suffix = QFileInfo(path).suffix().toLower();
  if (suffix == QLatin1String("pdf")) options.size = scaled(inches, kPointsPerInch);
  if (suffix == QLatin1String("svg")) options.size = scaled(inches, kVectorUnitsPerInch);
  if (suffix == QLatin1String("png")) {
    options.size = scaled(inches, dpi);
    options.dpi = dpi;
  }
  return options;
}

void FigureExportDialog::browse() {
  const QString file =
      QFileDialog::getSaveFileName(this, tr("Export figure"), path(),
                                   tr("PDF (*.pdf);;SVG (*.svg);;PNG (*.png);;CSV (*.csv);;JSON (*.json)"));
  if (!file.isEmpty()) setPath(file);
}

void FigureExportDialog::applyPreset(int index) {
  if (index >= 0 && index < static_cast<int>(kPresets.size()))
    setSizeInches({kPresets[static_cast<size_t>(index)].width, kPresets[static_cast<size_t>(index)].height});
}

void FigureExportDialog::describe() {
  const QString suffix = QFileInfo(path()).suffix().toLower();
  const PlotExporter::Options o = optionsFor(path(), sizeInches(), dpi());
  const bool raster = suffix == QLatin1String("png");
  dpi_->setEnabled(raster);
  width_->setEnabled(suffix != QLatin1String("csv") && suffix != QLatin1String("json"));
  height_->setEnabled(width_->isEnabled());
  QString text;
  if (suffix == QLatin1String("pdf"))
    text = tr("PDF, vector: a %1 × %2 pt page").arg(o.size.width()).arg(o.size.height());
  else if (suffix == QLatin1String("svg"))
    text = tr("SVG, vector: %1 × %2 px at 96 px/in").arg(o.size.width()).arg(o.size.height());
  else if (raster)
    text = tr("PNG: %1 × %2 pixels at %3 dpi").arg(o.size.width()).arg(o.size.height()).arg(o.dpi);
  else if (suffix == QLatin1String("csv") || suffix == QLatin1String("json"))
    text = tr("The numbers behind the plot (%1)").arg(suffix.toUpper());
  else
    text = tr("Give the file a suffix: .pdf, .svg, .png, .csv or .json");
  summary_->setText(text);
}

void FigureExportDialog::remember() const {
  QSettings settings;
  settings.setValue(kWidthKey, width_->value());
  settings.setValue(kHeightKey, height_->value());
  settings.setValue(kDpiKey, dpi_->value());
  settings.setValue(kFolderKey, QFileInfo(path()).absolutePath());
}

QString FigureExportDialog::suggestedPath(const QString& stem) {
  const QString folder = QSettings().value(kFolderKey, QDir::homePath()).toString();
  return QDir(folder).filePath(stem + ".pdf");
}

void FigureExportDialog::offerOnRightClick(QWidget* host, const ExportablePlot& plot, const QString& stem) {
  host->setContextMenuPolicy(Qt::CustomContextMenu);
  QObject::connect(host, &QWidget::customContextMenuRequested, host, [host, &plot, stem](const QPoint& at) {
    QMenu menu(host);
    QAction* exportAction = menu.addAction(tr("Export figure…"));
    exportAction->setToolTip(tr("Save this figure as PDF, SVG or PNG, or its numbers as CSV or JSON"));
    if (menu.exec(host->mapToGlobal(at)) != exportAction) return;
    FigureExportDialog dialog(plot, suggestedPath(stem), host->window());
    dialog.exec();
  });
}

bool FigureExportDialog::exportFigure() {
  error_.clear();
  if (path().isEmpty()) {
    error_ = tr("Choose a file to write.");
    return false;
  }
  const QDir folder = QFileInfo(path()).absoluteDir();
  if (!folder.exists()) {
    error_ = tr("%1: the folder does not exist").arg(QDir::toNativeSeparators(folder.path()));
    return false;
  }
  return PlotExporter::save(plot_, path(), optionsFor(path(), sizeInches(), dpi()), &error_);
}

void FigureExportDialog::accept() {
  if (!exportFigure()) {
    errorLabel_->setText(error_);
    errorLabel_->setVisible(true);
    return;
  }
  remember();
  QDialog::accept();
}

} // namespace poslab
