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
    s.gradAccumulation = 4;
    s.shuffle = false;
    TrainingSettings back = TrainingSettings::fromJson(s.toJson(), "run.json");
    QCOMPARE(back.toJson().dump(), s.toJson().dump());
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
