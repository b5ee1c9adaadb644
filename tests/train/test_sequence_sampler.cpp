// SequenceSampler: every epoch is a permutation decided by (seed, epoch);
// a restored state continues the same order; another seed gives another order;
// without shuffling every epoch is the given order.
#include "core/train/SequenceSampler.h"

#include <QtTest/QtTest>
#include <algorithm>
#include <numeric>

using namespace poslab;

class TestSequenceSampler : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void epochsArePermutationsAndResumable() {
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

  void unshuffledVisitsTheGivenOrderEveryEpoch() {
    SequenceSampler a(5, 3, false);
    for (int epoch = 0; epoch < 3; ++epoch)
      for (size_t i = 0; i < 5; ++i)
        QCOMPARE(a.next(), i);
    SequenceSampler b(5, 3, false);
    b.setState({1, 2});
    QCOMPARE(b.next(), size_t{2});
  }
};

QTEST_GUILESS_MAIN(TestSequenceSampler)
#include "test_sequence_sampler.moc"
