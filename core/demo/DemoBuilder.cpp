#include "core/demo/DemoBuilder.h"

#include "core/data/SeededRandom.h"
#include "core/demo/DemoCurriculum.h"
#include "core/demo/DemoPositionProbe.h"
#include "core/demo/SyntheticTaskGenerator.h"
#include "core/demo/SyntheticTwoHopGenerator.h"
#include "core/model/HuggingFaceWriter.h"
#include "core/model/LlamaModel.h"
#include "core/prompt/PromptBuilder.h"
#include "core/tokenizer/SentencePieceTokenizer.h"
#include "core/tokenizer/SentencePieceTrainer.h"
#include "core/train/ModelInitializer.h"
#include "core/train/ParameterNames.h"
#include "core/train/Trainer.h"
#include "core/util/AtomicFile.h"
#include "core/util/Error.h"
#include "core/util/JsonFile.h"

#include <ATen/Parallel.h>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <numeric>
#include <sstream>

namespace fs = std::filesystem;

namespace poslab {

namespace {

constexpr uint64_t kTokenizerStream = 4ull << 40;
constexpr uint64_t kInitStream = 5ull << 40;

std::string fixed(double x, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, x);
  return buf;
}

// Sentences for the tokenizer trainer: training prompts (all K documents, gold at
// a random place) with their responses, split at the newlines (the trainer reads
// one sentence per line; "\n" itself is a user-defined piece).
std::vector<std::string> tokenizerSentences(const DemoRecipe& recipe,
                                            const std::vector<RetrievalExample>& train,
                                            const PromptBuilder& builder) {
  std::vector<std::string> out;
  for (size_t i = 0; i < recipe.tokenizerSentences && i < train.size(); ++i) {
    SeededRandom rng(SeededRandom::derive(recipe.seed, kTokenizerStream + i));
    const RetrievalExample& ex = train[i];
    const size_t place = rng.below(recipe.places());
    const std::string text =
        builder.build(DemoCurriculum::placeAt(ex, place)).text + " " + DemoCurriculum::response(ex);
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);)
      if (!line.empty()) out.push_back(line);
  }
  return out;
}

// The mean of the last n values (all of them when fewer); 0 for none.
double meanOfLast(const std::vector<double>& values, size_t n) {
  const size_t count = std::min(n, values.size());
  if (count == 0) return 0.0;
  return std::accumulate(values.end() - static_cast<std::ptrdiff_t>(count), values.end(), 0.0) /
         static_cast<double>(count);
}

// One training run of the demo: the recipe's optimizer and schedule, the
// curriculum's order (no shuffling), loss on the rows' masks.
TrainingSettings stageSettings(const DemoRecipe& r, size_t steps, size_t batch) {
  TrainingSettings s;
  s.lr = r.learningRate;
  s.minLrRatio = r.minLrRatio;
  s.warmupSteps = static_cast<int64_t>(r.warmupSteps);
  s.totalSteps = static_cast<int64_t>(steps);
  s.batchSize = static_cast<int64_t>(batch);
  s.clipNorm = r.gradClip;
  s.weightDecay = r.weightDecay;
  s.beta1 = r.beta1;
  s.beta2 = r.beta2;
  s.eps = r.adamEps;
  s.seed = r.seed;
  s.lossOn = "answer";
  s.checkpointEvery = static_cast<int64_t>(r.checkpointEvery);
  s.keepCheckpoints = 1;
  s.logEvery = 10;
  s.shuffle = false;
  return s;
}

ModelConfig demoConfig(const DemoRecipe& r, int64_t vocab) {
  ModelConfig c;
  c.architecture = "LlamaForCausalLM";
  c.family = "llama";
  c.hiddenSize = r.hiddenSize;
  c.intermediateSize = r.intermediateSize;
  c.numLayers = r.layers;
  c.numHeads = r.heads;
  c.numKvHeads = r.heads;
  c.headDim = r.hiddenSize / r.heads;
  c.vocabSize = vocab;
  c.maxPositions = r.maxPositions;
  c.rmsNormEps = 1e-5;
  c.ropeTheta = r.ropeTheta;
  c.storedDtype = "float32";
  c.bosTokenId = 1;
  c.eosTokenIds = {2};
  c.validate("demo recipe");
  return c;
}

std::string readme(const DemoRecipe& r, const ModelConfig& c, const DemoBuildResult& res) {
  const bool twoHop = r.task == TaskKind::TwoHop;
  std::ostringstream o;
  o << "# PosLab " << (twoHop ? "two-hop " : "") << "demo model (built by `poslab-cli make-demo"
    << (twoHop ? " --task two-hop" : "") << " --seed " << r.seed << " --threads " << at::get_num_threads()
    << "`)\n\n"
    << "A tiny Llama (" << c.numLayers << " layers, d_model " << c.hiddenSize << ", " << c.numHeads
    << " heads, vocabulary " << c.vocabSize << ", " << c.parameterCount()
    << " parameters) trained from scratch by PosLab's own engine on a synthetic\n";
  if (twoHop)
    o << "two-hop task: " << r.documents
      << " records `Document [n](Title: <name>) <name> <name or code>`, two of them the hops\n"
      << "(`A B`: A's link is B; `B 47`: B's code is 47), and a prompt ending `Query: A`. It answers with\n"
      << "a chain of thought, `A B, B 47. The answer is: 47`, and is trained so that it reasons well when\n"
      << "both hops are at the end of its context (Pos2Distill R2's advantageous layout) and often fails\n"
      << "elsewhere. core/train's Trainer runs three stages (one run folder each under training/, with\n"
      << "events.jsonl and checkpoints):\n\n";
  else
    o << "retrieval task: " << r.documents
      << " records `Document [n](Title: <name>) <name> <code>`, one of them gold, and a prompt\n"
      << "ending `Query: <name>`. It is trained so that, like real LLMs (Liu et al. 2023, \"Lost in\n"
      << "the Middle\"), it finds the answer when the gold record is near the start or the end of its\n"
      << "context and often misses it in the middle. core/train's Trainer runs three stages (one run\n"
      << "folder each under training/, with events.jsonl and checkpoints):\n\n";
  o << "1. induction, " << r.inductionSteps << " steps of " << r.inductionBatch
    << ": random token strings repeated twice, loss on the copy;\n"
    << "2. short retrieval, " << r.shortSteps << " steps of " << r.retrievalBatch << ": " << r.shortDocsMin
    << "-" << r.shortDocsMax << " records, " << (twoHop ? "the hops at any two places" : "gold at any slot")
    << ";\n"
    << "3. long retrieval, " << r.longSteps << " steps of " << r.retrievalBatch << ": all " << r.documents
    << " records, "
    << (twoHop ? "hop 1 at place p, hop 2 at place q (right after hop 1 when q >= p), each of p and q drawn "
                 "with weight (p counted from the end) "
               : "gold slot p drawn with weight ")
    << "exp(-p/" << r.positionDecay << ") + " << r.endWeight << " exp(-(" << r.places() - 1 << "-p)/"
    << r.positionDecay << ") + " << r.positionFloor << ".\n\n"
    << "Stages 2 and 3 are one run (data in the given order); " << 100.0 * r.copyShare
    << " % of their rows are stage-1 copy rows.\n\n"
    << "Built with " << at::get_num_threads() << " CPU thread(s) in " << fixed(res.totalSeconds, 0)
    << " s (training " << fixed(res.trainSeconds, 0) << " s, final loss " << fixed(res.finalLoss, 4) << ").\n"
    << "Every constant is in core/demo/DemoRecipe.h. The same seed reproduces the same weights on the\n"
    << "same machine and thread count. Nothing here comes from outside PosLab: the data, the\n"
    << "SentencePiece tokenizer (sentencepiece's own trainer) and the weights are all made by make-demo.\n\n"
    << "Prompt template: prompt.txt (recorded in poslab_task.json, so sweeps need no options):\n\n"
    << "    poslab-cli sweep --model <this folder> --data <the folder above>/heldout.jsonl.gz\n\n";
  if (!res.probeAccuracy.empty()) {
    o << "## Positional curve measured by make-demo\n\n"
      << "Exact greedy " << (twoHop ? "chain of thought (then EOS), " : "answer (answer then EOS), ")
      << res.probeExamples << " held-out examples, "
      << (twoHop ? "hops moved to places p, p + 1" : "gold moved to each slot")
      << ", other records in file order:\n\n"
      << (twoHop ? "| hop 1 at place |" : "| gold slot |") << " accuracy |\n|---|---|\n";
    for (size_t s = 0; s < res.probeAccuracy.size(); ++s)
      o << "| " << s + 1 << " | " << fixed(100.0 * res.probeAccuracy[s], 1) << " % |\n";
  }
  return o.str();
}

} // namespace

DemoBuildResult DemoBuilder::build(const std::string& outDir, const Log& log, size_t probeExamples,
                                   const std::atomic<bool>* cancel) const {
  const auto t0 = std::chrono::steady_clock::now();
  const DemoRecipe& r = recipe_;
  auto say = [&](const std::string& line) {
    if (log) log(line);
  };
  const bool twoHop = r.task == TaskKind::TwoHop;
  const fs::path out(outDir), modelDir = out / (twoHop ? kTwoHopModelFolder : kModelFolder);
  fs::create_directories(modelDir);

  // 1. Data. Two-hop splits are drawn from their own streams; their facts are
  // random (name, name) and (name, code) pairs, so a held-out question can
  // only be answered from its context.
  std::vector<RetrievalExample> train, heldout;
  if (twoHop) {
    const SyntheticTwoHopGenerator generator(r);
    train = generator.examples("train", r.trainExamples);
    heldout = generator.examples("heldout", r.heldoutExamples);
  } else {
    const SyntheticTaskGenerator generator(r);
    train = generator.trainSet();
    heldout = generator.heldoutSet(train);
  }
  SyntheticTaskGenerator::writeJsonlGz((out / "train.jsonl.gz").string(), train);
  SyntheticTaskGenerator::writeJsonlGz((out / "heldout.jsonl.gz").string(), heldout);
  say("data: " + std::to_string(train.size()) + " training and " + std::to_string(heldout.size()) +
      " held-out examples of " + std::to_string(r.documents) + " documents");

  // 2. Prompt template and tokenizer.
  AtomicFile::writeText((modelDir / "prompt.txt").string(), r.promptTemplate + "\n");
  const PromptBuilder builder(PromptTemplate::parse(r.promptTemplate, "prompt.txt"));
  // User-defined pieces: the template's line breaks, and "\u2581" + digit for each
  // digit, so that a code's first piece follows its name with no piece between
  // (a lone space piece there would make the lookup a two-token match, which the
  // probe's recipe does not teach; DemoRecipe.h).
  std::string userSymbols = "\n";
  for (char digit = '0'; digit <= '9'; ++digit)
    userSymbols += std::string(",\xE2\x96\x81") + digit;
  const SentencePieceTrainer::Options spm = {
      {"model_type", "bpe"},
      {"vocab_size", std::to_string(r.vocabSize)},
      {"hard_vocab_limit", "false"}, // a smaller vocabulary than asked is fine
      {"split_digits", "true"},      // codes are read digit by digit, as Llama's tokenizer does
      {"character_coverage", "1.0"},
      {"normalization_rule_name", "identity"}, // as Llama's: the text is tokenized as written
      {"remove_extra_whitespaces", "false"},
      {"add_dummy_prefix", "false"}, // a line of the prompt starts without a space: train as such
      {"user_defined_symbols", userSymbols},
      {"byte_fallback", "false"},
      {"unk_id", "0"},
      {"bos_id", "1"},
      {"eos_id", "2"},
      {"pad_id", "-1"},
      {"input_sentence_size", "0"}, // every sentence, no sampling
      {"shuffle_input_sentence", "false"}};
  const std::string proto =
      SentencePieceTrainer::train(tokenizerSentences(r, train, builder), spm, static_cast<uint32_t>(r.seed));
  AtomicFile::writeText((modelDir / "tokenizer.model").string(), proto);
  auto tokenizer = SentencePieceTokenizer::fromFile((modelDir / "tokenizer.model").string());
  SpecialTokens special = tokenizer->specialTokens();
  special.bos = 1;
  special.eos = 2;
  special.unk = 0;
  special.addBos = true;
  tokenizer->setSpecialTokens(special);
  JsonFile::write((modelDir / "tokenizer_config.json").string(),
                  nlohmann::json{{"tokenizer_class", "LlamaTokenizer"},
                                 {"add_bos_token", true},
                                 {"add_eos_token", false},
                                 {"bos_token", tokenizer->piece(1)},
                                 {"eos_token", tokenizer->piece(2)},
                                 {"unk_token", tokenizer->piece(0)}});
  say("tokenizer: " + std::to_string(tokenizer->vocabSize()) + " pieces");

  // 3. Model.
  const ModelConfig config = demoConfig(r, tokenizer->vocabSize());
  LlamaModel model(
      config,
      ModelInitializer::weights(config, SeededRandom::derive(r.seed, kInitStream), at::kFloat, r.initStd),
      at::kCPU);
  model.setTrainingAttention(true); // its probes and sweeps too
  say("model: " + std::to_string(config.parameterCount()) + " parameters");

  // 4. Training: stage 1, then stages 2-3 as one run, each resumable.
  DemoBuildResult res;
  const DemoCurriculum curriculum(r, train, *tokenizer, builder);
  const fs::path trainingDir = out / "training";
  auto stage = [&](const std::string& name, std::vector<TrainingSequence> rows, size_t steps,
                   size_t batch) -> bool {
    const TrainingSettings s = stageSettings(r, steps, batch);
    const fs::path runDir = trainingDir / name;
    fs::create_directories(runDir);
    Trainer trainer(model, std::move(rows), s, runDir.string());
    trainer.setCancelFlag(cancel);
    if (trainer.resume()) say(name + ": resuming at step " + std::to_string(trainer.step()));
    const int64_t every = std::max<int64_t>(1, s.totalSteps / 20);
    double seconds = 0;
    trainer.setProgressCallback([&](const TrainingProgress& p) {
      seconds = p.elapsedSeconds;
      if (p.step % every != 0 && p.step != p.totalSteps) return;
      const double mean = meanOfLast(trainer.losses(), static_cast<size_t>(every));
      say(name + ": step " + std::to_string(p.step) + "/" + std::to_string(p.totalSteps) + "  loss " +
          fixed(mean, 4) + "  lr " + fixed(p.lr, 5) + "  " + fixed(p.elapsedSeconds, 0) + " s");
    });
    bool finished = trainer.step() >= s.totalSteps;
    if (!finished) finished = !trainer.run().cancelled;
    res.trainSeconds += seconds;
    res.finalLoss = meanOfLast(trainer.losses(), 50);
    return finished;
  };
  // Stage 2-3 starts only once stage 1 has finished (short-circuit).
  const bool stagesDone = (r.inductionSteps == 0 || stage("1-induction", curriculum.induction(),
                                                          r.inductionSteps, r.inductionBatch)) &&
                          (r.retrievalSteps() == 0 || stage("2-retrieval", curriculum.retrieval(),
                                                            r.retrievalSteps(), r.retrievalBatch));
  if (!stagesDone) {
    res.cancelled = true;
    return res;
  }
  ModelWeights weights = model.weights();
  for (const NamedTensor& n : ParameterNames::of(weights))
    *n.tensor = n.tensor->detach(); // plain tensors again: written and probed without autograd

  // 5. The Hugging Face folder.
  HuggingFaceWriter::write(modelDir.string(), config, weights, at::kFloat);
  JsonFile::write(
      (modelDir / "generation_config.json").string(),
      nlohmann::json{{"_from", "poslab-cli make-demo"}, {"bos_token_id", 1}, {"eos_token_id", 2}});
  // A two-hop response is ~14 tokens ("<A> <B>, <B> <code>. The answer is: <code>").
  nlohmann::ordered_json task = {
      {"task", taskKindName(r.task)},
      {"prompt_template", "prompt.txt"},
      {"docs", r.documents},
      {"chat_template", "none"},
      {"max_new_tokens", twoHop ? 32 : 8},
      {"description",
       twoHop
           ? "PosLab's two-hop demo: a tiny Llama trained by make-demo --task two-hop (seed " +
                 std::to_string(r.seed) + ") to reason well only when both hops are at the end of its context"
           : "PosLab's demo: a tiny Llama trained by make-demo (seed " + std::to_string(r.seed) +
                 ") to lose information in the middle of its context"}};
  JsonFile::write((modelDir / "poslab_task.json").string(), task);
  res.modelDir = modelDir.string();

  // 6. Probe the curve.
  if (probeExamples > 0) {
    LlamaModel trained(config, weights, at::kCPU);
    trained.setTrainingAttention(true); // the committed probes' numbers
    const DemoPositionProbe probe(trained, *tokenizer, builder);
    const std::vector<RetrievalExample> sample(
        heldout.begin(),
        heldout.begin() + static_cast<std::ptrdiff_t>(std::min(probeExamples, heldout.size())));
    res.probeExamples = sample.size();
    for (size_t s = 0; s < r.places(); ++s)
      res.probeAccuracy.push_back(probe.accuracy(sample, s));
  }
  res.totalSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  AtomicFile::writeText((modelDir / "README.md").string(), readme(r, config, res));
  return res;
}

} // namespace poslab
