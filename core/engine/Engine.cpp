#include "core/engine/Engine.h"

#include "core/engine/TokenizerLoader.h"
#include "core/lora/PeftAdapter.h"
#include "core/model/Generator.h"
#include "core/model/ModelLoader.h"
#include "core/util/Error.h"
#include "core/weights/WeightSource.h"

#include <ATen/Parallel.h>
#include <filesystem>
#include <mutex>
#include <sstream>
#include <thread>

#include <cstdlib>
#include <dlfcn.h>

namespace poslab {

namespace {

at::ScalarType parseDtype(const std::string& dtype) {
  if (dtype == "f32" || dtype == "fp32" || dtype == "float32") return at::kFloat;
  if (dtype == "bf16" || dtype == "bfloat16") return at::kBFloat16;
  if (dtype == "f16" || dtype == "fp16" || dtype == "float16") return at::kHalf;
  fail("", "dtype", "unknown '" + dtype + "' (use f32, bf16 or f16)");
}

const char* dtypeLabel(at::ScalarType t) {
  return t == at::kFloat ? "f32" : t == at::kBFloat16 ? "bf16" : t == at::kHalf ? "f16" : "?";
}

at::Device parseDevice(const std::string& device) {
  try {
    at::Device d(device);
    if (d.is_cuda() && !at::hasCUDA())
      fail("", "device", "'" + device + "' asked for, but this build/machine has no CUDA");
    if (!d.is_cpu() && !d.is_cuda()) fail("", "device", "unsupported '" + device + "' (use cpu or cuda[:N])");
    return d;
  } catch (const c10::Error&) {
    fail("", "device", "unknown '" + device + "' (use cpu or cuda[:N])");
  }
}

std::string ropeText(const RopeScaling& s) {
  std::ostringstream o;
  switch (s.kind) {
  case RopeScaling::Kind::None:
    return "none";
  case RopeScaling::Kind::Linear:
    o << "linear x" << s.factor;
    break;
  case RopeScaling::Kind::Llama3:
    o << "llama3 x" << s.factor << " (low " << s.lowFreqFactor << ", high " << s.highFreqFactor
      << ", original " << s.originalMaxPositions << ")";
    break;
  }
  return o.str();
}

ModelInfo describe(const std::string& path, const WeightSource& source, const ModelConfig& c,
                   const Tokenizer* tok, at::ScalarType dtype, const at::Device& device) {
  ModelInfo i;
  i.path = path;
  i.format = source.kind() == WeightSource::Kind::Gguf ? "gguf" : "huggingface";
  i.architecture = c.architecture;
  i.family = c.family;
  i.parameters = c.parameterCount();
  i.layers = c.numLayers;
  i.hiddenSize = c.hiddenSize;
  i.intermediateSize = c.intermediateSize;
  i.heads = c.numHeads;
  i.kvHeads = c.numKvHeads;
  i.headDim = c.headDim;
  i.vocabSize = c.vocabSize;
  i.contextLength = c.maxPositions;
  i.ropeTheta = c.ropeTheta;
  i.ropeScaling = ropeText(c.ropeScaling);
  i.tiedEmbeddings = c.tieWordEmbeddings;
  i.attentionBias = c.attentionBias;
  i.storedDtype = c.storedDtype;
  i.computeDtype = dtypeLabel(dtype);
  i.device = device.str();
  i.tokenizerKind = tok ? tok->kind() : "none";
  i.bosTokenId = tok && tok->specialTokens().bos >= 0 ? tok->specialTokens().bos : c.bosTokenId;
  i.eosTokenIds = c.eosTokenIds;
  if (tok && tok->specialTokens().eos >= 0 && i.eosTokenIds.empty())
    i.eosTokenIds = {tok->specialTokens().eos};
  const int64_t elem = static_cast<int64_t>(c10::elementSize(dtype));
  i.weightBytes = i.parameters * elem;
  i.kvBytesPerToken = 2 * c.numLayers * c.numKvHeads * c.headDim * elem;
  return i;
}

void describeAdapter(ModelInfo& i, const std::string& dir, const LoraConfig& c, const ModelConfig& base) {
  i.adapterPath = dir;
  i.adapterBase = c.baseModel;
  i.adapterRank = c.r;
  i.adapterAlpha = c.alpha;
  i.adapterScale = c.scale();
  i.adapterRsLora = c.rslora;
  if (c.targetRegex) {
    i.adapterTargets = *c.targetRegex;
  } else {
    for (const std::string& t : c.targets)
      i.adapterTargets += (i.adapterTargets.empty() ? "" : ",") + t;
  }
  i.adapterModules = 0;
  i.adapterParameters = 0;
  for (int64_t l = 0; l < i.layers; ++l)
    for (LoraTarget t : kAllLoraTargets)
      if (c.adapts(l, t)) {
        ++i.adapterModules;
        const auto [out, in] = PeftAdapter::projectionShape(base, t);
        i.adapterParameters += c.r * (in + out); // A [r, in] and B [out, r]
      }
}

} // namespace

struct Engine::Impl {
  std::shared_ptr<WeightSource> source;
  std::unique_ptr<LlamaModel> model;
  std::unique_ptr<Tokenizer> tokenizer;
  ModelInfo info;
};

int configureThreads(int threads) {
  const int n = threads > 0 ? threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (at::get_num_threads() != n) at::set_num_threads(n);
  // The inter-op pool starts at the core count and LibTorch refuses a second
  // size; PosLab runs no inter-op work of its own, but a library may.
  static std::once_flag interOp;
  std::call_once(interOp, [n] {
    try {
      at::set_num_interop_threads(n);
    } catch (const c10::Error&) { // already started by someone else: keep its size
    }
  });
  // Debian's LibTorch runs fp32 GEMMs through the system BLAS. The pthread
  // build of OpenBLAS (the system's default) keeps a thread pool of its own, one
  // thread per core, that at::set_num_threads does not reach: "1 thread" would
  // use every core for GEMMs. PosLab's executables load the OpenMP build
  // (cmake/PosLabBlas.cmake), whose GEMMs run on ATen's OpenMP pool; this sizes
  // either. Found at run time: with another BLAS the symbol is absent and this
  // does nothing.
  using SetThreads = void (*)(int);
  static const auto openblasSetThreads =
      reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
  if (openblasSetThreads) openblasSetThreads(n);
  // No setenv here: this runs on the GUI's worker thread while the GUI thread
  // reads the environment, and glibc's setenv may move `environ` under a
  // concurrent getenv (a crash). `bench model` gives its Python reference the
  // count on the child's command line instead.
  return n;
}

ModelPaths ModelPaths::resolve(const std::string& model, const std::string& adapter) {
  std::error_code ec;
  const bool adapterAsModel = PeftAdapter::isAdapterFolder(model) &&
                              !std::filesystem::exists(std::filesystem::path(model) / "config.json", ec);
  if (!adapterAsModel) return {model, adapter};
  if (!adapter.empty())
    fail(model, "adapter", "MODEL is itself an adapter folder; give its base as MODEL to use --adapter");
  return {PeftAdapter::resolveBase(model), model};
}

Engine::Engine() : impl_(std::make_unique<Impl>()) {}
Engine::~Engine() = default;

ModelInfo Engine::inspect(const std::string& path, const LoadOptions& options) {
  const ModelPaths paths = ModelPaths::resolve(path, options.adapter);
  auto source = WeightSource::open(paths.base);
  ModelConfig config = ModelLoader::readConfig(*source);
  auto tok = TokenizerLoader::load(paths.base, source.get());
  ModelInfo info = describe(paths.base, *source, config, tok.get(), parseDtype(options.dtype),
                            parseDevice(options.device));
  if (!paths.adapter.empty()) {
    describeAdapter(info, paths.adapter, PeftAdapter::check(paths.adapter, config), config);
    info.adapterMerged = options.mergeAdapter;
  }
  return info;
}

std::unique_ptr<Engine> Engine::open(const std::string& path, const LoadOptions& options,
                                     const LoadControl& control) {
  if (control.cancelled()) return nullptr;
  configureThreads(options.threads);
  const at::ScalarType dtype = parseDtype(options.dtype);
  const at::Device device = parseDevice(options.device);
  std::unique_ptr<Engine> e(new Engine());
  const ModelPaths paths = ModelPaths::resolve(path, options.adapter);
  LoadedModel loaded = ModelLoader::load(paths.base, dtype, device, control);
  // A cancel raised after the last tensor still wins over the tokenizer load.
  if (!loaded.model || control.cancelled()) return nullptr;
  e->impl_->source = loaded.source;
  e->impl_->model = std::move(loaded.model);
  e->impl_->tokenizer = TokenizerLoader::load(paths.base, e->impl_->source.get());
  const ModelConfig& c = e->impl_->model->config();
  if (e->impl_->tokenizer && e->impl_->tokenizer->vocabSize() > c.vocabSize)
    fail(paths.base, "vocab_size",
         "the tokenizer has " + std::to_string(e->impl_->tokenizer->vocabSize()) +
             " tokens but the model only " + std::to_string(c.vocabSize));
  e->impl_->info = describe(paths.base, *e->impl_->source, c, e->impl_->tokenizer.get(), dtype, device);
  if (!paths.adapter.empty()) {
    LoadedAdapter adapter = PeftAdapter::load(paths.adapter, *e->impl_->model);
    describeAdapter(e->impl_->info, paths.adapter, adapter.config, c);
    e->impl_->info.adapterMerged = options.mergeAdapter;
    if (options.mergeAdapter)
      adapter.weights->mergeInto(e->impl_->model->weights());
    else
      e->impl_->model->setAdapter(adapter.weights);
  }
  return e;
}

const ModelInfo& Engine::info() const {
  return impl_->info;
}
const Tokenizer* Engine::tokenizer() const {
  return impl_->tokenizer.get();
}
LlamaModel& Engine::model() const {
  return *impl_->model;
}

int64_t Engine::defaultQueryBlock() {
  return LlamaModel::kDefaultQueryBlock;
}

void Engine::setQueryBlock(int64_t rows) {
  if (rows < 1) fail("", "query block", "must be at least 1 row, not " + std::to_string(rows));
  impl_->model->setQueryBlock(rows);
}

const Tokenizer& Engine::requireTokenizer() const {
  if (!impl_->tokenizer)
    fail(impl_->info.path, "tokenizer", "none found (looked for " + TokenizerLoader::searchedFiles() + ")");
  return *impl_->tokenizer;
}

Encoding Engine::tokenize(const std::string& text, bool addBos) const {
  EncodeOptions o;
  o.addBos = addBos;
  return requireTokenizer().encode(text, o);
}

std::vector<float> Engine::logits(const std::vector<int32_t>& ids) const {
  if (ids.empty()) fail("", "ids", "empty");
  const int64_t vocab = impl_->model->config().vocabSize;
  std::vector<int64_t> ids64(ids.begin(), ids.end());
  for (int64_t id : ids64)
    if (id < 0 || id >= vocab)
      fail("", "ids",
           "id " + std::to_string(id) + " is outside the vocabulary (0.." + std::to_string(vocab - 1) + ")");
  at::NoGradGuard noGrad;
  const int64_t T = static_cast<int64_t>(ids.size());
  at::Tensor idT = at::tensor(ids64, at::kLong).view({1, T});
  at::Tensor pos = at::arange(T, at::kLong).view({1, T});
  at::Tensor out = impl_->model->forward({idT, pos, {}}).to(at::kCPU).contiguous(); // [1, T, vocab]
  return std::vector<float>(out.data_ptr<float>(), out.data_ptr<float>() + out.numel());
}

GenerateResult Engine::generate(const GenerateRequest& request, const std::function<void(int32_t)>& onToken,
                                const std::atomic<bool>* cancel) const {
  GenerationSettings s;
  s.maxNewTokens = request.maxNewTokens;
  s.stopStrings = request.stopStrings;
  if (request.stopAtEos) {
    for (int64_t id : impl_->info.eosTokenIds)
      s.stopIds.push_back(static_cast<int32_t>(id));
    if (impl_->tokenizer) {
      const SpecialTokens& sp = impl_->tokenizer->specialTokens();
      if (sp.eos >= 0) s.stopIds.push_back(sp.eos);
      s.stopIds.insert(s.stopIds.end(), sp.extraEos.begin(), sp.extraEos.end());
    }
  }
  Generator gen(*impl_->model, impl_->tokenizer.get());
  GenerationStats stats;
  TokenCallback cb;
  if (onToken) cb = [&](size_t, int32_t id) { onToken(id); };
  auto out = gen.greedy({request.promptIds}, s, cb, cancel, &stats);
  GenerateResult r;
  r.ids = std::move(out[0].ids);
  r.text = std::move(out[0].text);
  r.stopReason = out[0].stopReason;
  r.promptTokens = stats.prefillTokens;
  r.prefillSeconds = stats.prefillSeconds;
  r.decodeSeconds = stats.decodeSeconds;
  return r;
}

} // namespace poslab
