#include "core/train/Trainer.h"

#include "core/lora/LoraInitializer.h"
#include "core/lora/PeftAdapter.h"
#include "core/model/HuggingFaceWriter.h"
#include "core/train/CrossEntropyObjective.h"
#include "core/train/GradientClipper.h"
#include "core/util/Error.h"

#include <chrono>
#include <cmath>
#include <filesystem>
#include <map>
#include <optional>

namespace poslab {

namespace {

// A parameter from a checkpoint file. model.safetensors has Hugging Face's
// separate q/k/v and gate/up projections; the fused parameters
// (ParameterNames' "qkv_proj" / "gate_up_proj") are joined from them.
at::Tensor checkpointTensor(const std::map<std::string, at::Tensor>& from, const std::string& key,
                            const std::string& file) {
  auto get = [&](const std::string& name) {
    auto it = from.find(name);
    if (it == from.end()) fail(file, "tensor '" + name + "'", "missing");
    return it->second;
  };
  if (from.count(key)) return from.at(key);
  auto fused = [&](const std::string& part,
                   const std::vector<std::string>& pieces) -> std::optional<at::Tensor> {
    const size_t pos = key.find(part);
    if (pos == std::string::npos) return std::nullopt;
    std::vector<at::Tensor> parts;
    for (const std::string& piece : pieces)
      parts.push_back(get(key.substr(0, pos) + piece + key.substr(pos + part.size())));
    return at::cat(parts, 0);
  };
  if (auto t = fused("qkv_proj", {"q_proj", "k_proj", "v_proj"})) return *t;
  if (auto t = fused("gate_up_proj", {"gate_proj", "up_proj"})) return *t;
  return get(key);
}

} // namespace

namespace {
double secondsSince(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}
} // namespace

Trainer::Trainer(LlamaModel& model, std::shared_ptr<const TrainingObjective> objective,
                 TrainingSettings settings, std::string runDir, std::vector<NamedTensor> trainable,
                 std::shared_ptr<ProcessGroup> group)
    : model_(model), objective_(std::move(objective)), settings_(std::move(settings)),
      runDir_(std::move(runDir)), group_(std::move(group)),
      computeDtype_(settings_.dtype == "bf16" ? at::kBFloat16 : at::kFloat),
      sampler_(objective_->size(), settings_.seed, settings_.shuffle), schedule_(settings_),
      store_(runDir_, settings_.keepCheckpoints),
      events_(leader() ? (std::filesystem::path(runDir_) / "events.jsonl").string() : std::string()) {
  settings_.validate("training settings");
  objective_->check(model_.config());
  model_.setActivationCheckpointing(settings_.activationCheckpointing);
  if (settings_.loraRank > 0) {
    if (!trainable.empty())
      throw std::logic_error("Trainer: LoRA trains the adapter; pass no trainable list");
    lora_.r = settings_.loraRank;
    lora_.alpha = settings_.loraScaleAlpha();
    lora_.rslora = settings_.loraRsLora;
    lora_.targets = settings_.loraTargets;
    if (lora_.targets.empty())
      for (LoraTarget t : kAllLoraTargets)
        lora_.targets.push_back(loraModuleName(t));
    adapter_ = LoraInitializer::create(lora_, model_, settings_.seed);
    model_.setAdapter(adapter_);
    model_.setAdapterEnabled(true);
    for (size_t l = 0; l < adapter_->layers.size(); ++l)
      for (LoraTarget t : kAllLoraTargets) {
        LoraPair& p = adapter_->pair(static_cast<int64_t>(l), t);
        if (!p.defined()) continue;
        trainable.push_back({PeftAdapter::tensorName(static_cast<int64_t>(l), t, true), &p.a});
        trainable.push_back({PeftAdapter::tensorName(static_cast<int64_t>(l), t, false), &p.b});
      }
  }
  prepareWeights(std::move(trainable));
}

Trainer::Trainer(LlamaModel& model, std::vector<TrainingSequence> sequences, TrainingSettings settings,
                 std::string runDir, std::shared_ptr<ProcessGroup> group)
    : Trainer(model, std::make_shared<CrossEntropyObjective>(std::move(sequences), settings.lossOn == "all"),
              settings, std::move(runDir), {}, std::move(group)) {}

void Trainer::prepareWeights(std::vector<NamedTensor> trainable) {
  ModelWeights& w = model_.weights();
  const bool tied = w.lmHead.is_same(w.embed);
  if (trainable.empty()) trainable = ParameterNames::of(w);
  std::vector<OptimizedParameter> masters;
  for (const NamedTensor& n : trainable) {
    // A private fp32 copy: loaded weights may be read-only file mappings.
    at::Tensor master = n.tensor->detach().to(at::kFloat).clone();
    *n.tensor = computeDtype_ == at::kFloat ? master : master.to(computeDtype_);
    n.tensor->requires_grad_(true);
    modelParams_.emplace_back(n.name, n.tensor);
    masters.push_back({n.name, master, ParameterNames::decays(master)});
  }
  if (tied) w.lmHead = w.embed;
  optimizer_ =
      std::make_unique<AdamW>(std::move(masters), AdamW::Options{settings_.beta1, settings_.beta2,
                                                                 settings_.eps, settings_.weightDecay});
}

TrainerState Trainer::state() const {
  TrainerState s;
  s.step = step_;
  s.sampler = sampler_.state();
  s.sequenceCount = objective_->size();
  s.losses = losses_;
  s.tokens = tokens_;
  s.targets = targets_;
  s.elapsedSeconds = elapsedSeconds();
  s.settings = settings_;
  return s;
}

double Trainer::elapsedSeconds() const {
  return elapsedBefore_ + (running_ ? secondsSince(sessionStart_) : 0.0);
}

std::string Trainer::saveCheckpoint() {
  // A LoRA run's checkpoint is a PEFT adapter folder (fp32 adapter); a full
  // run's a Hugging Face model folder in the compute dtype.
  auto writeModel = [&](const std::string& dir) {
    if (adapter_)
      PeftAdapter::write(dir, lora_, *adapter_, at::kFloat);
    else
      HuggingFaceWriter::write(dir, model_.config(), model_.weights(), computeDtype_);
  };
  // Every rank holds the same weights: rank 0 writes them; the others wait, so
  // none runs ahead of a checkpoint that may yet fail (a full disk ends the job).
  if (leader()) {
    lastCheckpoint_ = store_.save(writeModel, *optimizer_, computeDtype_ != at::kFloat, state());
    // Relative to the run folder, so a moved or copied run still reads right.
    events_.append("checkpoint",
                   {{"step", step_}, {"path", std::filesystem::relative(lastCheckpoint_, runDir_).string()}});
  }
  if (group_) group_->barrier("checkpoint of step " + std::to_string(step_), ProcessGroup::kLeaderPhase);
  return lastCheckpoint_;
}

bool Trainer::resume() {
  damaged_.clear();
  std::optional<std::string> dir = store_.latestIntact(damaged_);
  if (!dir) return false;
  for (const std::string& error : damaged_)
    events_.append("checkpoint_damaged",
                   {{"error", error}, {"resumed_from", std::filesystem::relative(*dir, runDir_).string()}});
  CheckpointStore::Loaded c = CheckpointStore::load(*dir);
  const std::string source = (std::filesystem::path(*dir) / "trainer_state.json").string();
  const TrainingSettings& was = c.state.settings;
  auto same = [&](bool equal, const char* field, const std::string& then, const std::string& now) {
    if (!equal)
      fail(source, std::string("settings.") + field, "the checkpoint used " + then + ", this run " + now);
  };
  same(was.batchSize == settings_.batchSize, "batch_size", std::to_string(was.batchSize),
       std::to_string(settings_.batchSize));
  // micro_batch may change (it bounds memory, not the step's mathematics).
  same(was.seed == settings_.seed, "seed", std::to_string(was.seed), std::to_string(settings_.seed));
  same(was.dtype == settings_.dtype, "dtype", was.dtype, settings_.dtype);
  same(was.lossOn == settings_.lossOn, "loss_on", was.lossOn, settings_.lossOn);
  same(was.shuffle == settings_.shuffle, "shuffle", was.shuffle ? "true" : "false",
       settings_.shuffle ? "true" : "false");
  same(was.loraRank == settings_.loraRank && was.loraScaleAlpha() == settings_.loraScaleAlpha() &&
           was.loraTargets == settings_.loraTargets && was.loraRsLora == settings_.loraRsLora,
       "lora", was.toJson().value("lora", nlohmann::json()).dump(),
       settings_.toJson().value("lora", nlohmann::json()).dump());
  if (c.state.sequenceCount != objective_->size())
    fail(source, "sequence_count",
         "the checkpoint was trained on " + std::to_string(c.state.sequenceCount) +
             " instances, this run has " + std::to_string(objective_->size()));

  const std::string dirName = std::filesystem::path(*dir).filename().string();
  const bool master = computeDtype_ != at::kFloat;
  const std::map<std::string, at::Tensor>& from = master ? c.optimizer : c.model;
  const std::string fromFile = dirName + (master     ? "/optimizer.safetensors"
                                          : adapter_ ? "/adapter_model.safetensors"
                                                     : "/model.safetensors");
  at::NoGradGuard noGrad;
  for (size_t i = 0; i < modelParams_.size(); ++i) {
    const std::string key = (master ? "master." : "") + modelParams_[i].first;
    const at::Tensor saved = checkpointTensor(from, key, fromFile);
    const at::Tensor& value = optimizer_->parameters()[i].value;
    if (saved.sizes() != value.sizes())
      fail(fromFile, "tensor '" + key + "'", "shape differs from the model's");
    value.copy_(saved);
    if (master) modelParams_[i].second->copy_(value);
  }
  optimizer_->loadState(c.state.step, c.optimizer, dirName + "/optimizer.safetensors");
  sampler_.setState(c.state.sampler);
  step_ = c.state.step;
  losses_ = c.state.losses;
  tokens_ = c.state.tokens;
  targets_ = c.state.targets;
  elapsedBefore_ = c.state.elapsedSeconds;
  lastCheckpoint_ = *dir;
  events_.append("resume",
                 {{"step", step_}, {"checkpoint", std::filesystem::relative(*dir, runDir_).string()}});
  return true;
}

Trainer::StepResult Trainer::trainStep(double lr) {
  std::vector<size_t> batch(static_cast<size_t>(settings_.batchSize));
  for (size_t& i : batch)
    i = sampler_.next();
  // This rank's rows of the global batch: [lo, hi), contiguous, sizes differing by at most one.
  const size_t world = group_ ? static_cast<size_t>(group_->size()) : 1;
  const size_t rank = group_ ? static_cast<size_t>(group_->rank()) : 0;
  const size_t lo = batch.size() * rank / world, hi = batch.size() * (rank + 1) / world;
  const size_t micro = settings_.microBatch > 0 ? static_cast<size_t>(settings_.microBatch) : batch.size();
  std::vector<std::vector<size_t>> passes;
  for (size_t first = lo; first < hi; first += micro)
    passes.emplace_back(batch.begin() + static_cast<std::ptrdiff_t>(first),
                        batch.begin() + static_cast<std::ptrdiff_t>(std::min(hi, first + micro)));

  for (auto& [name, t] : modelParams_)
    t->mutable_grad() = at::Tensor();
  StepResult r;
  std::vector<double> mine, values, factors; // this rank's row values; the global batch's values and factors
  auto valuesOf = [](const at::Tensor& rows) {
    const at::Tensor v = rows.detach().to(at::kCPU, at::kDouble).contiguous();
    return std::vector<double>(v.data_ptr<double>(), v.data_ptr<double>() + v.numel());
  };
  // Every row's value of the global batch (and its token counts) from each
  // rank's share: a sum over ranks of zero-padded shares. Once per step.
  auto share = [&] {
    if (!group_) {
      values = mine;
      return;
    }
    std::vector<double> all(batch.size() + 2, 0.0);
    std::copy(mine.begin(), mine.end(), all.begin() + static_cast<std::ptrdiff_t>(lo));
    all[batch.size()] = static_cast<double>(r.tokens);
    all[batch.size() + 1] = static_cast<double>(r.targets);
    all = group_->allReduceSum(all, "the row losses of step " + std::to_string(step_ + 1));
    r.tokens = std::llround(all[batch.size()]);
    r.targets = std::llround(all[batch.size() + 1]);
    values.assign(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(batch.size()));
  };
  // Backward of Σ factor·row over one pass's rows; factors are constants.
  size_t offset = lo;
  auto backward = [&](const RowLosses& rows) {
    const auto n = static_cast<int64_t>(rows.values.size(0));
    std::vector<double> f(factors.begin() + static_cast<std::ptrdiff_t>(offset),
                          factors.begin() + static_cast<std::ptrdiff_t>(offset) + n);
    offset += static_cast<size_t>(n);
    (rows.values * at::tensor(f, at::kDouble).to(rows.values.device(), at::kFloat)).sum().backward();
  };
  auto count = [&](const RowLosses& rows) {
    r.tokens += rows.tokens;
    r.targets += rows.targets;
  };
  if (objective_->factorsNeedValues() && passes.size() == 1) {
    // One pass: the rows' values and their gradients from the same forward.
    const RowLosses rows = objective_->rows(model_, passes[0]);
    mine = valuesOf(rows.values);
    count(rows);
    share();
    factors = objective_->factors(batch, values);
    backward(rows);
  } else if (objective_->factorsNeedValues()) {
    // The factors need every row of the batch: a no-grad pass first.
    {
      at::NoGradGuard noGrad;
      for (const auto& pass : passes) {
        const RowLosses rows = objective_->rows(model_, pass);
        const std::vector<double> v = valuesOf(rows.values);
        mine.insert(mine.end(), v.begin(), v.end());
        count(rows);
      }
    }
    share();
    factors = objective_->factors(batch, values);
    for (const auto& pass : passes)
      backward(objective_->rows(model_, pass));
  } else {
    factors = objective_->factors(batch, {});
    for (const auto& pass : passes) {
      const RowLosses rows = objective_->rows(model_, pass);
      const std::vector<double> v = valuesOf(rows.values);
      mine.insert(mine.end(), v.begin(), v.end());
      count(rows);
      backward(rows);
    }
    share();
  }
  for (size_t i = 0; i < values.size(); ++i)
    r.loss += factors[i] * values[i];
  r.metrics = objective_->stepMetrics(batch, values, factors);

  std::vector<at::Tensor> grads;
  grads.reserve(modelParams_.size());
  for (size_t i = 0; i < modelParams_.size(); ++i) {
    const at::Tensor& g = modelParams_[i].second->grad();
    grads.push_back(g.defined() ? g.to(at::kFloat) : at::zeros_like(optimizer_->parameters()[i].value));
  }
  // Each rank's gradient is its rows' share of Σ factor·row: the sum is the step's.
  if (group_) group_->allReduceSum(grads, "the gradients of step " + std::to_string(step_ + 1));
  r.gradNorm = GradientClipper::clip(grads, settings_.clipNorm);
  // Stop before the update: the weights and the last checkpoint stay good.
  if (!std::isfinite(r.loss) || !std::isfinite(r.gradNorm))
    fail(runDir_, "step " + std::to_string(step_ + 1),
         std::string("the ") + (std::isfinite(r.loss) ? "gradient norm" : "loss") + " is " +
             std::to_string(std::isfinite(r.loss) ? r.gradNorm : r.loss) +
             "; stopped before the update (lower --lr, or check the data); the last checkpoint is intact");
  optimizer_->step(grads, lr);
  if (computeDtype_ != at::kFloat) {
    at::NoGradGuard noGrad;
    for (size_t i = 0; i < modelParams_.size(); ++i)
      modelParams_[i].second->copy_(optimizer_->parameters()[i].value);
  }
  return r;
}

TrainingOutcome Trainer::run() {
  const int64_t total = settings_.totalSteps;
  int64_t params = 0;
  for (const OptimizedParameter& p : optimizer_->parameters())
    params += p.value.numel();
  events_.append("start", {{"step", step_},
                           {"total_steps", total},
                           {"objective", objective_->name()},
                           {"sequences", objective_->size()},
                           {"parameters", params},
                           {"settings", settings_.toJson()}});
  sessionStart_ = std::chrono::steady_clock::now();
  running_ = true;
  const int64_t firstStep = step_;
  int64_t sessionTokens = 0;
  TrainingOutcome out;
  try {
    while (step_ < total) {
      bool cancel = cancel_ && cancel_->load();
      // Stop together: a rank that stopped alone would leave the others waiting in a collective.
      if (group_) cancel = group_->anyRank(cancel, "the stop check before step " + std::to_string(step_ + 1));
      if (cancel) {
        saveCheckpoint();
        events_.append("cancel", {{"step", step_}});
        out.cancelled = true;
        break;
      }
      const auto t0 = std::chrono::steady_clock::now();
      const double collectiveBefore = group_ ? group_->collectiveSeconds() : 0.0;
      const double lr = schedule_.at(step_);
      const StepResult r = trainStep(lr);
      const double loss = r.loss, gradNorm = r.gradNorm;
      const int64_t tokens = r.tokens, targets = r.targets;
      ++step_;
      losses_.push_back(loss);
      tokens_ += tokens;
      targets_ += targets;
      sessionTokens += tokens;
      const double session = secondsSince(sessionStart_);
      TrainingProgress p;
      p.step = step_;
      p.totalSteps = total;
      p.loss = loss;
      p.lr = lr;
      p.gradNorm = gradNorm;
      p.tokensPerSecond = static_cast<double>(sessionTokens) / std::max(session, 1e-9);
      p.elapsedSeconds = elapsedSeconds();
      p.etaSeconds = session / static_cast<double>(step_ - firstStep) * static_cast<double>(total - step_);
      if (step_ % settings_.logEvery == 0 || step_ == total) {
        const double stepSeconds = secondsSince(t0);
        nlohmann::json fields = {{"step", step_},
                                 {"loss", loss},
                                 {"lr", lr},
                                 {"grad_norm", gradNorm},
                                 {"tokens", tokens},
                                 {"targets", targets},
                                 {"tokens_per_s", static_cast<double>(tokens) / std::max(stepSeconds, 1e-9)},
                                 {"step_s", stepSeconds},
                                 {"time_s", p.elapsedSeconds}};
        if (group_) { // data parallel: how much of the step was communication, and among how many
          fields["ranks"] = group_->size();
          fields["collective_s"] = group_->collectiveSeconds() - collectiveBefore;
        }
        fields.update(r.metrics);
        events_.append("step", fields);
      }
      if (progress_) progress_(p);
      if (afterStep_) afterStep_(step_);
      if (settings_.checkpointEvery > 0 && step_ % settings_.checkpointEvery == 0 && step_ < total)
        saveCheckpoint();
    }
    if (!out.cancelled) {
      if (finalCheckpoint_) saveCheckpoint();
      events_.append("finish",
                     {{"step", step_},
                      {"loss", losses_.empty() ? 0.0 : losses_.back()},
                      {"time_s", elapsedSeconds()},
                      {"checkpoint", std::filesystem::relative(lastCheckpoint_, runDir_).string()}});
    }
  } catch (const std::exception& e) {
    elapsedBefore_ = elapsedSeconds();
    running_ = false;
    events_.append("error", {{"step", step_}, {"message", e.what()}});
    throw;
  }
  elapsedBefore_ = elapsedSeconds();
  running_ = false;
  out.step = step_;
  out.losses = losses_;
  out.checkpoint = lastCheckpoint_;
  return out;
}

} // namespace poslab
