#include "app/gui/JobLaunchDialog.h"

#include "app/gui/ClusterJobDialog.h"

#include "core/engine/DeviceMemory.h"

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QToolButton>
#include <QVBoxLayout>

namespace poslab {

namespace {

struct OptionField {
  const char* flag;
  const char* label;
  const char* tip;
};

// The options the dialog offers, grouped as a researcher thinks of them; each is
// the flag of `poslab-cli distill` (JobSettings::optionNames) of the same name.
const OptionField kDistillFields[] = {
    {"questions", "Questions", "Training questions the teacher answers (N)"},
    {"k", "K positions", "Other gold positions per question (R1: plus one anchor)"},
    {"teacher-position", "Teacher position", "0-based position of the gold in the teacher's prompt"},
    {"weighting", "Weighting", "paper | code | uniform (METHOD.md §2b)"},
    {"lambda", "λ (anchor)", "Weight of the anchor term"},
    {"eval-positions", "Eval positions", "0-based gold positions of the held-out sweeps, e.g. 0,4,9,14,19"},
    {"eval-every", "Eval every", "Steps between held-out sweeps (0: only at the end)"},
    {"eval-examples", "Eval examples", "Held-out examples per position"}};
const OptionField kTrainFields[] = {
    {"lr", "Learning rate", "Peak learning rate (AdamW, cosine schedule)"},
    {"batch", "Batch", "Instances per optimizer step (the global batch)"},
    {"micro-batch", "Micro-batch", "Instances per forward (bounds memory; 0: the batch)"},
    {"steps", "Steps", "Optimizer steps (overrides epochs)"},
    {"epochs", "Epochs", "Passes over the prepared set"},
    {"dtype", "dtype", "f32 | bf16"},
    {"seed", "Seed", "Seed of sampling, order and initialisation"},
    {"checkpoint-every", "Checkpoint every", "Steps between checkpoints"},
    {"keep-checkpoints", "Keep checkpoints", "Newest checkpoints kept (pinned ones are kept besides)"}};
const OptionField kLoraFields[] = {
    {"lora", "LoRA rank", "Train a LoRA adapter of this rank instead of every weight (empty: full)"},
    {"lora-alpha", "LoRA α", "Scaling numerator (PEFT's lora_alpha)"},
    {"lora-targets", "LoRA targets", "Modules, e.g. q_proj,v_proj"}};

QString bytes(int64_t b) {
  return QLocale().formattedDataSize(b);
}

} // namespace

JobSettings JobLaunchDialog::defaultsFor(const QString& model, const QString& heldOutData) {
  JobSettings s;
  s.model = model.toStdString();
  s.evalData = heldOutData.toStdString();
  const QDir parent = QFileInfo(model).dir();
  if (QFileInfo(model).fileName() == QStringLiteral("poslab-demo-llama") &&
      QFileInfo::exists(parent.filePath(QStringLiteral("train.jsonl.gz")))) {
    s.preset = "demo";
    s.data = parent.filePath(QStringLiteral("train.jsonl.gz")).toStdString();
    s.evalData = parent.filePath(QStringLiteral("heldout.jsonl.gz")).toStdString();
  }
  return s;
}

JobLaunchDialog::JobLaunchDialog(const JobSettings& initial, const QString& program,
                                 const QString& runDirPattern, QWidget* parent)
    : QDialog(parent), program_(program), runDirPattern_(runDirPattern) {
  setWindowTitle(tr("New training job"));
  auto* layout = new QVBoxLayout(this);
  auto* top = new QFormLayout;
  preset_ = new QComboBox(this);
  preset_->addItem(tr("demo — the bundled demo, minutes on a CPU"), QStringLiteral("demo"));
  preset_->addItem(tr("quick — 30 steps: a check that everything runs"), QStringLiteral("quick"));
  preset_->addItem(tr("paper — METHOD.md §2b (lr 3e-6, 2 epochs, bf16)"), QStringLiteral("paper"));
  preset_->addItem(tr("none — the command's defaults"), QString());
  top->addRow(tr("Preset"), preset_);
  method_ = new QComboBox(this);
  method_->addItem(tr("Pos2Distill R1 (retrieval: KL to the teacher's answer)"), QStringLiteral("r1"));
  method_->addItem(tr("Pos2Distill R2 (reasoning: chain-of-thought)"), QStringLiteral("r2"));
  method_->addItem(tr("SFT baseline (gold answer at K positions)"), QStringLiteral("sft"));
  method_->addItem(tr("SeqKD baseline (teacher response at K positions)"), QStringLiteral("seqkd"));
  top->addRow(tr("Method"), method_);
  const auto pathRow = [&](QLineEdit*& field, const QString& label, bool folder, const QString& placeholder) {
    field = new QLineEdit(this);
    field->setPlaceholderText(placeholder);
    auto* row = new QHBoxLayout;
    row->addWidget(field, 1);
    auto* pick = new QToolButton(this);
    pick->setText(QStringLiteral("…"));
    connect(pick, &QToolButton::clicked, this, [this, &field, folder] { browse(field, folder); });
    row->addWidget(pick);
    top->addRow(label, row);
  };
  pathRow(model_, tr("Model"), true, tr("a Hugging Face folder"));
  pathRow(adapter_, tr("Adapter"), true, tr("optional: a PEFT adapter merged first"));
  pathRow(data_, tr("Training data"), false, tr("JSONL (.gz): lost-in-the-middle QA, KV, MuSiQue, PosLab"));
  pathRow(evalData_, tr("Held-out data"), false, tr("optional: swept during training"));
  device_ = new QComboBox(this);
  const int64_t cpuFree = DeviceMemory::availableBytes("cpu");
  device_->addItem(cpuFree > 0 ? tr("CPU (%1 free)").arg(bytes(cpuFree)) : tr("CPU"), QStringLiteral("cpu"));
  for (int i = 0; i < 16; ++i) {
    const std::string name = "cuda:" + std::to_string(i);
    const int64_t total = DeviceMemory::totalBytes(name);
    if (total <= 0) break;
    device_->addItem(
        tr("%1 (%2 free of %3)")
            .arg(QString::fromStdString(name), bytes(DeviceMemory::availableBytes(name)), bytes(total)),
        QString::fromStdString(name));
  }
  threads_ = new QSpinBox(this);
  threads_->setRange(0, 1024);
  threads_->setSpecialValueText(tr("every core"));
  auto* deviceRow = new QHBoxLayout;
  deviceRow->addWidget(device_, 1);
  deviceRow->addWidget(new QLabel(tr("Threads"), this));
  deviceRow->addWidget(threads_);
  top->addRow(tr("Device"), deviceRow);
  layout->addLayout(top);

  auto* groups = new QHBoxLayout;
  const auto group = [&](const QString& title, const auto& fields) {
    auto* box = new QGroupBox(title, this);
    auto* form = new QFormLayout(box);
    for (const OptionField& f : fields) {
      auto* edit = new QLineEdit(box);
      edit->setPlaceholderText(tr("preset"));
      edit->setToolTip(
          tr("%1 (--%2); empty: the preset's value").arg(tr(f.tip), QString::fromLatin1(f.flag)));
      edit->setObjectName(QStringLiteral("option-") + QString::fromLatin1(f.flag));
      form->addRow(tr(f.label), edit);
      options_[f.flag] = edit;
      connect(edit, &QLineEdit::textChanged, this, &JobLaunchDialog::updateCommand);
    }
    return box;
  };
  groups->addWidget(group(tr("Pos2Distill"), kDistillFields), 0, Qt::AlignTop);
  groups->addWidget(group(tr("Training"), kTrainFields), 0, Qt::AlignTop);
  groups->addWidget(group(tr("LoRA (empty rank: full)"), kLoraFields), 0, Qt::AlignTop);
  layout->addLayout(groups);

  auto* commandBox = new QGroupBox(tr("Command (what the job runs; it goes on when PosLab closes)"), this);
  auto* commandLayout = new QHBoxLayout(commandBox);
  command_ = new QPlainTextEdit(commandBox);
  command_->setReadOnly(true);
  command_->setObjectName("jobCommand");
  QFont mono(QStringLiteral("monospace"));
  mono.setStyleHint(QFont::TypeWriter);
  command_->setFont(mono);
  command_->setFixedHeight(command_->fontMetrics().lineSpacing() * 6 + 2 * command_->frameWidth() + 8);
  commandLayout->addWidget(command_, 1);
  auto* copy = new QPushButton(tr("Copy"), commandBox);
  connect(copy, &QPushButton::clicked, this, [this] { QApplication::clipboard()->setText(command()); });
  commandLayout->addWidget(copy);
  layout->addWidget(commandBox);
  error_ = new QLabel(this);
  error_->setStyleSheet(QStringLiteral("color:#c0392b"));
  error_->setWordWrap(true);
  layout->addWidget(error_);

  auto* buttons = new QDialogButtonBox(this);
  auto* save = buttons->addButton(tr("Save settings…"), QDialogButtonBox::ResetRole);
  auto* load = buttons->addButton(tr("Load settings…"), QDialogButtonBox::ResetRole);
  clusterButton_ = buttons->addButton(tr("Cluster job…"), QDialogButtonBox::ResetRole);
  clusterButton_->setToolTip(
      tr("Write this job as a folder to run on a cluster (Slurm or torchrun, data parallel)"));
  connect(clusterButton_, &QPushButton::clicked, this, [this] {
    auto* cluster = new ClusterJobDialog(settings(), this);
    cluster->setAttribute(Qt::WA_DeleteOnClose);
    connect(cluster, &QDialog::accepted, this, [this, cluster] {
      clusterRunDir_ = cluster->runDir();
      accept(); // the job goes to the cluster: nothing starts here
    });
    cluster->open();
    Q_EMIT clusterDialogOpened(cluster);
  });
  planButton_ = buttons->addButton(tr("Plan"), QDialogButtonBox::AcceptRole);
  planButton_->setToolTip(
      tr("Prepare the set and report the memory plan, then stop: “Start training” on the job "
         "page trains it (--plan)"));
  start_ = buttons->addButton(tr("Start"), QDialogButtonBox::AcceptRole);
  start_->setDefault(true);
  buttons->addButton(QDialogButtonBox::Cancel);
  connect(save, &QPushButton::clicked, this, &JobLaunchDialog::saveSettings);
  connect(load, &QPushButton::clicked, this, &JobLaunchDialog::loadSettings);
  connect(planButton_, &QPushButton::clicked, this, [this] { plan_ = true; });
  connect(start_, &QPushButton::clicked, this, [this] { plan_ = false; });
  connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  layout->addWidget(buttons);

  for (QComboBox* box : {preset_, method_, device_})
    connect(box, &QComboBox::currentIndexChanged, this, &JobLaunchDialog::updateCommand);
  for (QLineEdit* e : {model_, adapter_, data_, evalData_})
    connect(e, &QLineEdit::textChanged, this, &JobLaunchDialog::updateCommand);
  connect(threads_, &QSpinBox::valueChanged, this, &JobLaunchDialog::updateCommand);
  setSettings(initial);
}

JobSettings JobLaunchDialog::settings() const {
  JobSettings s;
  s.preset = preset_->currentData().toString().toStdString();
  s.method = method_->currentData().toString().toStdString();
  s.model = model_->text().trimmed().toStdString();
  s.adapter = adapter_->text().trimmed().toStdString();
  s.data = data_->text().trimmed().toStdString();
  s.evalData = evalData_->text().trimmed().toStdString();
  s.device = device_->currentData().toString().toStdString();
  s.threads = threads_->value();
  for (const auto& [flag, edit] : options_)
    if (!edit->text().trimmed().isEmpty()) s.options[flag] = edit->text().trimmed().toStdString();
  return s;
}

void JobLaunchDialog::setSettings(const JobSettings& s) {
  preset_->setCurrentIndex(std::max(0, preset_->findData(QString::fromStdString(s.preset))));
  method_->setCurrentIndex(std::max(0, method_->findData(QString::fromStdString(s.method))));
  model_->setText(QString::fromStdString(s.model));
  adapter_->setText(QString::fromStdString(s.adapter));
  data_->setText(QString::fromStdString(s.data));
  evalData_->setText(QString::fromStdString(s.evalData));
  const int device = device_->findData(QString::fromStdString(s.device));
  device_->setCurrentIndex(device >= 0 ? device : 0);
  threads_->setValue(s.threads);
  for (const auto& [flag, edit] : options_) {
    auto it = s.options.find(flag);
    edit->setText(it == s.options.end() ? QString() : QString::fromStdString(it->second));
  }
  updateCommand();
}

QLineEdit* JobLaunchDialog::optionField(const QString& option) const {
  auto it = options_.find(option.toStdString());
  return it == options_.end() ? nullptr : it->second;
}

QString JobLaunchDialog::command() const {
  std::vector<std::string> argv{program_.toStdString()};
  const std::vector<std::string> args = settings().arguments(runDir().toStdString());
  argv.insert(argv.end(), args.begin(), args.end());
  return QString::fromStdString(JobSettings::shellCommand(argv));
}

QString JobLaunchDialog::runDir() const {
  return runDirPattern_.arg(method_->currentData().toString());
}

void JobLaunchDialog::updateCommand() {
  command_->setPlainText(command());
  const JobSettings s = settings();
  QString problem;
  if (s.model.empty())
    problem = tr("Choose a model.");
  else if (s.data.empty())
    problem = tr("Choose the training data.");
  else if (!QFileInfo::exists(QString::fromStdString(s.model)))
    problem = tr("%1: no such model folder").arg(QString::fromStdString(s.model));
  else if (!QFileInfo::exists(QString::fromStdString(s.data)))
    problem = tr("%1: no such file").arg(QString::fromStdString(s.data));
  else if (!s.evalData.empty() && !QFileInfo::exists(QString::fromStdString(s.evalData)))
    problem = tr("%1: no such file").arg(QString::fromStdString(s.evalData));
  error_->setText(problem);
  start_->setEnabled(problem.isEmpty());
  planButton_->setEnabled(problem.isEmpty());
}

void JobLaunchDialog::browse(QLineEdit* field, bool folder) {
  const QString start = field->text().isEmpty() ? QDir::homePath() : QFileInfo(field->text()).absolutePath();
  const QString chosen = folder ? QFileDialog::getExistingDirectory(this, tr("Choose a folder"), start)
                                : QFileDialog::getOpenFileName(this, tr("Choose a file"), start);
  if (!chosen.isEmpty()) field->setText(chosen);
}

void JobLaunchDialog::saveSettings() {
  const QString path = QFileDialog::getSaveFileName(this, tr("Save job settings"), QDir::homePath(),
                                                    tr("Job settings (*.json)"));
  if (path.isEmpty()) return;
  try {
    settings().write(path.toStdString());
    error_->clear();
  } catch (const std::exception& e) {
    error_->setText(QString::fromStdString(e.what()));
  }
}

void JobLaunchDialog::loadSettings() {
  const QString path = QFileDialog::getOpenFileName(this, tr("Load job settings"), QDir::homePath(),
                                                    tr("Job settings (*.json)"));
  if (path.isEmpty()) return;
  try {
    setSettings(JobSettings::read(path.toStdString()));
  } catch (const std::exception& e) {
    error_->setText(QString::fromStdString(e.what())); // the fields keep what they had
  }
}

} // namespace poslab
