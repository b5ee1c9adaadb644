#include "widgets/GenerationView.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QKeySequence>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QShortcut>
#include <QSpinBox>
#include <QTextCharFormat>
#include <QTextCursor>
#include <QVBoxLayout>

namespace poslab {

namespace {

QString rate(int tokens, double seconds) {
  if (seconds <= 0) return QStringLiteral("—");
  const double perSecond = tokens / seconds;
  return QString::number(perSecond, 'f', perSecond >= 100 ? 0 : 1);
}

QString duration(double seconds) {
  return seconds < 1 ? QString::number(seconds * 1000, 'f', 0) + " ms"
                     : QString::number(seconds, 'f', 2) + " s";
}

QString tokenCount(int n) {
  return n == 1 ? GenerationView::tr("1 token") : GenerationView::tr("%1 tokens").arg(n);
}

QString stopReasonText(const QString& reason) {
  if (reason == QLatin1String("eos")) return GenerationView::tr("stopped at the end-of-text token");
  if (reason == QLatin1String("stop-string")) return GenerationView::tr("stopped at a stop string");
  if (reason == QLatin1String("length")) return GenerationView::tr("reached the token limit");
  if (reason == QLatin1String("cancelled")) return GenerationView::tr("cancelled");
  return reason;
}

} // namespace

GenerationView::GenerationView(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(8, 8, 8, 8);
  layout->setSpacing(6);

  promptEdit_ = new QPlainTextEdit(this);
  promptEdit_->setObjectName("promptEdit");
  promptEdit_->setPlaceholderText(tr("Text for the model to continue, e.g. “Once upon a time”. "
                                     "Empty: the model starts from its begin-of-text token."));
  promptEdit_->setToolTip(tr("Text the model continues. Ctrl+Return generates."));
  promptEdit_->setTabChangesFocus(true);
  promptEdit_->setMinimumHeight(60);
  auto* promptLabel = new QLabel(tr("&Prompt"), this);
  promptLabel->setBuddy(promptEdit_);
  layout->addWidget(promptLabel);
  layout->addWidget(promptEdit_, 1);

  auto* controls = new QHBoxLayout;
  controls->setSpacing(8);
  maxTokens_ = new QSpinBox(this);
  maxTokens_->setObjectName("maxTokensSpin");
  maxTokens_->setRange(1, 4096);
  maxTokens_->setValue(100);
  maxTokens_->setAccelerated(true);
  maxTokens_->setToolTip(tr("Most tokens to generate after the prompt (greedy decoding)"));
  auto* maxLabel = new QLabel(tr("&Max new tokens"), this);
  maxLabel->setBuddy(maxTokens_);
  maxLabel->setToolTip(maxTokens_->toolTip());
  controls->addWidget(maxLabel);
  controls->addWidget(maxTokens_);

  stopAtEos_ = new QCheckBox(tr("&Stop at end of text"), this);
  stopAtEos_->setObjectName("stopAtEosCheck");
  stopAtEos_->setChecked(true);
  stopAtEos_->setToolTip(tr("Stop when the model emits its end-of-text token; "
                            "untick to always generate the full number of tokens"));
  controls->addSpacing(8);
  controls->addWidget(stopAtEos_);
  controls->addStretch(1);

  generate_ = new QPushButton(tr("&Generate"), this);
  generate_->setObjectName("generateButton");
  generate_->setToolTip(tr("Continue the prompt with the loaded model (Ctrl+Return)"));
  generate_->setDefault(true);
  cancel_ = new QPushButton(tr("Cancel"), this);
  cancel_->setObjectName("cancelButton");
  cancel_->setToolTip(tr("Stop the running generation after the current token (Esc)"));
  controls->addWidget(generate_);
  controls->addWidget(cancel_);
  layout->addLayout(controls);

  outputEdit_ = new QPlainTextEdit(this);
  outputEdit_->setObjectName("outputEdit");
  outputEdit_->setReadOnly(true);
  outputEdit_->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
  outputEdit_->setToolTip(tr("The prompt (grey) and what the model generated"));
  outputEdit_->setMinimumHeight(120);
  auto* outputLabel = new QLabel(tr("&Output"), this);
  outputLabel->setBuddy(outputEdit_);
  layout->addWidget(outputLabel);
  layout->addWidget(outputEdit_, 4);

  status_ = new QLabel(this);
  status_->setObjectName("generationStatus");
  status_->setToolTip(tr("Tokens generated and decoding speed of the last generation"));
  status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  layout->addWidget(status_);

  connect(generate_, &QPushButton::clicked, this, &GenerationView::requestGeneration);
  connect(cancel_, &QPushButton::clicked, this, &GenerationView::cancelRequested);
  auto* generateKey = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return), this);
  generateKey->setContext(Qt::WidgetWithChildrenShortcut);
  connect(generateKey, &QShortcut::activated, this, &GenerationView::requestGeneration);
  auto* cancelKey = new QShortcut(QKeySequence(Qt::Key_Escape), this);
  cancelKey->setContext(Qt::WidgetWithChildrenShortcut);
  connect(cancelKey, &QShortcut::activated, this, [this] {
    if (running_) Q_EMIT cancelRequested();
  });

  setMinimumSize(420, 320);
  updateControls();
}

QString GenerationView::prompt() const {
  return promptEdit_->toPlainText();
}
void GenerationView::setPrompt(const QString& text) {
  promptEdit_->setPlainText(text);
}
int GenerationView::maxNewTokens() const {
  return maxTokens_->value();
}
void GenerationView::setMaxNewTokens(int n) {
  maxTokens_->setValue(n);
}
bool GenerationView::stopAtEndOfText() const {
  return stopAtEos_->isChecked();
}
void GenerationView::setStopAtEndOfText(bool stop) {
  stopAtEos_->setChecked(stop);
}
QString GenerationView::output() const {
  return output_;
}
QString GenerationView::statusText() const {
  return status_->text();
}

void GenerationView::setModelReady(bool ready) {
  modelReady_ = ready;
  if (!ready && !running_)
    setStatus(tr("No model loaded: open one with File → Open Model…"));
  else if (ready && !running_)
    setStatus(tr("Ready."));
  updateControls();
}

void GenerationView::setTokenLimit(int limit) {
  maxTokens_->setMaximum(std::max(1, limit));
}

void GenerationView::requestGeneration() {
  if (!modelReady_ || running_) return;
  Q_EMIT generateRequested(prompt(), maxNewTokens(), stopAtEndOfText());
}

void GenerationView::started() {
  running_ = true;
  output_.clear();
  clock_.start();
  outputEdit_->clear();
  QTextCharFormat promptFormat;
  QColor promptColor = palette().color(QPalette::Text); // the prompt is shown dimmed, still readable
  promptColor.setAlphaF(0.55f);
  promptFormat.setForeground(promptColor);
  QTextCursor cursor(outputEdit_->document());
  cursor.insertText(prompt(), promptFormat);
  cursor.setCharFormat(QTextCharFormat());
  setStatus(tr("Generating…"));
  updateControls();
}

void GenerationView::appendText(const QString& piece, int generatedTokens) {
  output_ += piece;
  QScrollBar* bar = outputEdit_->verticalScrollBar();
  const bool follow = bar->value() == bar->maximum();
  QTextCursor cursor(outputEdit_->document());
  cursor.movePosition(QTextCursor::End);
  cursor.insertText(piece, QTextCharFormat());
  if (follow) bar->setValue(bar->maximum());
  const double seconds = clock_.elapsed() / 1000.0;
  setStatus(
      tr("Generating… %1, %2 tokens/s").arg(tokenCount(generatedTokens), rate(generatedTokens, seconds)));
}

void GenerationView::finished(const GenerationStats& stats) {
  running_ = false;
  setStatus(tr("%1 in %2, %3 tokens/s · prompt: %4 in %5 · %6")
                .arg(tokenCount(stats.generatedTokens), duration(stats.decodeSeconds),
                     rate(stats.generatedTokens, stats.decodeSeconds), tokenCount(stats.promptTokens),
                     duration(stats.prefillSeconds), stopReasonText(stats.stopReason)));
  updateControls();
}

void GenerationView::failed(const QString& message) {
  running_ = false;
  setStatus(tr("Generation failed: %1").arg(message));
  updateControls();
}

void GenerationView::setStatus(const QString& text) {
  status_->setText(text);
}

void GenerationView::updateControls() {
  generate_->setEnabled(modelReady_ && !running_);
  cancel_->setEnabled(running_);
  promptEdit_->setReadOnly(running_);
  maxTokens_->setEnabled(!running_);
  stopAtEos_->setEnabled(!running_);
}

} // namespace poslab
