#include "core/weights/WeightSource.h"

#include "core/util/Error.h"
#include "core/weights/GgufFile.h"
#include "core/weights/MappedFile.h"
#include "core/weights/SafetensorsFile.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

namespace fs = std::filesystem;

namespace poslab {

namespace {

constexpr const char* kSingleFile = "model.safetensors";
constexpr const char* kIndexFile = "model.safetensors.index.json";
constexpr const char* kPickleRefused =
    "pickle checkpoints are refused (they can execute code); convert to safetensors";

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool isPickleName(const fs::path& p) {
  const std::string ext = lower(p.extension().string());
  return ext == ".bin" || ext == ".pt" || ext == ".pth";
}

// "a, b, c and 7 more": keeps messages about thousands of names one line long.
std::string listSome(const std::vector<std::string>& names) {
  std::string out;
  const size_t shown = std::min<size_t>(names.size(), 5);
  for (size_t k = 0; k < shown; ++k)
    out += (k ? ", '" : "'") + names[k] + "'";
  if (names.size() > shown) out += " and " + std::to_string(names.size() - shown) + " more";
  return out;
}

// weight_map of model.safetensors.index.json: tensor name -> shard file name.
std::map<std::string, std::string> readWeightMap(const std::string& indexPath) {
  std::ifstream in(indexPath, std::ios::binary);
  if (!in) fail(indexPath, "", "cannot open");
  nlohmann::json index;
  try {
    index = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    fail(indexPath, "", std::string("invalid JSON: ") + e.what());
  }
  if (!index.is_object()) fail(indexPath, "", "expected a JSON object");
  const auto wm = index.find("weight_map");
  if (wm == index.end() || !wm->is_object()) fail(indexPath, "weight_map", "missing or not an object");
  std::map<std::string, std::string> out;
  for (const auto& [name, shard] : wm->items()) {
    if (!shard.is_string()) fail(indexPath, "weight_map '" + name + "'", "expected a shard file name");
    const std::string file = shard.get<std::string>();
    // Shards are siblings of the index; a path here could point anywhere on disk.
    if (file.empty() || file.find('/') != std::string::npos || file == "." || file == "..")
      fail(indexPath, "weight_map '" + name + "'", "shard \"" + file + "\" is not a plain file name");
    out[name] = file;
  }
  if (out.empty()) fail(indexPath, "weight_map", "is empty");
  return out;
}

} // namespace

std::shared_ptr<WeightSource> WeightSource::open(const std::string& path) {
  auto src = std::shared_ptr<WeightSource>(new WeightSource());
  src->path_ = path;
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (!fs::exists(st)) fail(path, "", "no such file or folder");

  if (!fs::is_directory(st)) {
    const std::string ext = lower(fs::path(path).extension().string());
    if (isPickleName(path)) fail(path, "", kPickleRefused);
    if (ext == ".gguf") {
      src->kind_ = Kind::Gguf;
      src->gguf_ = std::make_shared<GgufFile>(path);
      src->tensors_ = src->gguf_->tensors();
      src->mappings_.push_back(src->gguf_->mapping());
      src->files_.push_back(path);
      return src;
    }
    if (ext == ".safetensors")
      fail(path, "", "open the model's folder (with its config.json), not the weights file");
    fail(path, "", "not a model: expected a Hugging Face folder or a .gguf file");
  }

  src->kind_ = Kind::HuggingFaceFolder;
  const fs::path dir(path);
  std::vector<std::string> shards; // file names in dir
  std::map<std::string, std::string> weightMap;
  const fs::path indexPath = dir / kIndexFile;
  if (fs::exists(indexPath)) {
    weightMap = readWeightMap(indexPath.string());
    std::set<std::string> unique;
    for (const auto& kv : weightMap)
      unique.insert(kv.second);
    std::vector<std::string> missing;
    for (const std::string& s : unique) {
      if (!fs::is_regular_file(dir / s)) missing.push_back(s);
      shards.push_back(s);
    }
    if (!missing.empty())
      fail(indexPath.string(), "weight_map", "shard file(s) missing from the folder: " + listSome(missing));
  } else if (fs::exists(dir / kSingleFile)) {
    shards.push_back(kSingleFile);
  } else {
    // No safetensors: name a pickle checkpoint if that is what the folder has.
    std::vector<fs::path> pickles;
    for (const auto& entry : fs::directory_iterator(dir, ec))
      if (entry.is_regular_file() && isPickleName(entry.path())) pickles.push_back(entry.path());
    std::sort(pickles.begin(), pickles.end());
    if (!pickles.empty()) fail(pickles.front().string(), "", kPickleRefused);
    fail(path, "", std::string("no ") + kSingleFile + " or " + kIndexFile + " in this folder");
  }

  std::map<std::string, std::string> shardOf; // tensor name -> the shard it was found in
  for (const std::string& shard : shards) {
    const std::string shardPath = (dir / shard).string();
    SafetensorsFile file(shardPath);
    for (const TensorView& t : file.tensors()) {
      const auto [it, inserted] = shardOf.emplace(t.name, shard);
      if (!inserted)
        fail(shardPath, "tensor '" + t.name + "'", "also stored in " + it->second + "; names must be unique");
      src->tensors_.push_back(t);
    }
    src->mappings_.push_back(file.mapping());
    src->files_.push_back(shardPath);
  }

  // Every name the index promises must be in the shard it names.
  std::map<std::string, std::vector<std::string>> absent; // shard -> names
  for (const auto& [name, shard] : weightMap) {
    const auto it = shardOf.find(name);
    if (it == shardOf.end() || it->second != shard) absent[shard].push_back(name);
  }
  if (!absent.empty()) {
    const auto& [shard, names] = *absent.begin();
    fail((dir / shard).string(), "",
         "tensor(s) listed in " + std::string(kIndexFile) + " but not stored here: " + listSome(names));
  }
  return src;
}

const TensorView* WeightSource::find(std::string_view name) const {
  for (const TensorView& t : tensors_)
    if (t.name == name) return &t;
  return nullptr;
}

std::shared_ptr<const MappedFile> WeightSource::mappingOf(const TensorView& tensor) const {
  // By address: a copied TensorView still points into the mapping that owns it.
  for (const auto& m : mappings_) {
    const auto begin = reinterpret_cast<uintptr_t>(m->data());
    const auto at = reinterpret_cast<uintptr_t>(tensor.data);
    if (begin && at >= begin && at - begin <= m->size() && tensor.nbytes <= m->size() - (at - begin))
      return m;
  }
  fail(tensor.file, "tensor '" + tensor.name + "'", "does not belong to " + path_);
}

} // namespace poslab
