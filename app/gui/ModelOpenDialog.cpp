#include "app/gui/ModelOpenDialog.h"

#include "app/gui/ModelSummaries.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>
#include <algorithm>
#include <exception>

namespace poslab {

namespace {

QString bytes(qint64 n) {
  return QLocale(QLocale::English).formattedDataSize(n, 1);
}

} // namespace

ModelOpenDialog::ModelOpenDialog(const QStringList& recent,
                                 const QList<QPair<QString, QString>>& computeChoices, const QString& compute,
                                 QWidget* parent)
    : QDialog(parent) {
  setWindowTitle(tr("Open Model"));
  setObjectName("modelOpenDialog");
  path_ = new QComboBox;
  path_->setEditable(true);
  path_->setInsertPolicy(QComboBox::NoInsert);
  path_->addItems(recent);
  path_->setMinimumContentsLength(40);
  path_->setToolTip(tr("A .gguf file or a Hugging Face folder (config.json, safetensors, tokenizer); "
                       "the list holds the recent ones"));
  auto* file = new QPushButton(tr("&File…"));
  file->setToolTip(tr("Choose a .gguf file (or a config.json for its folder)"));
  auto* folder = new QPushButton(tr("F&older…"));
  folder->setToolTip(tr("Choose a Hugging Face model folder"));
  connect(file, &QPushButton::clicked, this, &ModelOpenDialog::browseFile);
  connect(folder, &QPushButton::clicked, this, &ModelOpenDialog::browseFolder);
  auto* pathRow = new QHBoxLayout;
  pathRow->addWidget(path_, 1);
  pathRow->addWidget(file);
  pathRow->addWidget(folder);

  compute_ = new QComboBox;
  for (const auto& [label, choice] : computeChoices)
    compute_->addItem(label, choice);
  compute_->setCurrentIndex(std::max(0, compute_->findData(compute)));
  compute_->setToolTip(tr("Device and number format for the weights: bf16 halves the memory of f32"));

  estimateLabel_ = new QLabel(tr("Choose a model to see what it needs."));
  estimateLabel_->setObjectName("memoryEstimate");
  estimateLabel_->setWordWrap(true);
  estimateLabel_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  estimateLabel_->setToolTip(tr("Read from the config or GGUF header only: no weights are loaded yet"));
  estimateLabel_->setMinimumHeight(72);

  auto* form = new QFormLayout;
  form->addRow(tr("&Model"), pathRow);
  form->addRow(tr("&Device"), compute_);
  form->addRow(tr("Memory"), estimateLabel_);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Open | QDialogButtonBox::Cancel);
  open_ = buttons->button(QDialogButtonBox::Open);
  open_->setToolTip(tr("Load the weights (the model in memory is replaced)"));
  buttons->button(QDialogButtonBox::Cancel)->setToolTip(tr("Keep the model in memory"));
  connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(form);
  layout->addWidget(buttons);
  setMinimumWidth(560);

  connect(&watcher_, &QFutureWatcher<Outcome>::finished, this, &ModelOpenDialog::showOutcome);
  connect(path_, &QComboBox::currentTextChanged, this, &ModelOpenDialog::inspect);
  connect(compute_, &QComboBox::currentIndexChanged, this, &ModelOpenDialog::inspect);
  inspect();
}

// The pool thread reads a header; waiting keeps it from outliving the dialog.
ModelOpenDialog::~ModelOpenDialog() {
  watcher_.waitForFinished();
}

QString ModelOpenDialog::modelPath() const {
  const QFileInfo info(path_->currentText().trimmed());
  // A file inside a Hugging Face folder stands for the folder.
  if (info.isFile() && info.suffix().compare("gguf", Qt::CaseInsensitive) != 0) return info.absolutePath();
  return info.filePath().isEmpty() ? QString() : info.absoluteFilePath();
}

QString ModelOpenDialog::compute() const {
  return compute_->currentData().toString();
}

LoadOptions ModelOpenDialog::loadOptions() const {
  LoadOptions options;
  const QStringList parts = compute().split('|');
  if (parts.size() == 2) {
    options.device = parts[0].toStdString();
    options.dtype = parts[1].toStdString();
  }
  return options;
}

void ModelOpenDialog::browseFile() {
  const QString chosen = QFileDialog::getOpenFileName(
      this, tr("Open Model"), QFileInfo(modelPath()).absolutePath(),
      tr("Models (*.gguf config.json *.safetensors model.safetensors.index.json);;All files (*)"));
  if (!chosen.isEmpty()) path_->setCurrentText(chosen);
}

void ModelOpenDialog::browseFolder() {
  const QString chosen =
      QFileDialog::getExistingDirectory(this, tr("Open Model Folder"), QFileInfo(modelPath()).absolutePath());
  if (!chosen.isEmpty()) path_->setCurrentText(chosen);
}

void ModelOpenDialog::inspect() {
  estimate_ = {};
  open_->setEnabled(false);
  const QString path = modelPath();
  if (path.isEmpty()) {
    estimateLabel_->setText(tr("Choose a model to see what it needs."));
    return;
  }
  if (watcher_.isRunning()) { // one header at a time; the newest choice is read next
    inspectAgain_ = true;
    return;
  }
  estimateLabel_->setText(tr("Reading %1…").arg(QFileInfo(path).fileName()));
  const std::string file = QFile::encodeName(path).toStdString();
  const LoadOptions options = loadOptions();
  watcher_.setFuture(QtConcurrent::run([file, options] {
    Outcome out;
    try {
      out.summary = ModelSummaries::fromInfo(Engine::inspect(file, options), false);
    } catch (const std::exception& e) {
      out.error = QString::fromStdString(e.what());
    }
    return out;
  }));
}

QString ModelOpenDialog::estimateText() const {
  const ModelSummary& s = estimate_;
  return tr("%1 parameters · %2 layers · context %3 tokens\n"
            "Weights %4 in %5 · KV cache %6 per token\n"
            "About %7 with a full context")
      .arg(QLocale(QLocale::English).toString(s.parameters))
      .arg(s.layers)
      .arg(s.contextLength)
      .arg(bytes(s.weightBytes), s.computeDtype, bytes(s.kvBytesPerToken), bytes(s.estimatedBytes()));
}

void ModelOpenDialog::showOutcome() {
  if (inspectAgain_) {
    inspectAgain_ = false;
    inspect();
    return;
  }
  const Outcome out = watcher_.result();
  if (!out.error.isEmpty()) {
    estimateLabel_->setText(tr("Cannot open: %1").arg(out.error));
    Q_EMIT estimated({}, out.error);
    return;
  }
  estimate_ = out.summary;
  estimateLabel_->setText(estimateText());
  open_->setEnabled(true);
  Q_EMIT estimated(estimate_, QString());
}

} // namespace poslab
