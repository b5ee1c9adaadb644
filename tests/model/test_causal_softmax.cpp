// CausalSoftmax, our AVX-512 softmax of causal attention scores, against the
// definition computed by ATen in fp64: a row sees its keys up to its own
// position, normalised in fp32 and rounded once; later keys are exactly 0.
#include "core/model/CausalSoftmax.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <QtTest/QtTest>
#include <cmath>
#include <limits>

using namespace poslab;

namespace {

// Which keys each of [N, rows, G, keys] scores' rows sees: row i, keys
// [0, keys - rows + i]. [1, rows, 1, keys]
at::Tensor visible(int64_t rows, int64_t keys) {
  return at::ones({rows, keys}, at::kBool).tril(keys - rows).view({1, rows, 1, keys});
}

// The causal softmax in fp64.
at::Tensor expected(const at::Tensor& scores) {
  const at::Tensor hidden = visible(scores.size(1), scores.size(3)).logical_not();
  return at::softmax(scores.to(at::kDouble).masked_fill(hidden, -INFINITY), -1);
}

// ATen's softmax in the scores' dtype after an explicit -inf mask: the engine's
// path without our kernel.
at::Tensor atenCausalSoftmax(const at::Tensor& scores) {
  const at::Tensor hidden = visible(scores.size(1), scores.size(3)).logical_not();
  return at::_softmax(scores.masked_fill(hidden, -INFINITY), -1, false);
}

// The largest error in units of the dtype's spacing at the expected value
// (ulps), over every element: 0.5 means correctly rounded.
double worstUlps(const at::Tensor& got, const at::Tensor& want) {
  const double epsilon = got.scalar_type() == at::kBFloat16 ? std::ldexp(1.0, -7) : std::ldexp(1.0, -23);
  at::Tensor w = want.to(at::kDouble);
  // Spacing of the binade holding each value; below the smallest normal, that of
  // the smallest normal (the rounding step of denormals).
  at::Tensor spacing =
      at::exp2(at::floor(at::log2(w.abs().clamp_min(std::numeric_limits<float>::min())))) * epsilon;
  return ((got.to(at::kDouble) - w).abs() / spacing).max().item<double>();
}

at::Tensor randomScores(int64_t n, int64_t rows, int64_t G, int64_t keys, double spread, at::ScalarType t) {
  at::manual_seed(n * 1000 + rows * 10 + keys);
  return (at::randn({n, rows, G, keys}, at::kDouble) * spread).to(t);
}

} // namespace

class TestCausalSoftmax : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void init() {
    if (!CausalSoftmax::available()) QSKIP("this CPU has no AVX-512 F/BW/VL: the engine uses ATen's softmax");
  }

  void matchesTheDefinition_data() {
    QTest::addColumn<int>("dtype");
    QTest::addColumn<qint64>("rows");
    QTest::addColumn<qint64>("keys");
    QTest::addColumn<double>("spread");
    for (int t : {int(at::kFloat), int(at::kBFloat16)}) {
      const char* name = t == int(at::kFloat) ? "f32" : "bf16";
      // Keys that are and are not multiples of the 16 lanes, rows up to keys,
      // one visible key, and scores far apart (exp underflows to 0).
      QTest::addRow("%s 5x37", name) << t << qint64(5) << qint64(37) << 3.0;
      QTest::addRow("%s 16x16", name) << t << qint64(16) << qint64(16) << 3.0;
      QTest::addRow("%s 1x1", name) << t << qint64(1) << qint64(1) << 3.0;
      QTest::addRow("%s 128x2053", name) << t << qint64(128) << qint64(2053) << 8.0;
      QTest::addRow("%s 7x300 wide", name) << t << qint64(7) << qint64(300) << 200.0;
    }
  }

  void matchesTheDefinition() {
    QFETCH(int, dtype);
    QFETCH(qint64, rows);
    QFETCH(qint64, keys);
    QFETCH(double, spread);
    at::Tensor scores = randomScores(2, rows, 3, keys, spread, static_cast<at::ScalarType>(dtype));
    const at::Tensor want = expected(scores);
    at::Tensor got = scores.clone();
    CausalSoftmax::inPlace(got);
    QCOMPARE(got.scalar_type(), scores.scalar_type());
    // fp32: within 2 ulps of ATen's own error on the same scores (a fp32
    // softmax is off by several ulps: x - max rounds, and exp magnifies it;
    // 53 ulps at 2 053 keys for both); bf16: the fp32 row rounded once, so
    // within one bf16 ulp. Masked keys are exactly 0, rows sum to 1.
    const double ulps = worstUlps(got, want);
    const double bound = dtype == int(at::kFloat) ? worstUlps(atenCausalSoftmax(scores), want) + 2.0 : 1.0;
    QVERIFY2(ulps <= bound, qPrintable(QString("%1 ulps, more than %2").arg(ulps).arg(bound)));
    const at::Tensor allowed = visible(rows, keys);
    QVERIFY(at::equal(got.masked_select(allowed.logical_not().expand_as(got)),
                      at::zeros({got.numel() - allowed.sum().item<int64_t>() * 2 * 3}, got.options())));
    const double sumError = (got.to(at::kDouble).sum(-1) - 1.0).abs().max().item<double>();
    QVERIFY2(sumError < (dtype == int(at::kFloat) ? 1e-5 : 0.02), qPrintable(QString::number(sumError)));
  }

  // ATen's bf16 softmax rounds the fp32 row once too: the two agree to within
  // one bf16 ulp everywhere and exactly almost everywhere.
  void agreesWithAtenInBf16() {
    at::Tensor scores = randomScores(4, 128, 3, 1024, 4.0, at::kBFloat16);
    at::Tensor got = scores.clone();
    CausalSoftmax::inPlace(got);
    const at::Tensor aten = atenCausalSoftmax(scores);
    const at::Tensor differ = got.to(at::kFloat) != aten.to(at::kFloat);
    const double fraction = differ.sum().item<double>() / static_cast<double>(differ.numel());
    QVERIFY2(worstUlps(got, aten.to(at::kDouble)) <= 1.0, "more than one bf16 ulp from ATen");
    QVERIFY2(fraction < 1e-3,
             qPrintable(QString("%1 of the probabilities differ from ATen's").arg(fraction)));
  }

  // A NaN score makes its row NaN, as ATen's softmax does; other rows are untouched.
  void nanSpreadsOverItsRowOnly() {
    at::Tensor scores = randomScores(1, 4, 1, 40, 1.0, at::kFloat);
    scores[0][2][0][5] = std::numeric_limits<float>::quiet_NaN();
    CausalSoftmax::inPlace(scores);
    QVERIFY(at::isnan(scores[0][2][0].narrow(0, 0, 36 + 2 + 1)).all().item<bool>());
    QVERIFY(!at::isnan(scores[0][1]).any().item<bool>());
    QVERIFY(!at::isnan(scores[0][3]).any().item<bool>());
  }

  // The rows are split over the intra-op pool; the result must not depend on it.
  void threadCountDoesNotChangeResults() {
    const at::Tensor scores = randomScores(3, 64, 2, 700, 5.0, at::kBFloat16);
    at::Tensor one = scores.clone(), two = scores.clone();
    const int threads = at::get_num_threads();
    at::set_num_threads(1);
    CausalSoftmax::inPlace(one);
    at::set_num_threads(2);
    CausalSoftmax::inPlace(two);
    at::set_num_threads(threads);
    QVERIFY(at::equal(one, two));
  }

  void refusesWhatItCannotRun() {
    at::Tensor notContiguous = randomScores(1, 4, 2, 8, 1.0, at::kFloat).transpose(1, 2);
    QVERIFY_THROWS_EXCEPTION(c10::Error, CausalSoftmax::inPlace(notContiguous));
    at::Tensor moreRowsThanKeys = randomScores(1, 9, 1, 8, 1.0, at::kFloat);
    QVERIFY_THROWS_EXCEPTION(c10::Error, CausalSoftmax::inPlace(moreRowsThanKeys));
    at::Tensor doubles = randomScores(1, 4, 1, 8, 1.0, at::kDouble);
    QVERIFY_THROWS_EXCEPTION(c10::Error, CausalSoftmax::inPlace(doubles));
  }
};

QTEST_APPLESS_MAIN(TestCausalSoftmax)
#include "test_causal_softmax.moc"
