#include "app/gui/DatasetDialog.h"

#include "core/chat/ChatTemplate.h"
#include "core/prompt/PromptTemplate.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>
#include <algorithm>

namespace poslab {

QStringList DatasetDialog::promptTemplateNames() {
  // Core's one list, so the GUI offers exactly what sweeps accept.
  QStringList names;
  for (const std::string& n : PromptTemplate::names())
    names << QString::fromStdString(n);
  return names;
}

QStringList DatasetDialog::chatTemplateNames() {
  QStringList names{"auto"};
  for (const std::string& n : ChatTemplate::familyNames())
    names << QString::fromStdString(n);
  return names;
}

bool DatasetDialog::looksLikeOracle(const QString& path) {
  return QFileInfo(path).fileName().contains("oracle", Qt::CaseInsensitive);
}

DatasetDialog::DatasetDialog(const SweepSettings& current, const QStringList& recent, QWidget* parent)
    : QDialog(parent) {
  setWindowTitle(tr("Open Dataset"));
  setObjectName("datasetDialog");

  path_ = new QComboBox;
  path_->setEditable(true);
  path_->setInsertPolicy(QComboBox::NoInsert);
  path_->addItems(recent);
  path_->setCurrentText(QString::fromStdString(current.dataPath));
  path_->setMinimumContentsLength(40);
  path_->setToolTip(tr("A lost-in-the-middle QA or KV file, or PosLab JSONL (.jsonl or .jsonl.gz); "
                       "the list holds the recent ones"));
  auto* browse = new QPushButton(tr("&Browse…"));
  browse->setToolTip(tr("Choose the dataset file"));
  connect(browse, &QPushButton::clicked, this, &DatasetDialog::browse);
  auto* pathRow = new QHBoxLayout;
  pathRow->addWidget(path_, 1);
  pathRow->addWidget(browse);

  task_ = new QComboBox;
  task_->addItem(tr("From the data"), "auto");
  task_->addItem(tr("Question answering"), "qa");
  task_->addItem(tr("Key-value retrieval"), "kv");
  task_->addItem(tr("Two-hop questions (chain of thought)"), "two-hop");
  task_->setCurrentIndex(std::max(0, task_->findData(QString::fromStdString(current.task))));
  task_->setToolTip(tr("Which experiment the file holds; auto reads it from the records"));

  docs_ = new QSpinBox;
  docs_->setRange(0, 1000);
  docs_->setSpecialValueText(tr("default"));
  docs_->setValue(static_cast<int>(current.randomDistractors ? current.randomDistractors : current.docs));
  docs_->setToolTip(tr("Documents (or KV pairs) per prompt, the gold among them; default: the model's task, "
                       "else every document of the example"));
  random_ = new QCheckBox(tr("Random distractors from other questions (oracle files)"));
  random_->setChecked(current.randomDistractors > 0);
  random_->setToolTip(tr("An oracle file has only the gold passage: give each question the gold passages "
                         "of other questions as its distractors (needs a number of documents)"));

  template_ = new QComboBox;
  template_->setEditable(true);
  template_->addItem(tr("default for the task"), QString());
  for (const QString& name : promptTemplateNames())
    template_->addItem(name, name);
  const QString tmpl = QString::fromStdString(current.promptTemplate);
  if (const int i = template_->findData(tmpl); i >= 0)
    template_->setCurrentIndex(i);
  else
    template_->setCurrentText(tmpl);
  template_->setToolTip(tr("The prompt text (lost-in-the-middle's templates), or a template file of your own "
                           "with {search_results} and {question}, or {formatted_kv_records} and {key}"));
  auto* templateFile = new QPushButton(tr("Fro&m file…"));
  templateFile->setToolTip(tr("Use a prompt template file"));
  connect(templateFile, &QPushButton::clicked, this, &DatasetDialog::chooseTemplateFile);
  auto* templateRow = new QHBoxLayout;
  templateRow->addWidget(template_, 1);
  templateRow->addWidget(templateFile);

  chat_ = new QComboBox;
  for (const QString& name : chatTemplateNames())
    chat_->addItem(name == "auto" ? tr("auto (the model's own, none for a base model)") : name, name);
  chat_->setCurrentIndex(std::max(0, chat_->findData(QString::fromStdString(current.chatTemplate))));
  chat_->setToolTip(tr("The chat template the prompt is wrapped in; none sends the plain prompt"));

  problem_ = new QLabel;
  problem_->setWordWrap(true);
  problem_->setToolTip(tr("What must change before the dataset can be used"));

  auto* form = new QFormLayout;
  form->addRow(tr("&File"), pathRow);
  form->addRow(tr("&Task"), task_);
  form->addRow(tr("&Documents"), docs_);
  form->addRow(QString(), random_);
  form->addRow(tr("&Prompt template"), templateRow);
  form->addRow(tr("&Chat template"), chat_);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Open | QDialogButtonBox::Cancel);
  buttons->button(QDialogButtonBox::Open)->setToolTip(tr("Use this dataset in every view"));
  buttons->button(QDialogButtonBox::Cancel)->setToolTip(tr("Keep the dataset as it was"));
  connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(form);
  layout->addWidget(problem_);
  layout->addWidget(buttons);

  connect(path_, &QComboBox::currentTextChanged, this, &DatasetDialog::pathChanged);
  connect(docs_, &QSpinBox::valueChanged, this, &DatasetDialog::validate);
  connect(random_, &QCheckBox::toggled, this, &DatasetDialog::validate);
  validate();
}

QString DatasetDialog::dataPath() const {
  return path_->currentText().trimmed();
}

SweepSettings DatasetDialog::apply(SweepSettings base) const {
  base.dataPath = QDir::cleanPath(dataPath()).toStdString();
  base.task = task_->currentData().toString().toStdString();
  const auto docs = static_cast<size_t>(docs_->value());
  base.randomDistractors = random_->isChecked() ? docs : 0;
  base.docs = random_->isChecked() ? 0 : docs;
  const int i = template_->findText(template_->currentText());
  base.promptTemplate =
      (i >= 0 ? template_->itemData(i).toString() : template_->currentText().trimmed()).toStdString();
  base.chatTemplate = chat_->currentData().toString().toStdString();
  return base;
}

void DatasetDialog::browse() {
  const QString file =
      QFileDialog::getOpenFileName(this, tr("Open dataset"), QFileInfo(dataPath()).absolutePath(),
                                   tr("Datasets (*.jsonl *.jsonl.gz *.gz);;All files (*)"));
  if (!file.isEmpty()) path_->setCurrentText(file);
}

void DatasetDialog::chooseTemplateFile() {
  const QString file =
      QFileDialog::getOpenFileName(this, tr("Prompt template"), QFileInfo(dataPath()).absolutePath(),
                                   tr("Prompt templates (*.prompt *.txt);;All files (*)"));
  if (!file.isEmpty()) template_->setCurrentText(file);
}

void DatasetDialog::pathChanged() {
  if (looksLikeOracle(dataPath()) && !random_->isChecked()) {
    random_->setChecked(true);
    if (docs_->value() == 0) docs_->setValue(10);
  }
  validate();
}

void DatasetDialog::validate() {
  QString problem;
  if (dataPath().isEmpty())
    problem = tr("Choose a dataset file.");
  else if (!QFileInfo(dataPath()).isFile())
    problem = tr("%1 is not a file.").arg(dataPath());
  else if (random_->isChecked() && docs_->value() < 2)
    problem = tr("Random distractors need at least 2 documents per prompt.");
  problem_->setText(problem);
  problem_->setVisible(!problem.isEmpty());
  if (auto* box = findChild<QDialogButtonBox*>())
    box->button(QDialogButtonBox::Open)->setEnabled(problem.isEmpty());
}

} // namespace poslab
