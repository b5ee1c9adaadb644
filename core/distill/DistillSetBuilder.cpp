#include "core/distill/DistillSetBuilder.h"

#include "core/data/SeededRandom.h"
#include "core/distill/TeacherResponder.h"
#include "core/eval/TaskResponse.h"
#include "core/sweep/ExperimentPrompts.h"
#include "core/util/Error.h"
#include "core/util/JsonFile.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

namespace poslab {

namespace fs = std::filesystem;

nlohmann::json PreparationReport::toJson() const {
  return {{"questions", questions},      {"kept", kept},           {"dropped", dropped},
          {"resumed", resumed},          {"instances", instances}, {"student_positions", studentPositions},
          {"stop_reasons", stopReasons}, {"seconds", seconds}};
}

void PreparationReport::count(const nlohmann::json& line) {
  ++questions;
  // In the line, so that questions read back count as the ones decided now
  // (lines written before it was recorded have none).
  if (line.contains("stop_reason")) ++stopReasons[line.at("stop_reason").get<std::string>()];
  if (!line.value("kept", false)) {
    ++dropped;
    return;
  }
  ++kept;
  for (const auto& i : line.at("instances")) {
    ++instances;
    const int64_t p = i.at("gold_position").is_array() ? i.at("gold_position")[0].get<int64_t>()
                                                       : i.at("gold_position").get<int64_t>();
    if (static_cast<int64_t>(studentPositions.size()) <= p)
      studentPositions.resize(static_cast<size_t>(p) + 1, 0);
    ++studentPositions[static_cast<size_t>(p)];
  }
}

namespace {

// A prepare-log line checked for what the report and the set read from it, so
// that a damaged line is one error naming the file, line and field: never
// nlohmann's type_error, nor a histogram sized by a position of 10^18.
void checkLine(const nlohmann::json& j, const std::string& where) {
  if (!j.is_object()) fail(where, "", "expected a JSON object");
  if (!j.contains("question")) fail(where, "question", "missing");
  int64_t question = 0;
  std::string stopReason;
  bool kept = false;
  JsonFile::readField(j, "question", question, where);
  JsonFile::readField(j, "stop_reason", stopReason, where);
  JsonFile::readField(j, "kept", kept, where);
  if (!kept) return;
  const auto instances = j.find("instances");
  if (instances == j.end() || !instances->is_array())
    fail(where, "instances", "expected a list of instances");
  for (const auto& i : *instances) {
    const DistillInstance d = DistillInstance::fromJson(i, where);
    // Every document is at least one token of the student's prompt.
    for (const int64_t p : d.goldPosition)
      if (p >= static_cast<int64_t>(d.studentPromptIds.size()))
        fail(where, "gold_position", std::to_string(p) + " is beyond the student's prompt");
  }
}

// The lines of a prepare log by question. A log of this process's (own) loses
// a half-written last line (a kill); another's is read up to its last whole
// line, because its rank may be appending to it right now.
std::map<int64_t, nlohmann::json> readLog(const std::string& path, bool own) {
  std::map<int64_t, nlohmann::json> lines;
  if (!fs::exists(path)) return lines;
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  size_t good = 0, begin = 0, number = 0;
  while (begin < text.size()) {
    const size_t end = text.find('\n', begin);
    if (end == std::string::npos) break;
    ++number;
    const std::string where = path + ": line " + std::to_string(number);
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(text.substr(begin, end - begin));
    } catch (const nlohmann::json::exception& e) {
      fail(where, "", std::string("unreadable (") + e.what() + ")");
    }
    checkLine(j, where);
    lines.emplace(j["question"].get<int64_t>(), j);
    good = begin = end + 1;
  }
  if (own && good < text.size()) fs::resize_file(path, good);
  return lines;
}

} // namespace

DistillSetBuilder::DistillSetBuilder(const LlamaModel& teacher, const Tokenizer& tokenizer,
                                     SweepSettings prompts, DistillSettings settings, uint64_t seed,
                                     std::vector<int32_t> stopIds, int32_t eos)
    : teacher_(teacher), tokenizer_(tokenizer), prompts_(std::move(prompts)), settings_(std::move(settings)),
      seed_(seed), stopIds_(std::move(stopIds)), eos_(eos) {
  settings_.validate("distill settings");
  if (settings_.method == "sft" && eos_ < 0)
    fail("tokenizer", "eos", "the model has no EOS token to end the SFT answers with");
}

std::vector<size_t> DistillSetBuilder::questionOrder(size_t examples) const {
  std::vector<size_t> order(examples);
  for (size_t i = 0; i < examples; ++i)
    order[i] = i;
  SeededRandom(SeededRandom::derive(seed_, 0x51)).shuffle(order);
  order.resize(std::min(order.size(), static_cast<size_t>(settings_.questions)));
  return order;
}

std::vector<size_t> DistillSetBuilder::studentPositions(const RetrievalExample& example,
                                                        size_t positions) const {
  std::vector<size_t> others;
  for (size_t p = 0; p < positions; ++p)
    if (p != static_cast<size_t>(settings_.teacherPosition)) others.push_back(p);
  SeededRandom(SeededRandom::derive(seed_, example.index)).shuffle(others);
  others.resize(std::min(others.size(), static_cast<size_t>(settings_.k)));
  return others;
}

PromptFactory DistillSetBuilder::factoryFor(uint64_t shuffleSeed, TaskKind kind) const {
  SweepSettings s = prompts_;
  s.shuffleSeed = shuffleSeed;
  return ExperimentPrompts::factory(tokenizer_, s, kind);
}

std::vector<std::pair<size_t, size_t>> DistillSetBuilder::studentPairs(const RetrievalExample& example,
                                                                       size_t documents) const {
  // Every ordered pair but the teacher's (the hops last, in order): reversed
  // and separated pairs are drawn as often as they occur among all pairs.
  std::vector<std::pair<size_t, size_t>> others;
  for (size_t pre = 0; pre < documents; ++pre)
    for (size_t post = 0; post < documents; ++post)
      if (pre != post && !(pre + 2 == documents && post + 1 == documents)) others.emplace_back(pre, post);
  SeededRandom(SeededRandom::derive(seed_, example.index)).shuffle(others);
  others.resize(std::min(others.size(), static_cast<size_t>(settings_.k)));
  return others;
}

nlohmann::json DistillSetBuilder::decide(const RetrievalExample& ex, int64_t question) const {
  const TaskKind kind = ex.kind;
  const bool twoHop = kind == TaskKind::TwoHop;
  const std::string where = "example " + std::to_string(ex.index);
  if (twoHop && settings_.method == "r1")
    fail(
        prompts_.dataPath, where,
        "is a two-hop question; r1 distils one gold document -- two-hop data trains with r2 (or sft, seqkd)");
  if (!twoHop && settings_.method == "r2")
    fail(prompts_.dataPath, where,
         std::string("is a ") + taskKindName(kind) +
             " example; r2 needs two-hop data (two gold documents per record, or MuSiQue)");
  const PromptFactory base = ExperimentPrompts::factory(tokenizer_, prompts_, kind);
  const size_t count = base.positionCount(ex);
  const size_t documents = base.itemCount(ex);
  if (twoHop && documents < 3)
    fail(prompts_.dataPath, where, "a two-hop prompt needs at least 3 documents to move its hops");
  // R2's advantageous layout: both hops last, in order (METHOD.md §2).
  const auto teacherPos = static_cast<size_t>(twoHop ? documents - 2 : settings_.teacherPosition);
  if (teacherPos >= count)
    fail(prompts_.dataPath, where,
         "has " + std::to_string(count) + " positions; the teacher position " + std::to_string(teacherPos) +
             " does not exist");
  const PromptInstance teacherPrompt =
      twoHop ? base.atPair(ex, documents - 2, documents - 1) : base.atPosition(ex, teacherPos);
  const nlohmann::json teacherPlace =
      twoHop ? nlohmann::json{documents - 2, documents - 1} : nlohmann::json(teacherPos);
  nlohmann::json line = {{"question", question}, {"example", ex.index}, {"id", ex.id}};

  std::vector<int32_t> response;
  std::string responseText;
  if (settings_.method != "sft") {
    TeacherResponder::Options o;
    o.sampled = settings_.decoding == "sampled";
    o.temperature = settings_.temperature;
    o.topP = settings_.topP;
    o.maxNewTokens = settings_.maxNewTokens > 0 ? settings_.maxNewTokens : prompts_.maxNewTokens;
    o.stopIds = stopIds_;
    o.seed = seed_;
    o.task = kind;
    const TeacherResponse r = TeacherResponder(teacher_, tokenizer_, o)
                                  .respond({teacherPrompt.encoding.ids}, {static_cast<uint64_t>(ex.index)})
                                  .front();
    const bool right = TaskResponse::score(ex, r.text) > 0;
    line["response_text"] = r.text;
    line["stop_reason"] = r.stopReason;
    if (!right || r.ids.empty()) {
      line["kept"] = false;
      line["reason"] = r.ids.empty() ? "empty teacher response" : "wrong teacher answer";
      return line;
    }
    response = r.ids;
    responseText = r.text;
  }

  nlohmann::json instances = nlohmann::json::array();
  // Student layouts: a gold position each, or a (pre, post) hop pair each.
  std::vector<std::vector<size_t>> layouts;
  if (twoHop)
    for (const auto& [pre, post] : studentPairs(ex, documents))
      layouts.push_back({pre, post});
  else
    for (size_t p : studentPositions(ex, count))
      layouts.push_back({p});
  for (size_t k = 0; k < layouts.size(); ++k) {
    // The released code re-draws the distractor order per instance; the paper keeps it.
    const std::optional<PromptFactory> redrawn =
        settings_.distractorOrder == "redrawn"
            ? std::optional<PromptFactory>(
                  factoryFor(SeededRandom::derive(seed_ ^ 0x9E3779B97F4A7C15ULL, ex.index * 1024 + k), kind))
            : std::nullopt;
    const PromptFactory& factory = redrawn ? *redrawn : base;
    const std::vector<size_t>& at = layouts[k];
    const PromptInstance student = twoHop ? factory.atPair(ex, at[0], at[1]) : factory.atPosition(ex, at[0]);
    DistillInstance d;
    d.question = question;
    for (size_t p : at)
      d.goldPosition.push_back(static_cast<int64_t>(p));
    d.studentPromptIds = student.encoding.ids;
    if (settings_.method == "r1") {
      d.kind = InstanceKind::Activation;
      d.teacherPromptIds = teacherPrompt.encoding.ids;
      d.responseIds = response;
    } else if (settings_.method == "seqkd" || settings_.method == "r2") {
      d.kind = InstanceKind::Sequence;
      d.responseIds = response;
    } else { // sft: the gold answer as the model would continue this prompt, then EOS
      d.kind = InstanceKind::Sequence;
      // Two-hop: the answer alone, in the form the metric reads (no reasoning).
      const std::string gold = kind == TaskKind::Kv ? ex.value
                               : twoHop             ? "The answer is: " + ex.answers.front()
                                                    : ex.answers.front();
      d.responseIds = base.answerIds(student, gold);
      d.responseIds.push_back(eos_);
      responseText = gold;
    }
    d.extra = {{"teacher_position", teacherPlace}, {"example", ex.index}, {"response_text", responseText}};
    instances.push_back(d.toJson());
  }
  if (settings_.method == "r1" && settings_.anchors) {
    DistillInstance a;
    a.question = question;
    a.kind = InstanceKind::Anchor;
    a.goldPosition = {static_cast<int64_t>(teacherPos)};
    a.teacherPromptIds = a.studentPromptIds = teacherPrompt.encoding.ids;
    a.responseIds = response;
    a.extra = {{"teacher_position", teacherPlace}, {"example", ex.index}, {"response_text", responseText}};
    instances.push_back(a.toJson());
  }
  line["kept"] = true;
  line["instances"] = instances;
  return line;
}

bool DistillSetBuilder::decideShare(const std::vector<RetrievalExample>& examples,
                                    const std::string& prepareLog, const PreparationShare& share,
                                    Decided& decided, PreparationReport& report, const Progress& progress,
                                    const std::atomic<bool>* cancel) const {
  if (share.count == 0 || share.index >= share.count)
    throw std::logic_error("DistillSetBuilder: a share outside its count");
  const auto t0 = std::chrono::steady_clock::now();
  const std::vector<size_t> order = questionOrder(examples.size());
  std::vector<size_t> mine; // the share's examples, in the drawn order
  for (size_t j = share.index; j < order.size(); j += share.count)
    mine.push_back(order[j]);

  // What earlier sessions decided: this log's lines, then the others' (the first of a question wins).
  const Decided logged = readLog(prepareLog, true);
  Decided taken;
  for (const std::string& other : share.importFrom)
    if (other != prepareLog) taken.merge(readLog(other, false));
  std::ofstream log(prepareLog, std::ios::app);
  if (!log) fail(prepareLog, "", "cannot be written");
  auto append = [&](const nlohmann::json& line) {
    log << line.dump() << '\n';
    log.flush();
    if (!log) fail(prepareLog, "", "write failed (disk full?)");
  };
  for (size_t e : mine) {
    const auto question = static_cast<int64_t>(examples[e].index);
    if (const auto it = logged.find(question); it != logged.end()) {
      decided[question] = it->second;
    } else if (const auto other = taken.find(question); other != taken.end()) {
      append(other->second); // this log then holds its share whole: the others may go
      decided[question] = other->second;
    } else {
      continue;
    }
    report.count(decided[question]);
    ++report.resumed;
  }

  const auto total = static_cast<int64_t>(mine.size());
  if (progress) progress(report, total);
  for (size_t e : mine) {
    const auto question = static_cast<int64_t>(examples[e].index);
    if (decided.count(question)) continue;
    if (cancel && cancel->load()) return false;
    nlohmann::json line = decide(examples[e], question);
    append(line);
    report.count(line);
    decided[question] = std::move(line);
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (progress) progress(report, total);
  }
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return true;
}

bool DistillSetBuilder::prepareShare(const std::vector<RetrievalExample>& examples,
                                     const std::string& prepareLog, const PreparationShare& share,
                                     PreparationReport& report, const Progress& progress,
                                     const std::atomic<bool>* cancel) const {
  Decided decided;
  return decideShare(examples, prepareLog, share, decided, report, progress, cancel);
}

std::optional<DistillSet> DistillSetBuilder::prepare(const std::vector<RetrievalExample>& examples,
                                                     const std::string& prepareLog, PreparationReport& report,
                                                     const Progress& progress,
                                                     const std::atomic<bool>* cancel,
                                                     const std::vector<std::string>& importFrom) const {
  Decided decided;
  if (!decideShare(examples, prepareLog, {0, 1, importFrom}, decided, report, progress, cancel))
    return std::nullopt;
  // The set in the drawn order, whichever order the lines were decided in.
  DistillSet set;
  for (size_t q : questionOrder(examples.size())) {
    const nlohmann::json& line = decided.at(static_cast<int64_t>(examples[q].index));
    if (!line.value("kept", false)) continue;
    for (const auto& i : line.at("instances"))
      set.instances.push_back(DistillInstance::fromJson(i, prepareLog));
  }
  if (set.instances.empty())
    fail(prepareLog, "",
         "no question was kept (" + std::to_string(report.dropped) +
             " dropped: the teacher answered none right); check the model, data and prompt");
  return set;
}

} // namespace poslab
