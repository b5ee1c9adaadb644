#include "core/distill/DistillLoss.h"

#include "core/distill/KlObjective.h"
#include "core/distill/TeacherDistributions.h"
#include "core/engine/Engine.h"
#include "core/util/Error.h"

#include <algorithm>
#include <memory>

namespace poslab {

DistillLossResult DistillLoss::compute(const Engine& student, const Engine* teacher, DistillSet set,
                                       const DistillLossSettings& settings) {
  const LlamaModel& studentModel = student.model();
  const LlamaModel& teacherModel = teacher ? teacher->model() : studentModel;
  // The KL sums over the vocabulary of both: the same ids must mean the same tokens.
  if (teacherModel.config().vocabSize != studentModel.config().vocabSize)
    fail(teacher->info().path, "vocab_size", "differs from the student's");
  KlObjective::Pairs pairs = KlObjective::teacherPairs(set);
  auto distributions = std::make_shared<TeacherDistributions>(
      teacherModel, pairs.sequences, TeacherDistributions::Mode::Cached, settings.batch);
  const KlObjective objective(std::move(set), pairs.ofInstance, distributions, settings.weighting,
                              settings.lambda);
  objective.check(studentModel.config());

  std::vector<size_t> all(objective.size());
  for (size_t i = 0; i < all.size(); ++i)
    all[i] = i;
  DistillLossResult out;
  std::vector<double> kl;
  const auto batch = static_cast<size_t>(std::max<int64_t>(1, settings.batch));
  for (size_t first = 0; first < all.size(); first += batch) {
    const std::vector<size_t> chunk(all.begin() + static_cast<std::ptrdiff_t>(first),
                                    all.begin() +
                                        static_cast<std::ptrdiff_t>(std::min(all.size(), first + batch)));
    for (auto& t : objective.tokenKl(studentModel, chunk)) {
      double sum = 0;
      for (double v : t)
        sum += v;
      InstanceLoss row;
      row.kl = sum / static_cast<double>(t.size());
      row.tokenKl = std::move(t);
      kl.push_back(row.kl);
      out.instances.push_back(std::move(row));
    }
  }
  // The weighting needs every KL first: its bins' softmax and maxima are over the whole set.
  const std::vector<double> weights = objective.factors(all, kl);
  for (size_t i = 0; i < out.instances.size(); ++i) {
    const DistillInstance& d = objective.set().instances[i];
    InstanceLoss& row = out.instances[i];
    row.kind = d.kind;
    row.bin = d.bin();
    row.weight = weights[i];
    out.loss += row.weight * row.kl;
  }
  return out;
}

} // namespace poslab
