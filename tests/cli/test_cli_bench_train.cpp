// `poslab-cli bench train` on a fixture model: the report's fields, and the
// eager-PyTorch baseline (tests/reference/bench_train_reference.py) takes the
// same first step: the same random batch gives the same loss to 1e-4, so the
// ratio compares like with like. No speed is asserted (machines are shared).
#include "tests/util/CliProcess.h"
#include "tests/util/TestPaths.h"

using namespace poslab::test;

class TestCliBenchTrain : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void stepMatchesTheEagerReference_data() {
    QTest::addColumn<QString>("dtype");
    QTest::newRow("f32") << "f32";
    QTest::newRow("bf16") << "bf16";
  }
  void stepMatchesTheEagerReference() {
    QFETCH(QString, dtype);
    const QString script =
        QString::fromStdString(resourcePath("../tests/reference/bench_train_reference.py"));
    CliRun r = cli({"bench", "train", QString::fromStdString(fixturePath("llama_basic")), "--batch", "2",
                    "--tokens", "24", "--steps", "2", "--threads", "1", "--dtype", dtype,
                    "--python-reference", script, "--python", "/usr/bin/python3"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const nlohmann::json j = r.json();
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
