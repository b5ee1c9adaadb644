#pragma once
// Prompt in, streamed text out. Knows nothing of engines: it asks for work with
// signals and is told what happened through its slots.
#include "widgets/GenerationStats.h"

#include <QElapsedTimer>
#include <QWidget>

class QCheckBox;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;

namespace poslab {

class GenerationView : public QWidget {
  Q_OBJECT
public:
  explicit GenerationView(QWidget* parent = nullptr);

  QString prompt() const;
  void setPrompt(const QString& text);
  int maxNewTokens() const;
  void setMaxNewTokens(int n);
  bool stopAtEndOfText() const;
  void setStopAtEndOfText(bool stop);
  QString output() const; // the generated continuation only
  QString statusText() const;
  bool isRunning() const { return running_; }

Q_SIGNALS:
  void generateRequested(const QString& prompt, int maxNewTokens, bool stopAtEndOfText);
  void cancelRequested();

public Q_SLOTS:
  // Whether a model is ready to generate; without one the controls explain what to do.
  void setModelReady(bool ready);
  // Most new tokens the spin box allows (the model's context length).
  void setTokenLimit(int limit);
  // A generation began: shows the prompt, clears the previous output.
  void started();
  void appendText(const QString& piece, int generatedTokens);
  void finished(const poslab::GenerationStats& stats);
  void failed(const QString& message);
  void setStatus(const QString& text);

  // Asks for a generation with the current prompt and settings (the Generate button).
  void requestGeneration();

private:
  void updateControls();

  QPlainTextEdit* promptEdit_ = nullptr;
  QSpinBox* maxTokens_ = nullptr;
  QCheckBox* stopAtEos_ = nullptr;
  QPushButton* generate_ = nullptr;
  QPushButton* cancel_ = nullptr;
  QPlainTextEdit* outputEdit_ = nullptr;
  QLabel* status_ = nullptr;
  QString output_;
  QElapsedTimer clock_;
  bool modelReady_ = false;
  bool running_ = false;
};

} // namespace poslab
