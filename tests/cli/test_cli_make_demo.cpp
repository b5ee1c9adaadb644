// `poslab-cli make-demo` pins OpenBLAS's AVX2 (Haswell) kernels by running
// itself again with OPENBLAS_CORETYPE=Haswell (core/util/BlasKernels.h): its
// weights equal those of a build given that variable by hand, so the committed
// demos rebuild exactly on any x86-64 CPU with AVX2, whatever kernels OpenBLAS
// would pick for it.
#include "tests/util/FileBytes.h"
#include "tests/util/TestPaths.h"

#include <QProcess>
#include <QProcessEnvironment>
#include <QtTest/QtTest>

using namespace poslab::test;

namespace {

struct Run {
  int exitCode = -1;
  QString err;
};

Run makeDemo(const std::string& out, const QStringList& extra, const QProcessEnvironment& env) {
  QProcess p;
  p.setProcessEnvironment(env);
  p.start(QString::fromLocal8Bit(qgetenv("POSLAB_CLI")),
          QStringList{"make-demo", "--out", QString::fromStdString(out), "--induction-steps", "3",
                      "--short-steps", "2", "--long-steps", "2", "--train-examples", "100",
                      "--heldout-examples", "10", "--probe", "0"} +
              extra);
  if (!p.waitForFinished(300000)) qFatal("make-demo did not finish");
  return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1,
          QString::fromUtf8(p.readAllStandardError())};
}

} // namespace

class TestCliMakeDemo : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void pinsTheAvx2Kernels() {
    QProcessEnvironment plain = QProcessEnvironment::systemEnvironment();
    plain.remove("OPENBLAS_CORETYPE");
    const std::string pinned = tempDir("make-demo-pinned"), byHand = tempDir("make-demo-by-hand");
    const Run a = makeDemo(pinned, {}, plain);
    QVERIFY2(a.exitCode == 0, qPrintable(a.err));
    const QString first = a.err.section('\n', 0, 0);
    if (first.contains("no AVX2") || first.contains("not OpenBLAS")) QSKIP(qPrintable(first));
    QCOMPARE(first, QString("OpenBLAS kernels: Haswell (OPENBLAS_CORETYPE=Haswell)"));

    QProcessEnvironment haswell = plain;
    haswell.insert("OPENBLAS_CORETYPE", "Haswell");
    const Run b = makeDemo(byHand, {"--native-kernels"}, haswell);
    QVERIFY2(b.exitCode == 0, qPrintable(b.err));
    QCOMPARE(b.err.section('\n', 0, 0), QString("OpenBLAS kernels: Haswell (--native-kernels)"));
    QVERIFY(fileBytes(pinned + "/poslab-demo-llama/model.safetensors") ==
            fileBytes(byHand + "/poslab-demo-llama/model.safetensors"));
  }
};

QTEST_GUILESS_MAIN(TestCliMakeDemo)
#include "test_cli_make_demo.moc"
