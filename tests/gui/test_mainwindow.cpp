// The main window driven as a user would (offscreen): open the real stories260K
// model, generate, cancel, survive a bad file, keep the event loop responsive,
// watch a load's progress and cancel a load half-way.
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
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTimer>
#include <QtEndian>
#include <QtTest/QtTest>
#include <algorithm>
#include <filesystem>
#include <memory>

using namespace poslab;
using poslab::test::StallMeter;

namespace {

constexpr int kLoadMs = 60'000;
constexpr int kGenerateMs = 60'000;

// Bytes of a safetensors file's data region: what a load that reads every
// tensor reports as its total (the file minus its length prefix and header).
qint64 safetensorsDataBytes(const QString& path) {
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly)) return -1;
  const QByteArray prefix = file.read(8);
  if (prefix.size() != 8) return -1;
  const auto header = qFromLittleEndian<quint64>(prefix.constData());
  return file.size() - 8 - static_cast<qint64>(header);
}

// A Llama folder with zero-filled BF16 weights: `layers` layers of width 1024
// (32 MiB stored each). The data region is a hole (QFile::resize), so it is
// written at once and takes no disk space, but loading it converts every
// tensor to f32: slow enough (a few hundred ms) for a Cancel to land half-way.
// Returns the folder; storedBytes: the bytes of all its tensors.
QString writeZeroModel(const QString& dir, int layers, qint64& storedBytes) {
  const qint64 d = 1024, ff = 4096, vocab = 2048;
  QList<QPair<QString, QList<qint64>>> tensors{{"model.embed_tokens.weight", {vocab, d}}};
  for (int i = 0; i < layers; ++i) {
    const QString l = QString("model.layers.%1.").arg(i);
    tensors += {{l + "input_layernorm.weight", {d}},     {l + "self_attn.q_proj.weight", {d, d}},
                {l + "self_attn.k_proj.weight", {d, d}}, {l + "self_attn.v_proj.weight", {d, d}},
                {l + "self_attn.o_proj.weight", {d, d}}, {l + "post_attention_layernorm.weight", {d}},
                {l + "mlp.gate_proj.weight", {ff, d}},   {l + "mlp.up_proj.weight", {ff, d}},
                {l + "mlp.down_proj.weight", {d, ff}}};
  }
  tensors += {{"model.norm.weight", {d}}, {"lm_head.weight", {vocab, d}}};
  QJsonObject header;
  qint64 offset = 0;
  for (const auto& [name, shape] : tensors) {
    qint64 bytes = 2; // BF16
    QJsonArray dims;
    for (qint64 n : shape) {
      bytes *= n;
      dims.append(n);
    }
    header[name] =
        QJsonObject{{"dtype", "BF16"}, {"shape", dims}, {"data_offsets", QJsonArray{offset, offset + bytes}}};
    offset += bytes;
  }
  storedBytes = offset;
  QByteArray json = QJsonDocument(header).toJson(QJsonDocument::Compact);
  json.append(QByteArray((8 - json.size() % 8) % 8, ' ')); // keeps the data 8-byte aligned
  QFile weights(dir + "/model.safetensors");
  if (!weights.open(QIODevice::WriteOnly)) return {};
  char prefix[8];
  qToLittleEndian<quint64>(static_cast<quint64>(json.size()), prefix);
  weights.write(prefix, 8);
  weights.write(json);
  weights.resize(weights.pos() + offset);
  const QJsonObject config{{"architectures", QJsonArray{"LlamaForCausalLM"}},
                           {"model_type", "llama"},
                           {"hidden_size", d},
                           {"intermediate_size", ff},
                           {"num_attention_heads", 16},
                           {"num_key_value_heads", 16},
                           {"num_hidden_layers", layers},
                           {"vocab_size", vocab},
                           {"max_position_embeddings", 512},
                           {"rms_norm_eps", 1e-5},
                           {"rope_theta", 10000.0},
                           {"tie_word_embeddings", false},
                           {"torch_dtype", "bfloat16"}};
  QFile configFile(dir + "/config.json");
  if (!configFile.open(QIODevice::WriteOnly)) return {};
  configFile.write(QJsonDocument(config).toJson());
  return dir;
}

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
  void loadShowsProgress();
  void cancelStopsLoadBeforeTheLastTensor();

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

// The status bar shows a load's progress (MiB done / total, MiB/s) while it
// runs and hides it after; the progress counts every stored byte once.
void TestMainWindow::loadShowsProgress() {
  const QString demo = QDir::cleanPath(QString::fromStdString(test::resourcePath("demo/poslab-demo-llama")));
  auto* bar = window_->findChild<QProgressBar*>("loadProgressBar");
  QVERIFY(bar);
  QVERIFY(!bar->isVisible());
  QSignalSpy progress(window_->engine(), &EngineController::loadProgress);
  QSignalSpy ready(window_.get(), &MainWindow::modelReady);
  QStringList shown; // the bar's text as each progress signal arrives
  bool alwaysVisible = true;
  const auto watch = connect(window_->engine(), &EngineController::loadProgress, this, [&] {
    alwaysVisible = alwaysVisible && bar->isVisible();
    shown << bar->text();
  });
  window_->openModel(demo);
  QTRY_COMPARE_WITH_TIMEOUT(ready.count(), 1, kLoadMs);
  disconnect(watch);

  QVERIFY(progress.count() >= 2); // 0 of total first, total of total last
  const qint64 total = safetensorsDataBytes(demo + "/model.safetensors");
  QVERIFY(total > 0);
  QCOMPARE(progress.first().at(0).toLongLong(), qint64(0));
  for (int i = 0; i < progress.count(); ++i) {
    QCOMPARE(progress.at(i).at(1).toLongLong(), total);
    if (i > 0) QVERIFY(progress.at(i).at(0).toLongLong() > progress.at(i - 1).at(0).toLongLong());
  }
  QCOMPARE(progress.last().at(0).toLongLong(), total);
  QVERIFY(alwaysVisible);
  const QString full = QString::number(static_cast<double>(total) / (1024.0 * 1024.0), 'f', 1);
  // Done: all bytes, a rate, and no time left.
  QVERIFY2(shown.last().startsWith(full + " / " + full + " MiB · ") &&
               shown.last().endsWith(" MiB/s · ETA 0m00s"),
           qPrintable(shown.join(" | ")));
  QVERIFY(!bar->isVisible());
  QVERIFY(!window_->findChild<QPushButton*>("cancelLoadButton")->isVisible());

  window_->openModel(modelPath_); // back to the model the other tests use
  QTRY_COMPARE_WITH_TIMEOUT(ready.count(), 2, kLoadMs);
}

// "Cancel loading", pressed when the bar first shows bytes read (~100 ms into
// a load that takes over a second here), stops the load at a tensor boundary:
// it never reports done == total, no model is loaded, and the usual cancelled
// flow (modelUnloaded + loadCancelled, the status message) runs.
void TestMainWindow::cancelStopsLoadBeforeTheLastTensor() {
  qint64 stored = 0;
  const QString model = writeZeroModel(QString::fromStdString(test::tempDir("gui-zero-model")), 6, stored);
  QVERIFY(!model.isEmpty());
  auto* bar = window_->findChild<QProgressBar*>("loadProgressBar");
  auto* cancel = window_->findChild<QPushButton*>("cancelLoadButton");
  QSignalSpy progress(window_->engine(), &EngineController::loadProgress);
  QSignalSpy unloaded(window_->engine(), &EngineController::modelUnloaded);
  QSignalSpy cancelled(window_.get(), &MainWindow::loadCancelled);
  QSignalSpy ready(window_.get(), &MainWindow::modelReady);
  QString shownAtClick;
  bool clicked = false;
  const auto press = connect(window_->engine(), &EngineController::loadProgress, this, [&](qint64 done) {
    if (clicked || done == 0 || !cancel->isVisible()) return;
    clicked = true;
    shownAtClick = bar->isVisible() ? bar->text() : QString("<hidden>");
    QTest::mouseClick(cancel, Qt::LeftButton);
  });
  QElapsedTimer clock;
  clock.start();
  window_->openModel(model);
  QTRY_COMPARE_WITH_TIMEOUT(cancelled.count(), 1, kLoadMs);
  const qint64 ms = clock.elapsed();
  disconnect(press);

  QVERIFY(clicked);
  QVERIFY2(shownAtClick.contains(" MiB"), qPrintable(shownAtClick));
  QCOMPARE(ready.count(), 0);
  QVERIFY(!window_->engine()->hasModel());
  QVERIFY(!window_->engine()->isBusy());
  QVERIFY(unloaded.count() >= 1);
  QVERIFY(progress.count() >= 2); // 0 of total, then the bytes the click answered
  qint64 furthest = 0;
  for (const QList<QVariant>& p : progress) {
    QCOMPARE(p.at(1).toLongLong(), stored);
    furthest = std::max(furthest, p.at(0).toLongLong());
  }
  QVERIFY2(furthest < stored, "the load ran to its end");
  QVERIFY2(window_->statusBar()->currentMessage().contains("no model is loaded"),
           qPrintable(window_->statusBar()->currentMessage()));
  QVERIFY(!bar->isVisible());
  QVERIFY(!cancel->isVisible());
  qInfo("cancelled after %lld ms; furthest progress seen: %lld of %lld bytes (%d signals)", ms, furthest,
        stored, static_cast<int>(progress.count()));

  window_->openModel(modelPath_); // and the next load works
  QTRY_COMPARE_WITH_TIMEOUT(ready.count(), 1, kLoadMs);
  std::filesystem::remove_all(QFileInfo(model).absoluteFilePath().toStdString());
}

QTEST_MAIN(TestMainWindow)
#include "test_mainwindow.moc"
