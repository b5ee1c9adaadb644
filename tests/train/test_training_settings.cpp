// TrainingSettings <-> JSON, and errors naming the source and the field.
#include "core/train/TrainingSettings.h"
#include "core/util/Error.h"

#include <QtTest/QtTest>
#include <nlohmann/json.hpp>

using namespace poslab;

class TestTrainingSettings : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void jsonRoundTrip() {
    TrainingSettings s;
    s.lr = 1e-4;
    s.seed = 42;
    s.dtype = "bf16";
    s.lossOn = "all";
    s.microBatch = 4;
    s.shuffle = false;
    TrainingSettings back = TrainingSettings::fromJson(s.toJson(), "run.json");
    QCOMPARE(back.toJson().dump(), s.toJson().dump());
  }

  // Run folders written before micro_batch: B per pass and A passes per step.
  void olderAccumulationReadsAsGlobalBatch() {
    const auto s = TrainingSettings::fromJson(
        nlohmann::json::parse(R"({"batch_size": 4, "grad_accumulation": 3})"), "run.json");
    QCOMPARE(s.batchSize, int64_t(12));
    QCOMPARE(s.microBatch, int64_t(4));
    QCOMPARE(s.microBatches(), int64_t(3));
    const auto one = TrainingSettings::fromJson(
        nlohmann::json::parse(R"({"batch_size": 4, "grad_accumulation": 1})"), "run.json");
    QCOMPARE(one.batchSize, int64_t(4));
    QCOMPARE(one.microBatches(), int64_t(1));
  }

  void microBatchesCoverTheBatch() {
    TrainingSettings s;
    s.batchSize = 10;
    s.microBatch = 0;
    QCOMPARE(s.microBatches(), int64_t(1));
    s.microBatch = 3;
    QCOMPARE(s.microBatches(), int64_t(4));
    s.microBatch = 64;
    QCOMPARE(s.microBatches(), int64_t(1));
  }

  void errors_data() {
    QTest::addColumn<QString>("json");
    QTest::addColumn<QString>("message");
    QTest::newRow("unknown") << R"({"learning_rate": 1})"
                             << "run.json: learning_rate: unknown training setting";
    QTest::newRow("type") << R"({"lr": "fast"})"
                          << "run.json: lr: has the wrong type (string)";
    QTest::newRow("dtype") << R"({"dtype": "f16"})"
                           << "run.json: dtype: must be \"f32\" or \"bf16\", not \"f16\"";
    QTest::newRow("loss_on") << R"({"loss_on": "prompt"})"
                             << "run.json: loss_on: must be \"answer\" or \"all\", not \"prompt\"";
    QTest::newRow("steps") << R"({"total_steps": 0})"
                           << "run.json: total_steps: must be >= 1";
    QTest::newRow("shuffle") << R"({"shuffle": "no"})"
                             << "run.json: shuffle: has the wrong type (string)";
    QTest::newRow("micro_batch") << R"({"micro_batch": -1})"
                                 << "run.json: micro_batch: must be >= 0 (0 = the whole batch)";
    QTest::newRow("both forms") << R"({"micro_batch": 2, "grad_accumulation": 2})"
                                << "run.json: grad_accumulation: cannot be combined with micro_batch";
    QTest::newRow("not an object") << "[1]"
                                   << "run.json: settings: must be a JSON object";
  }
  void errors() {
    QFETCH(QString, json);
    QFETCH(QString, message);
    try {
      TrainingSettings::fromJson(nlohmann::json::parse(json.toStdString()), "run.json");
      QFAIL("no error");
    } catch (const Error& e) {
      QCOMPARE(QString(e.what()), message);
    }
  }
};

QTEST_GUILESS_MAIN(TestTrainingSettings)
#include "test_training_settings.moc"
