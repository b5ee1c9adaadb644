// AttentionAggregator: the document × gold-position matrix is the mean over the
// profiles added at each position, per layer (mean over heads) and over layers.
#include "core/attention/AttentionAggregator.h"
#include "core/util/Error.h"

#include <QtTest/QtTest>

using namespace poslab;

namespace {

// 2 layers, 2 heads, 3 documents; mass(l, h, d) = base + l + 10 h + 100 d (scaled).
AttentionProfile makeProfile(float base) {
  AttentionProfile p;
  p.query = "last";
  p.layers = 2;
  p.heads = 2;
  p.documents = 3;
  for (size_t l = 0; l < 2; ++l)
    for (size_t h = 0; h < 2; ++h) {
      for (size_t d = 0; d < 3; ++d)
        p.mass.push_back((base + float(l) + 10.0f * float(h) + 100.0f * float(d)) / 1000.0f);
      p.outsideMass.push_back(0.5f + 0.1f * float(h));
      p.sinkMass.push_back(0.2f * float(l + 1));
    }
  p.sinkShare = {0.2f, 0.4f};
  return p;
}

} // namespace

class TestAttentionAggregator : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void meansPerPosition() {
    AttentionAggregator agg(3);
    agg.add(makeProfile(1), 0);
    agg.add(makeProfile(3), 0);
    agg.add(makeProfile(7), 2);
    const AttentionMassMatrix m = agg.result();
    QCOMPARE(m.documents, size_t(3));
    QCOMPARE(m.positions, size_t(3));
    QCOMPARE(m.counts, (std::vector<size_t>{2, 0, 1}));
    // position 0: mean of bases 1 and 3 = 2; head mean adds 5; layer 1 adds 1.
    QCOMPARE(m.layerAt(0, 1, 0), (2.0f + 5.0f + 100.0f) / 1000.0f);
    QCOMPARE(m.layerAt(1, 2, 0), (2.0f + 1.0f + 5.0f + 200.0f) / 1000.0f);
    QVERIFY(std::abs(m.averagedAt(2, 0) - (2.0f + 0.5f + 5.0f + 200.0f) / 1000.0f) < 1e-6f);
    QVERIFY(std::abs(m.averagedAt(0, 2) - (7.0f + 0.5f + 5.0f) / 1000.0f) < 1e-6f);
    QCOMPARE(m.averagedAt(0, 1), 0.0f); // no profile: count 0
    QVERIFY(std::abs(m.outsidePerLayer[0 * 3 + 0] - 0.55f) < 1e-6f);
    QVERIFY(std::abs(m.sinkPerLayer[1 * 3 + 2] - 0.4f) < 1e-6f);
    QCOMPARE(agg.added(), size_t(3));
  }

  void rejectsMismatches() {
    AttentionAggregator agg(3);
    QVERIFY_THROWS_EXCEPTION(Error, agg.add(makeProfile(1), 3));
    agg.add(makeProfile(1), 1);
    AttentionProfile other = makeProfile(1);
    other.query = "answer";
    QVERIFY_THROWS_EXCEPTION(Error, agg.add(other, 0));
    AttentionProfile fewer = makeProfile(1);
    fewer.documents = 2;
    QVERIFY_THROWS_EXCEPTION(Error, agg.add(fewer, 0));
  }
};

QTEST_GUILESS_MAIN(TestAttentionAggregator)
#include "test_attention_aggregator.moc"
