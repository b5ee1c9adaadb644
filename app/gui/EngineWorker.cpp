#include "app/gui/EngineWorker.h"

#include "app/gui/ModelSummaries.h"
#include "app/gui/SweepCurves.h"
#include "core/engine/Engine.h"
#include "core/sweep/SweepRunner.h"
#include "core/sweep/SweepTally.h"
#include "core/util/Error.h"

#include <QFile>
#include <QFileInfo>
#include <algorithm>
#include <chrono>
#include <exception>
#include <string_view>

namespace poslab {

namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kCoalesce = std::chrono::milliseconds(30);
constexpr auto kProgressInterval = std::chrono::milliseconds(100); // ≤ 10 load progress signals a second

// Runs one worker job; any exception becomes a readable message (no exception
// may leave a slot: Qt would terminate the program).
template <typename Job, typename OnError> void guarded(Job&& job, OnError&& onError) {
  try {
    job();
  } catch (const Error& e) {
    onError(QString::fromStdString(e.what()));
  } catch (const std::bad_alloc&) {
    onError(EngineWorker::tr("out of memory"));
  } catch (const std::exception& e) {
    onError(EngineWorker::tr("internal error: %1").arg(QString::fromStdString(e.what())));
  } catch (...) {
    onError(EngineWorker::tr("unknown internal error"));
  }
}

// Length of `text` without a trailing run of U+FFFD: the tokenizer decodes the
// first bytes of a character that the next token completes as U+FFFD, so they
// are held back until the character is whole (or generation ends).
size_t settledLength(std::string_view text) {
  constexpr std::string_view kReplacement = "\xEF\xBF\xBD";
  size_t n = text.size();
  while (n >= kReplacement.size() &&
         text.substr(n - kReplacement.size(), kReplacement.size()) == kReplacement)
    n -= kReplacement.size();
  return n;
}

} // namespace

EngineWorker::EngineWorker(const std::atomic<bool>* cancel) : cancel_(cancel) {}
EngineWorker::~EngineWorker() = default;

void EngineWorker::load(const QString& path, const LoadOptions& options) {
  placements_.reset();
  const std::string file = QFile::encodeName(path).toStdString();
  guarded(
      [&] {
        const ModelInfo estimate = Engine::inspect(file, options);
        Q_EMIT inspected(ModelSummaries::fromInfo(estimate, false));
        probeCuda(file);
        if (engine_) {
          engine_.reset(); // two models need not fit in memory at once
          Q_EMIT unloaded();
        }
        LoadControl control;
        control.cancel = cancel_;
        auto lastEmit = Clock::now() - kProgressInterval;
        control.progress = [&](uint64_t done, uint64_t total) {
          if (done > 0 && done < total && Clock::now() - lastEmit < kProgressInterval) return;
          lastEmit = Clock::now();
          Q_EMIT loadProgress(static_cast<qint64>(done), static_cast<qint64>(total));
        };
        engine_ = Engine::open(file, options, control);
        // nullptr: cancelled at a tensor boundary. A cancel that came after the
        // last check still wins: the user asked to end up with no model.
        if (!engine_ || cancel_->load()) {
          engine_.reset();
          Q_EMIT unloaded();
          Q_EMIT loadCancelled();
          return;
        }
        Q_EMIT loaded(ModelSummaries::fromInfo(engine_->info(), true));
      },
      [&](const QString& message) { Q_EMIT loadFailed(message); });
}

// The facade has no "is there CUDA" call, but inspect() validates the device:
// asking it for "cuda" once tells whether this build and machine have one.
void EngineWorker::probeCuda(const std::string& path) {
  if (cudaProbed_) return;
  cudaProbed_ = true;
  bool available = true;
  try {
    LoadOptions cuda;
    cuda.device = "cuda";
    Engine::inspect(path, cuda);
  } catch (const std::exception&) {
    available = false;
  }
  Q_EMIT cudaAvailable(available);
}

void EngineWorker::generate(const QString& prompt, int maxNewTokens, bool stopAtEndOfText) {
  guarded(
      [&] {
        if (!engine_) fail("", "generate", "no model is loaded");
        const Tokenizer& tok = engine_->requireTokenizer();
        const SpecialTokens& special = tok.specialTokens();
        GenerateRequest request;
        request.promptIds = engine_->tokenize(prompt.toStdString(), special.addBos && special.bos >= 0).ids;
        request.stopAtEos = stopAtEndOfText;
        request.maxNewTokens = maxNewTokens;
        const int64_t context = engine_->info().contextLength;
        const auto promptTokens = static_cast<int64_t>(request.promptIds.size());
        if (context > 0) {
          if (promptTokens >= context)
            fail("", "prompt",
                 std::to_string(promptTokens) + " tokens fill the model's context of " +
                     std::to_string(context));
          request.maxNewTokens = std::min<int64_t>(request.maxNewTokens, context - promptTokens);
        }

        // Decode prompt + output each time: SentencePiece drops the leading space
        // of the first piece and multi-byte characters can span tokens, so only
        // the whole sequence decodes to the right text.
        std::vector<int32_t> ids = request.promptIds;
        const std::string promptText = tok.decode(ids);
        std::string accepted; // generated text taken so far (sent or pending)
        std::string pending;  // its tail not sent yet
        int generated = 0;
        Clock::time_point lastSent{};
        auto send = [&] {
          if (pending.empty()) return;
          Q_EMIT token(QString::fromStdString(pending), generated);
          pending.clear();
          lastSent = Clock::now();
        };
        auto advance = [&](bool final) {
          std::string text = tok.decode(ids);
          text = text.compare(0, promptText.size(), promptText) == 0
                     ? text.substr(promptText.size())
                     : tok.decode(std::vector<int32_t>(ids.begin() + promptTokens, ids.end()));
          const size_t settled = final ? text.size() : settledLength(text);
          if (settled > accepted.size() && text.compare(0, accepted.size(), accepted) == 0) {
            const std::string more = text.substr(accepted.size(), settled - accepted.size());
            accepted += more;
            pending += more;
          }
          if (final || Clock::now() - lastSent >= kCoalesce) send();
        };
        auto onToken = [&](int32_t id) {
          ids.push_back(id);
          ++generated;
          advance(false);
        };
        const GenerateResult result = engine_->generate(request, onToken, cancel_);
        advance(true);

        GenerationStats stats;
        stats.promptTokens = static_cast<int>(result.promptTokens);
        stats.generatedTokens = static_cast<int>(result.ids.size());
        stats.prefillSeconds = result.prefillSeconds;
        stats.decodeSeconds = result.decodeSeconds;
        stats.stopReason = QString::fromStdString(result.stopReason);
        Q_EMIT generationFinished(stats);
      },
      [&](const QString& message) { Q_EMIT generationFailed(message); });
}

std::string EngineWorker::sweep(const SweepSettings& settings, const QString& runDir,
                                const std::function<void(int, int, double, double)>& onProgress) {
  if (!engine_) fail("", "sweep", "no model is loaded");
  const QString label = QFileInfo(runDir).fileName();
  SweepTally tally; // the records of this session, summarised as they arrive
  auto lastEmit = Clock::now() - std::chrono::seconds(1);
  SweepCallbacks callbacks;
  callbacks.onRecord = [&](const SweepRecord& r) {
    tally.add(r);
    if (Clock::now() - lastEmit < std::chrono::milliseconds(100)) return;
    lastEmit = Clock::now();
    Q_EMIT sweepCurve(SweepCurves::fromSummary(label, tally.summary()));
  };
  callbacks.onProgress = [&](const SweepProgress& p) {
    onProgress(static_cast<int>(p.done), static_cast<int>(p.total), p.etaSeconds, p.tokensPerSecond);
  };
  SweepSettings s = settings;
  s.modelPath = engine_->info().path; // the model in memory, whatever the caller thought
  const SweepResult result = SweepRunner(*engine_).run(s, runDir.toStdString(), callbacks, cancel_);
  // The whole run, resumed records included, from what is on disk.
  Q_EMIT sweepCurve(SweepCurves::fromSummary(label, result.summary));
  return result.status;
}

void EngineWorker::runSweep(const SweepSettings& settings, const QString& runDir) {
  guarded(
      [&] {
        const std::string status = sweep(settings, runDir, [&](int done, int total, double eta, double tps) {
          Q_EMIT sweepProgress(done, total, eta, tps);
        });
        Q_EMIT sweepFinished(runDir, QString::fromStdString(status));
      },
      [&](const QString& message) { Q_EMIT sweepFailed(message); });
}

void EngineWorker::runDepth(const QVector<SweepSettings>& sweeps, const QStringList& runDirs) {
  guarded(
      [&] {
        const auto count = static_cast<int>(sweeps.size());
        std::string status = "finished";
        for (int i = 0; i < count && status == "finished"; ++i)
          status = sweep(sweeps[i], runDirs.value(i), [&](int done, int total, double eta, double) {
            Q_EMIT depthProgress(i, count, done, total, eta);
          });
        Q_EMIT depthFinished(runDirs, QString::fromStdString(status));
      },
      [&](const QString& message) { Q_EMIT depthFailed(message); });
}

PlacementBuilder& EngineWorker::placements() {
  if (!engine_) fail("", "explorer", "no model is loaded");
  if (!placements_) placements_ = std::make_unique<PlacementBuilder>(*engine_);
  return *placements_;
}

void EngineWorker::aggregate(const SweepSettings& settings, int examples, QuerySelection query) {
  guarded(
      [&] {
        bool complete = false;
        auto lastEmit = Clock::now() - std::chrono::seconds(1);
        const AttentionMassGrid grid = placements().aggregate(
            settings, examples, query,
            [&](int done, int total) {
              if (done < total && Clock::now() - lastEmit < std::chrono::milliseconds(100)) return;
              lastEmit = Clock::now();
              Q_EMIT aggregateProgress(done, total);
            },
            cancel_, &complete);
        Q_EMIT aggregateFinished(grid, complete);
      },
      [&](const QString& message) { Q_EMIT aggregateFailed(message); });
}

void EngineWorker::tokenMap(const PlacementRequest& request, int layer, HeadReduction heads, quint64 serial,
                            const std::atomic<quint64>* latest) {
  const QString key = request.key();
  auto superseded = [&] { return latest && latest->load() != serial; };
  if (superseded()) return;
  guarded([&] { Q_EMIT tokenMapReady(key, placements().tokenMap(request, layer, heads, superseded)); },
          [&](const QString& message) {
            if (!superseded()) Q_EMIT exploreFailed(key, message);
          });
}

void EngineWorker::explore(const PlacementRequest& request, quint64 serial,
                           const std::atomic<quint64>* latest) {
  if (latest && latest->load() != serial) return; // a newer request is queued behind this one
  const QString key = request.key();
  guarded(
      [&] {
        Q_EMIT positionCount(key, placements().positionCount(request));
        Q_EMIT placement(key, placements().build(request));
      },
      [&](const QString& message) { Q_EMIT exploreFailed(key, message); });
}

} // namespace poslab
