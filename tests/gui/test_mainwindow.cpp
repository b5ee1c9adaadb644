// The main window driven as a user would (offscreen): open the real stories260K
// model, generate, cancel, survive a bad file, keep the event loop responsive.
#include "app/gui/EngineController.h"
#include "app/gui/MainWindow.h"
#include "tests/gui/StallMeter.h"
#include "tests/util/TestPaths.h"
#include "widgets/GenerationView.h"
#include "widgets/ModelInfoPanel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QElapsedTimer>
#include <QFile>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTimer>
#include <QtTest/QtTest>
#include <memory>

using namespace poslab;
using poslab::test::StallMeter;

namespace {

constexpr int kLoadMs = 60'000;
constexpr int kGenerateMs = 60'000;

} // namespace

class TestMainWindow : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void initTestCase();
  void cleanupTestCase();
  void showsModelInfo();
  void remembersRecentModel();
  void generatesText_data();
  void generatesText();
  void cancelStopsLongGeneration();
  void switchingDtypeReloads();
  void eventLoopStaysResponsive();
  void badModelShowsErrorAndWindowLivesOn_data();
  void badModelShowsErrorAndWindowLivesOn();
  void closingDuringGenerationReturnsPromptly();

private:
  GenerationStats generate(const QString& prompt, int maxNewTokens, bool stopAtEndOfText);
  QString valueText(const char* key) const;

  std::unique_ptr<MainWindow> window_;
  QString modelPath_;
};

void TestMainWindow::initTestCase() {
  QStandardPaths::setTestModeEnabled(true); // QSettings go to a test-only folder
  QCoreApplication::setOrganizationName("PosLabTest");
  QCoreApplication::setApplicationName("test_mainwindow");
  QSettings().clear();

  modelPath_ =
      QDir::cleanPath(QString::fromStdString(test::sharedPath("models/stories260K/stories260K.gguf")));
  QVERIFY2(QFileInfo(modelPath_).isFile(), qPrintable(modelPath_ + " is missing"));
  window_ = std::make_unique<MainWindow>();
  window_->show();
  QVERIFY(QTest::qWaitForWindowExposed(window_.get()));
  QCOMPARE(window_->windowTitle(), QString("PosLab"));
  QVERIFY(!window_->findChild<QPushButton*>("generateButton")->isEnabled()); // no model yet

  QSignalSpy inspected(window_->engine(), &EngineController::modelInspected);
  QSignalSpy ready(window_.get(), &MainWindow::modelReady);
  window_->openModel(modelPath_);
  QTRY_COMPARE_WITH_TIMEOUT(ready.count(), 1, kLoadMs);
  // The estimate came first, from the config alone.
  QCOMPARE(inspected.count(), 1);
  const auto estimate = inspected.at(0).at(0).value<ModelSummary>();
  QVERIFY(!estimate.loaded);
  QVERIFY(estimate.weightBytes > 0);
}

void TestMainWindow::cleanupTestCase() {
  window_.reset();
  QSettings().clear();
}

QString TestMainWindow::valueText(const char* key) const {
  auto* label = window_->modelPanel()->findChild<QLabel*>(key);
  return label ? label->text() : QString("<no label %1>").arg(key);
}

void TestMainWindow::showsModelInfo() {
  QTRY_COMPARE(valueText("layersValue"), QString("5"));
  QCOMPARE(valueText("headsValue"), QString("8"));
  QVERIFY2(valueText("kvHeadsValue").startsWith("4"), qPrintable(valueText("kvHeadsValue")));
  QCOMPARE(valueText("headDimValue"), QString("8"));
  QCOMPARE(valueText("vocabValue"), QString("512"));
  QCOMPARE(valueText("contextValue"), QString("2,048 tokens"));
  QCOMPARE(valueText("computeDtypeValue"), QString("f32"));
  QCOMPARE(valueText("deviceValue"), QString("cpu"));
  QVERIFY(!valueText("tokenizerValue").isEmpty());
  QVERIFY(!valueText("estimateValue").isEmpty());
  QVERIFY(window_->modelPanel()->summary().loaded);
  QVERIFY(window_->findChild<QPushButton*>("generateButton")->isEnabled());
}

void TestMainWindow::remembersRecentModel() {
  QCOMPARE(window_->recentModels().value(0), modelPath_);
  QCOMPARE(QSettings().value("recentModels").toStringList().value(0), modelPath_);
}

GenerationStats TestMainWindow::generate(const QString& prompt, int maxNewTokens, bool stopAtEndOfText) {
  GenerationView* view = window_->generationView();
  view->setPrompt(prompt);
  view->setMaxNewTokens(maxNewTokens);
  view->setStopAtEndOfText(stopAtEndOfText);
  QSignalSpy done(window_->engine(), &EngineController::generationFinished);
  QTest::mouseClick(window_->findChild<QPushButton*>("generateButton"), Qt::LeftButton);
  if (!QTest::qWaitFor([&] { return done.count() == 1; }, kGenerateMs)) return {};
  return done.at(0).at(0).value<GenerationStats>();
}

void TestMainWindow::generatesText_data() {
  QTest::addColumn<QString>("prompt");
  QTest::addColumn<int>("tokens");
  QTest::newRow("story") << "Once upon a time" << 20;
  QTest::newRow("one token") << "Lily" << 1;
  QTest::newRow("empty prompt (BOS only)") << "" << 10;
}

void TestMainWindow::generatesText() {
  QFETCH(QString, prompt);
  QFETCH(int, tokens);
  const GenerationStats stats = generate(prompt, tokens, false);
  QCOMPARE(stats.generatedTokens, tokens);
  QCOMPARE(stats.stopReason, QString("length"));
  GenerationView* view = window_->generationView();
  QVERIFY2(!view->output().trimmed().isEmpty(), "no text appeared");
  QVERIFY2(view->statusText().contains("tokens/s"), qPrintable(view->statusText()));
  QVERIFY(window_->findChild<QPushButton*>("generateButton")->isEnabled());
  QVERIFY(!window_->findChild<QPushButton*>("cancelButton")->isEnabled());
}

void TestMainWindow::cancelStopsLongGeneration() {
  GenerationView* view = window_->generationView();
  const int limit = 2000; // far longer than the wait below at this model's speed
  view->setPrompt("Once upon a time");
  view->setMaxNewTokens(limit);
  view->setStopAtEndOfText(false);
  QCOMPARE(view->maxNewTokens(), limit);
  QSignalSpy done(window_->engine(), &EngineController::generationFinished);
  QTest::mouseClick(window_->findChild<QPushButton*>("generateButton"), Qt::LeftButton);
  QTRY_VERIFY(!view->output().isEmpty()); // it is running and streaming
  auto* cancel = window_->findChild<QPushButton*>("cancelButton");
  QVERIFY(cancel->isEnabled());
  QTest::mouseClick(cancel, Qt::LeftButton);
  QTRY_COMPARE_WITH_TIMEOUT(done.count(), 1, 10'000);
  const auto stats = done.at(0).at(0).value<GenerationStats>();
  QCOMPARE(stats.stopReason, QString("cancelled"));
  QVERIFY(stats.generatedTokens < limit);
  QVERIFY2(view->statusText().contains("cancelled"), qPrintable(view->statusText()));
  // Cancelling leaves the engine ready for the next request.
  QCOMPARE(generate("Once upon a time", 5, false).generatedTokens, 5);
}

void TestMainWindow::switchingDtypeReloads() {
  auto* compute = window_->findChild<QComboBox*>("computeCombo");
  QVERIFY(compute);
  QSignalSpy ready(window_.get(), &MainWindow::modelReady);
  compute->setCurrentIndex(compute->findData("cpu|bf16"));
  QTRY_COMPARE_WITH_TIMEOUT(ready.count(), 1, kLoadMs);
  QCOMPARE(valueText("computeDtypeValue"), QString("bf16"));
  QCOMPARE(window_->modelPanel()->summary().weightBytes * 2, window_->modelPanel()->summary().parameters * 4);
  QCOMPARE(generate("Once upon a time", 8, false).generatedTokens, 8);
  QVERIFY(!window_->generationView()->output().isEmpty());

  compute->setCurrentIndex(compute->findData("cpu|f32"));
  QTRY_COMPARE_WITH_TIMEOUT(ready.count(), 2, kLoadMs);
  QCOMPARE(valueText("computeDtypeValue"), QString("f32"));
}

void TestMainWindow::eventLoopStaysResponsive() {
  StallMeter meter;
  const GenerationStats stats = generate("Once upon a time", 1500, false);
  QCOMPARE(stats.generatedTokens, 1500);
  qInfo("%d tokens at %.0f tokens/s; %d ticks, worst gap %lld ms", stats.generatedTokens,
        stats.tokensPerSecond(), meter.ticks(), meter.worstGapMs());
  QVERIFY(meter.ticks() > 0);
  QVERIFY2(meter.worstGapMs() <= 100,
           qPrintable(QString("event loop stalled for %1 ms").arg(meter.worstGapMs())));
}

void TestMainWindow::badModelShowsErrorAndWindowLivesOn_data() {
  QTest::addColumn<QByteArray>("content"); // empty: the path does not exist
  QTest::addColumn<QString>("name");
  QTest::newRow("garbage .gguf") << QByteArray("this is not a GGUF file at all, just text\n") << "bad.gguf";
  QTest::newRow("truncated GGUF header") << QByteArray("GGUF\x03\x00\x00\x00", 8) << "short.gguf";
  QTest::newRow("missing file") << QByteArray() << "missing.gguf";
}

void TestMainWindow::badModelShowsErrorAndWindowLivesOn() {
  QFETCH(QByteArray, content);
  QFETCH(QString, name);
  const QString dir = QString::fromStdString(test::tempDir("gui-bad-model"));
  const QString path = dir + "/" + name;
  if (!content.isEmpty()) {
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(content);
  }

  QSignalSpy failed(window_->engine(), &EngineController::loadFailed);
  window_->openModel(path);
  QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, kLoadMs);
  const QString message = failed.at(0).at(0).toString();
  QVERIFY2(message.contains(name), qPrintable("the message should name the file: " + message));

  QMessageBox* box = nullptr;
  QTRY_VERIFY((box = window_->findChild<QMessageBox*>("loadErrorBox")) != nullptr);
  QVERIFY(box->text().contains(name));
  QCOMPARE(box->informativeText(), message);
  QVERIFY(window_->statusBar()->currentMessage().contains(name));
  box->close();
  QTRY_VERIFY(window_->findChild<QMessageBox*>("loadErrorBox") == nullptr);

  // The model that was loaded is still loaded and shown, and it still works.
  QVERIFY(window_->engine()->hasModel());
  QCOMPARE(valueText("layersValue"), QString("5"));
  QCOMPARE(window_->modelPanel()->summary().path, modelPath_);
  QCOMPARE(generate("Once upon a time", 3, false).generatedTokens, 3);
}

// A second window: closing it mid-generation cancels and joins the worker quickly.
void TestMainWindow::closingDuringGenerationReturnsPromptly() {
  auto window = std::make_unique<MainWindow>();
  QSignalSpy ready(window.get(), &MainWindow::modelReady);
  window->openModel(modelPath_);
  QTRY_COMPARE_WITH_TIMEOUT(ready.count(), 1, kLoadMs);
  GenerationView* view = window->generationView();
  view->setPrompt("Once upon a time");
  view->setMaxNewTokens(2000);
  view->setStopAtEndOfText(false);
  view->requestGeneration();
  QTRY_VERIFY(!view->output().isEmpty());
  QVERIFY(window->engine()->isBusy());
  QElapsedTimer clock;
  clock.start();
  window.reset();
  QVERIFY2(clock.elapsed() < 2000, qPrintable(QString("closing took %1 ms").arg(clock.elapsed())));
}

QTEST_MAIN(TestMainWindow)
#include "test_mainwindow.moc"
