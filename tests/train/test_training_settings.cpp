// TrainingSettings <-> JSON, and errors naming the source and the field.
#include "core/train/SequenceSampler.h"
#include "core/train/TrainingSettings.h"
#include "core/util/Error.h"

#include <QtTest/QtTest>
#include <nlohmann/json.hpp>
#include <algorithm>
#include <numeric>

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

  void samplerEpochsArePermutationsAndResumable() {
    SequenceSampler a(7, 3);
    std::vector<size_t> first;
    for (int i = 0; i < 7; ++i)
      first.push_back(a.next());
    std::vector<size_t> sorted = first;
    std::sort(sorted.begin(), sorted.end());
    std::vector<size_t> all(7);
    std::iota(all.begin(), all.end(), size_t{0});
    QCOMPARE(sorted, all);
    a.next(); // into epoch 1
    a.next();
    SequenceSampler b(7, 3);
    b.setState(a.state());
    QCOMPARE(b.state().epoch, uint64_t{1});
    for (int i = 0; i < 20; ++i)
      QCOMPARE(b.next(), a.next());
    SequenceSampler c(7, 4);
    std::vector<size_t> other;
    for (int i = 0; i < 7; ++i)
      other.push_back(c.next());
    QVERIFY(other != first);
  }
};

QTEST_GUILESS_MAIN(TestTrainingSettings)
#include "test_training_settings.moc"
