#include "core/jobs/RunFolderReader.h"

#include "core/jobs/JobLauncher.h"

#include "core/util/CheckpointPins.h"
#include "core/util/Error.h"
#include "core/util/JsonFile.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <sys/stat.h>

namespace poslab {

namespace fs = std::filesystem;

namespace {

// How many recent steps the speed and ETA average over.
constexpr size_t kRecentSteps = 20;

std::string stamp(const fs::path& p) {
  std::error_code ec;
  const auto size = fs::file_size(p, ec);
  if (ec) return "";
  const auto time = fs::last_write_time(p, ec);
  return std::to_string(size) + "@" + std::to_string(time.time_since_epoch().count());
}

double num(const nlohmann::json& e, const char* key, double otherwise = 0) {
  auto it = e.find(key);
  return it != e.end() && it->is_number() ? it->get<double>() : otherwise;
}

// A float out of long long's range would make the conversion undefined (UBSan
// in the run_folder fuzz build: "step": 1e300); it is refused by name instead, and
// the callers turn that into a line in problems.
long long integer(const nlohmann::json& e, const char* key, long long otherwise = 0) {
  auto it = e.find(key);
  if (it == e.end() || !it->is_number()) return otherwise;
  if (it->is_number_float()) {
    const double x = it->get<double>();
    if (!(x >= -0x1p63 && x < 0x1p63))
      throw std::out_of_range(std::string(key) + ": " + it->dump() + " is out of range");
  }
  return it->get<long long>();
}

std::string text(const nlohmann::json& e, const char* key) {
  auto it = e.find(key);
  return it != e.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string percent(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f %%", 100.0 * x);
  return buf;
}

std::string fixed(double x, int digits) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*f", digits, x);
  return buf;
}

JobStatus statusNamed(const std::string& s) {
  if (s == "starting") return JobStatus::Starting;
  if (s == "preparing") return JobStatus::Preparing;
  if (s == "training" || s == "running") return JobStatus::Training; // train runs say running
  if (s == "evaluating") return JobStatus::Evaluating;
  if (s == "planned") return JobStatus::Planned;
  if (s == "prepared") return JobStatus::Prepared;
  if (s == "finished") return JobStatus::Finished;
  if (s == "cancelled") return JobStatus::Cancelled;
  return JobStatus::Failed; // "failed", or a status this version does not know
}

std::string lastLine(const fs::path& file) {
  std::ifstream in(file);
  std::string line, last;
  while (std::getline(in, line))
    if (line.find_first_not_of(" \t\r") != std::string::npos) last = line;
  return last;
}

long long countLines(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return 0;
  return std::count(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>(), '\n');
}

} // namespace

RunFolderReader::RunFolderReader(std::string runDir) : dir_(std::move(runDir)) {
  reset();
}

bool RunFolderReader::isTrainingRun(const std::string& runDir) {
  const fs::path dir(runDir);
  if (fs::exists(dir / "run.json")) {
    try {
      const std::string kind = JsonFile::readObject((dir / "run.json").string()).value("kind", "");
      return kind == "train" || kind == "distill";
    } catch (const std::exception&) {
      return false; // not ours to list; a sweep folder with a damaged run.json
    }
  }
  return fs::exists(dir / "logs" / "launch.json");
}

void RunFolderReader::reset() {
  snap_ = JobSnapshot();
  snap_.runDir = dir_;
  snap_.id = fs::path(dir_).filename().string();
  snap_.runJson = nlohmann::json::object();
  offset_ = 0;
  partial_.clear();
  lineNo_ = 0;
  runJsonStamp_.clear();
  runJsonProblem_.clear();
  eventProblems_.clear();
  checkpointStamp_.clear();
  onDisk_.clear();
  checkpointEvents_.clear();
  damaged_.clear();
  lastError_.clear();
}

bool RunFolderReader::refresh() {
  bool changed = false;
  const std::vector<std::string> problemsBefore = snap_.problems;
  const auto statusBefore = snap_.status;
  const auto preparedBefore = snap_.preparedQuestions;
  fileProblems_.clear();
  readRunJson(changed);
  readEvents(changed);
  scanCheckpoints(changed);
  joinCheckpoints();
  resolveStatus();
  summarise();
  // Each problem once: those of files read whole are found again on every
  // refresh, those of events.jsonl once, when their line is read.
  snap_.problems.clear();
  if (!runJsonProblem_.empty()) snap_.problems.push_back(runJsonProblem_);
  snap_.problems.insert(snap_.problems.end(), eventProblems_.begin(), eventProblems_.end());
  snap_.problems.insert(snap_.problems.end(), fileProblems_.begin(), fileProblems_.end());
  return changed || statusBefore != snap_.status || preparedBefore != snap_.preparedQuestions ||
         problemsBefore != snap_.problems;
}

void RunFolderReader::readRunJson(bool& changed) {
  const fs::path file = fs::path(dir_) / "run.json";
  const std::string now = stamp(file);
  if (now == runJsonStamp_) return;
  runJsonStamp_ = now;
  changed = true;
  runJsonProblem_.clear();
  if (now.empty()) return;
  try {
    snap_.runJson = JsonFile::readObject(file.string());
  } catch (const Error& e) {
    // Written atomically, so a parse error is damage, not a torn write.
    runJsonProblem_ = std::string("run.json: ") + e.what();
    return;
  }
  const nlohmann::json& r = snap_.runJson;
  snap_.kind = text(r, "kind");
  snap_.device = text(r, "device");
  if (auto m = r.find("model"); m != r.end() && m->is_object()) snap_.model = text(*m, "path");
  if (auto d = r.find("data"); d != r.end() && d->is_object()) snap_.data = text(*d, "path");
  try {
    if (auto d = r.find("distill"); d != r.end() && d->is_object()) {
      snap_.method = text(*d, "method");
      snap_.totalQuestions = integer(*d, "questions", snap_.totalQuestions);
    } else if (snap_.kind == "train") {
      snap_.method = "next-token";
    }
    if (auto s = r.find("settings"); s != r.end() && s->is_object() && snap_.totalSteps == 0)
      snap_.totalSteps = integer(*s, "total_steps");
  } catch (const std::out_of_range& e) {
    runJsonProblem_ = std::string("run.json: ") + e.what();
  }
}

void RunFolderReader::readEvents(bool& changed) {
  const fs::path file = fs::path(dir_) / "events.jsonl";
  std::error_code ec;
  const std::uintmax_t size = fs::file_size(file, ec);
  if (ec) return;
  if (size < offset_) { // replaced or truncated: read the folder again from the start
    reset();
    readRunJson(changed);
    changed = true;
  }
  if (size == offset_) return;
  std::ifstream in(file, std::ios::binary);
  in.seekg(static_cast<std::streamoff>(offset_));
  std::string chunk(static_cast<size_t>(size - offset_), '\0');
  in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
  chunk.resize(static_cast<size_t>(in.gcount()));
  offset_ += chunk.size();
  partial_ += chunk;
  size_t begin = 0;
  for (size_t nl; (nl = partial_.find('\n', begin)) != std::string::npos; begin = nl + 1) {
    ++lineNo_;
    const std::string line = partial_.substr(begin, nl - begin);
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    nlohmann::json e = nlohmann::json::parse(line, nullptr, false);
    if (e.is_discarded() || !e.is_object()) {
      eventProblems_.push_back("events.jsonl: line " + std::to_string(lineNo_) + ": not a JSON object");
      continue;
    }
    apply(e, lineNo_);
    changed = true;
  }
  partial_.erase(0, begin); // a line still being written waits for its newline
}

void RunFolderReader::apply(const nlohmann::json& e, long long lineNo) {
  const std::string kind = text(e, "event");
  const double t = num(e, "unix_time");
  if (snap_.startedUnix == 0) snap_.startedUnix = t;
  snap_.updatedUnix = std::max(snap_.updatedUnix, t);
  JobLogLine log{t, kind, "", false};
  try {
    if (kind == "step") {
      JobStep s;
      s.step = integer(e, "step");
      s.unixTime = t;
      s.loss = num(e, "loss");
      s.lr = num(e, "lr");
      s.gradNorm = num(e, "grad_norm");
      s.tokensPerS = num(e, "tokens_per_s");
      s.stepS = num(e, "step_s");
      s.anchorKl = num(e, "anchor_kl", -1);
      if (auto kl = e.find("kl_by_position"); kl != e.end() && kl->is_object())
        for (const auto& [pos, v] : kl->items())
          if (v.is_number()) s.klByPosition[std::stoi(pos)] = v.get<double>();
      // A run resumed after a kill repeats the steps since its last checkpoint:
      // the repeat replaces them, as the weights it continues from do.
      std::erase_if(snap_.steps, [&](const JobStep& old) { return old.step >= s.step; });
      snap_.steps.push_back(std::move(s));
      snap_.elapsedS = num(e, "time_s", snap_.elapsedS);
      return; // steps are plotted, not logged
    }
    if (kind == "eval") {
      JobEval ev;
      ev.step = integer(e, "step");
      ev.unixTime = t;
      ev.meanAccuracy = num(e, "mean_accuracy");
      ev.worstAccuracy = num(e, "worst_accuracy");
      ev.path = text(e, "path");
      long long n = 0;
      if (auto ps = e.find("positions"); ps != e.end() && ps->is_array())
        for (const auto& p : *ps) {
          ev.positions.push_back(
              {static_cast<int>(integer(p, "position")), integer(p, "n"), num(p, "accuracy")});
          n = std::max(n, integer(p, "n"));
        }
      log.text = (ev.step == 0 ? std::string("held-out sweep of the base model")
                               : "held-out sweep at step " + std::to_string(ev.step)) +
                 ": mean " + percent(ev.meanAccuracy) + ", worst position " + percent(ev.worstAccuracy) +
                 " (n = " + std::to_string(n) + " per position)";
      std::erase_if(snap_.evals, [&](const JobEval& old) { return old.step == ev.step; });
      snap_.evals.push_back(std::move(ev));
      std::sort(snap_.evals.begin(), snap_.evals.end(),
                [](const JobEval& a, const JobEval& b) { return a.step < b.step; });
    } else if (kind == "prepare") {
      snap_.totalQuestions = integer(e, "questions", snap_.totalQuestions);
      log.text =
          "preparing " + std::to_string(snap_.totalQuestions) + " questions (" + text(e, "method") + ")";
    } else if (kind == "prepared") {
      snap_.preparedQuestions = integer(e, "questions");
      log.text = "prepared: kept " + std::to_string(integer(e, "kept")) + " questions, dropped " +
                 std::to_string(integer(e, "dropped")) + ", " + std::to_string(integer(e, "instances")) +
                 " instances in " + fixed(num(e, "seconds"), 1) + " s";
    } else if (kind == "set") {
      log.text = "training on the set " + text(e, "source") + " (" + std::to_string(integer(e, "instances")) +
                 " instances)";
    } else if (kind == "teacher") {
      log.text = "teacher distributions (" + text(e, "mode") + "): " + fixed(num(e, "bytes") / 1e6, 1) +
                 " MB in " + fixed(num(e, "seconds"), 1) + " s";
    } else if (kind == "start") {
      snap_.totalSteps = integer(e, "total_steps", snap_.totalSteps);
      log.text = "training from step " + std::to_string(integer(e, "step")) + " to " +
                 std::to_string(snap_.totalSteps) + " (" + std::to_string(integer(e, "parameters")) +
                 " trainable parameters)";
    } else if (kind == "resume") {
      log.text = "resumed at step " + std::to_string(integer(e, "step")) + " from " + text(e, "checkpoint");
    } else if (kind == "checkpoint") {
      log.text = "checkpoint at step " + std::to_string(integer(e, "step")) + ": " + text(e, "path");
      checkpointEvents_[integer(e, "step")] = {text(e, "path"), t};
    } else if (kind == "checkpoint_damaged") {
      log.error = true;
      log.text = "damaged checkpoint passed over (" + text(e, "error") + "); resumed from " +
                 text(e, "resumed_from");
      damaged_.insert(text(e, "error"));
    } else if (kind == "cancel") {
      log.text = "cancelled at step " + std::to_string(integer(e, "step")) +
                 (text(e, "phase").empty() ? "" : " while " + text(e, "phase"));
    } else if (kind == "finish") {
      log.text = "finished at step " + std::to_string(integer(e, "step")) + ", loss " +
                 fixed(num(e, "loss"), 4) + ", " + fixed(num(e, "time_s"), 1) + " s";
    } else if (kind == "error") {
      log.error = true;
      log.text = text(e, "message");
      lastError_ = log.text;
    } else {
      nlohmann::json rest = e;
      rest.erase("event");
      rest.erase("unix_time");
      log.text = rest.dump();
    }
  } catch (const std::exception& ex) { // a field of the wrong shape (stoi of a key, ...)
    eventProblems_.push_back("events.jsonl: line " + std::to_string(lineNo) + ": " + ex.what());
    return;
  }
  snap_.log.push_back(std::move(log));
}

void RunFolderReader::scanCheckpoints(bool& changed) {
  const fs::path folder = fs::path(dir_) / "checkpoints";
  // A save renames its folder into place and replaces `latest`, a prune removes
  // folders, a pin rewrites pins.json: each changes one of these stamps, so the
  // folders are listed and sized again only then, not on every refresh.
  std::error_code ec;
  const auto folderTime = fs::last_write_time(folder, ec);
  const std::string now = (ec ? std::string() : std::to_string(folderTime.time_since_epoch().count())) + "|" +
                          stamp(folder / "latest") + "|" + stamp(CheckpointPins::path(dir_));
  if (now == checkpointStamp_) {
    if (!pinsProblem_.empty()) fileProblems_.push_back(pinsProblem_);
    return;
  }
  checkpointStamp_ = now;
  changed = true;
  onDisk_.clear();
  pinsProblem_.clear();
  std::set<std::string> pins;
  try {
    pins = CheckpointPins::read(dir_);
  } catch (const Error& e) {
    pinsProblem_ = e.what();
    fileProblems_.push_back(pinsProblem_);
  }
  std::string latest;
  if (std::ifstream in(folder / "latest"); in) std::getline(in, latest);
  for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    // step-000050; the temporary folders a save writes first have a suffix
    if (!it->is_directory() || !name.starts_with("step-") ||
        name.find_first_not_of("0123456789", 5) != std::string::npos || name.size() == 5 ||
        name.size() > 5 + 18)
      continue;
    JobCheckpoint c;
    c.step = std::stoll(name.substr(5));
    c.path = "checkpoints/" + name;
    c.pinned = pins.count(name) > 0;
    c.latest = name == latest;
    const fs::path manifest = it->path() / "manifest.json";
    // stat(2): libstdc++ 12 has no clock_cast from the file clock to the system clock.
    struct stat st {};
    if (::stat((fs::exists(manifest) ? manifest : it->path()).c_str(), &st) == 0)
      c.unixTime = static_cast<double>(st.st_mtim.tv_sec) + 1e-9 * static_cast<double>(st.st_mtim.tv_nsec);
    std::error_code listError;
    for (fs::directory_iterator f(it->path(), listError), fend; !listError && f != fend;
         f.increment(listError)) {
      std::error_code sizeError;
      const auto bytes = f->is_regular_file() ? f->file_size(sizeError) : 0;
      if (!sizeError) c.bytes += static_cast<long long>(bytes);
    }
    onDisk_[c.step] = c;
  }
}

void RunFolderReader::joinCheckpoints() {
  std::map<long long, JobCheckpoint> rows = onDisk_;
  // The lambdas capture plain names, not structured bindings: clang 14 (the
  // fuzz build, tests/fuzz/) cannot capture those yet.
  for (auto& row : rows) {
    const std::string folder = fs::path(row.second.path).filename().string();
    row.second.damaged = std::any_of(damaged_.begin(), damaged_.end(), [&](const std::string& error) {
      return error.find(folder) != std::string::npos;
    });
  }
  // Written and since pruned by --keep-checkpoints: listed, so the table shows
  // every checkpoint the run made and says where each went.
  for (const auto& [step, written] : checkpointEvents_) {
    if (rows.count(step)) continue;
    JobCheckpoint c;
    c.step = step;
    c.path = written.first;
    c.unixTime = written.second;
    c.pruned = true;
    rows[step] = c;
  }
  snap_.checkpoints.clear();
  for (auto& row : rows) {
    const long long step = row.first;
    JobCheckpoint& c = row.second;
    auto s = std::find_if(snap_.steps.begin(), snap_.steps.end(),
                          [&](const JobStep& x) { return x.step == step; });
    if (s != snap_.steps.end()) c.loss = s->loss;
    auto ev = std::find_if(snap_.evals.begin(), snap_.evals.end(),
                           [&](const JobEval& x) { return x.step == step; });
    if (ev != snap_.evals.end()) {
      c.evalMean = ev->meanAccuracy;
      c.evalWorst = ev->worstAccuracy;
    }
    snap_.checkpoints.push_back(c);
  }
}

void RunFolderReader::resolveStatus() {
  const fs::path dir(dir_);
  snap_.ownerPid = 0;
  snap_.statusDetail.clear();
  if (!snap_.runJson.contains("status")) {
    // The GUI started a process that has not written run.json yet (or never will).
    nlohmann::json launch;
    try {
      launch = JsonFile::readObjectIfPresent((dir / "logs" / "launch.json").string());
    } catch (const Error& e) {
      fileProblems_.push_back(e.what());
    }
    if (snap_.device.empty()) snap_.device = text(launch, "device");
    if (const long long pid = JobLauncher::owner(dir_); pid > 0) {
      snap_.status = JobStatus::Starting;
      snap_.ownerPid = pid;
      return;
    }
    snap_.status = JobStatus::Failed;
    const std::string last = lastLine(dir / "logs" / "cli.log");
    snap_.statusDetail = last.empty() ? "the process ended before it wrote run.json" : last;
    return;
  }
  snap_.status = statusNamed(text(snap_.runJson, "status"));
  snap_.ownerPid = JobLauncher::owner(dir_);
  const bool alive = snap_.ownerPid > 0;
  if (JobStatusName::active(snap_.status) && !alive) {
    snap_.status = JobStatus::Dead;
    snap_.statusDetail = "its process ended without a word (killed, crashed or the machine stopped); "
                         "resume continues from the last checkpoint";
  } else if (!JobStatusName::active(snap_.status) && alive) {
    snap_.status = JobStatus::Starting; // resumed: the new owner has not said what it does yet
  } else if (snap_.status == JobStatus::Failed) {
    snap_.statusDetail = lastError_;
  }
  if (snap_.status == JobStatus::Preparing) {
    // Data parallel, the ranks decide their shares into prepare/rank-K.jsonl and
    // rank 0 then copies them into prepare.jsonl: the larger count is the progress.
    // (The folder goes away when rank 0 is done with it: a listing that fails counts nothing.)
    long long shares = 0;
    std::error_code ec;
    for (fs::directory_iterator it(dir / "prepare", ec), end; !ec && it != end; it.increment(ec))
      if (it->path().extension() == ".jsonl") shares += countLines(it->path());
    snap_.preparedQuestions = std::max(countLines(dir / "prepare.jsonl"), shares);
  }
}

void RunFolderReader::summarise() {
  if (!snap_.steps.empty()) snap_.step = snap_.steps.back().step;
  const size_t n = std::min(kRecentSteps, snap_.steps.size());
  snap_.tokensPerS = 0;
  snap_.etaS = -1;
  if (n == 0) return;
  double stepS = 0, tokens = 0;
  for (size_t i = snap_.steps.size() - n; i < snap_.steps.size(); ++i) {
    stepS += snap_.steps[i].stepS;
    tokens += snap_.steps[i].tokensPerS;
  }
  snap_.tokensPerS = tokens / static_cast<double>(n);
  if (snap_.totalSteps > snap_.step && JobStatusName::active(snap_.status))
    // In double: the two come from files, and their difference may not fit a long long.
    snap_.etaS = stepS / static_cast<double>(n) *
                 (static_cast<double>(snap_.totalSteps) - static_cast<double>(snap_.step));
  else if (snap_.totalSteps <= snap_.step)
    snap_.etaS = 0;
}

} // namespace poslab
