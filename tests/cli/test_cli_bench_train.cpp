// `poslab-cli bench train` on a fixture model: the report's fields, and the
// eager-PyTorch baseline (tests/reference/bench_train_reference.py) takes the
// same steps: the same random batch gives the same first and second loss to
// 1e-4 (f32), so the ratio compares like with like. No speed is asserted
// (machines are shared).
#include "tests/util/CliProcess.h"
#include "tests/util/TestPaths.h"

using namespace poslab::test;

class TestCliBenchTrain : public QObject {
  Q_OBJECT
private Q_SLOTS:
  // Cross-entropy (the training step) and Pos2Distill's R1 step (KL to a
  // cached or live teacher, the paper weighting): the same first loss as the
  // reference's, and the second loss too (the same update in between).
  void stepMatchesTheEagerReference_data() {
    QTest::addColumn<QString>("dtype");
    QTest::addColumn<QString>("objective");
    QTest::addColumn<QString>("teacher");
    QTest::newRow("ce f32") << "f32"
                            << "ce"
                            << "";
    QTest::newRow("ce bf16") << "bf16"
                             << "ce"
                             << "";
    QTest::newRow("r1 f32 cache") << "f32"
                                  << "r1"
                                  << "cache";
    QTest::newRow("r1 f32 live") << "f32"
                                 << "r1"
                                 << "live";
    QTest::newRow("r1 bf16 cache") << "bf16"
                                   << "r1"
                                   << "cache";
  }
  void stepMatchesTheEagerReference() {
    QFETCH(QString, dtype);
    QFETCH(QString, objective);
    QFETCH(QString, teacher);
    const QString script =
        QString::fromStdString(resourcePath("../tests/reference/bench_train_reference.py"));
    QStringList args = {"bench",
                        "train",
                        QString::fromStdString(fixturePath("llama_basic")),
                        "--batch",
                        "3",
                        "--tokens",
                        "24",
                        "--steps",
                        "1",
                        "--threads",
                        "1",
                        "--dtype",
                        dtype,
                        "--python-reference",
                        script,
                        "--python",
                        "/usr/bin/python3"};
    if (objective == "r1")
      args << "--objective"
           << "r1"
           << "--response-tokens"
           << "5"
           << "--teacher" << teacher;
    CliRun r = cli(args);
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const nlohmann::json j = r.json();
    QCOMPARE(QString::fromStdString(j["objective"].get<std::string>()), objective);
    if (objective == "r1") {
      QCOMPARE(j["r1"]["teacher_cache_bytes"].get<int64_t>() > 0, teacher == "cache");
      QCOMPARE(QString::fromStdString(j["python_reference"]["teacher"].get<std::string>()), teacher);
    }
    const double second = j["step"]["loss_last"], theirsSecond = j["python_reference"]["loss_last"];
    QVERIFY2(std::abs(second - theirsSecond) <=
                 (dtype == "f32" ? 1e-4 : 5e-2) * std::max(1.0, std::abs(theirsSecond)),
             qPrintable(QString("second step: %1 vs %2").arg(second).arg(theirsSecond)));
    QCOMPARE(j["trained_parameters"], j["model"]["parameters"]);
    QVERIFY(j["step"]["tokens_per_s"].get<double>() > 0);
    QVERIFY(j["step"]["fraction_of_peak"].get<double>() > 0);
    QVERIFY(j["speedup_vs_python"].get<double>() > 0);
    const double ours = j["step"]["loss_first"], theirs = j["python_reference"]["loss_first"];
    const double tolerance = dtype == "f32" ? 1e-4 : 2e-2; // bf16 rounds differently in each
    QVERIFY2(std::abs(ours - theirs) <= tolerance, qPrintable(QString("%1 vs %2").arg(ours).arg(theirs)));
  }

  void loraIsMeasuredWithoutTheReference() {
    CliRun r = cli({"bench", "train", QString::fromStdString(fixturePath("llama_basic")), "--batch", "2",
                    "--tokens", "16", "--steps", "1", "--threads", "1", "--lora", "4"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QVERIFY(r.json()["trained_parameters"].get<int64_t>() < r.json()["model"]["parameters"].get<int64_t>());
    CliRun refused = cli({"bench", "train", QString::fromStdString(fixturePath("llama_basic")), "--lora", "4",
                          "--python-reference", "x.py"});
    QVERIFY(refused.exitCode != 0);
    QVERIFY2(refused.err.contains("--python-reference"), qPrintable(refused.err));
  }
};

QTEST_GUILESS_MAIN(TestCliBenchTrain)
#include "test_cli_bench_train.moc"
