#include "app/gui/ModelSummaries.h"

#include <QFile>

namespace poslab {

ModelSummary ModelSummaries::fromInfo(const ModelInfo& info, bool loaded) {
  ModelSummary s;
  s.path = QFile::decodeName(info.path.c_str());
  s.format = QString::fromStdString(info.format);
  s.architecture = QString::fromStdString(info.architecture);
  s.family = QString::fromStdString(info.family);
  s.parameters = info.parameters;
  s.layers = info.layers;
  s.hiddenSize = info.hiddenSize;
  s.intermediateSize = info.intermediateSize;
  s.heads = info.heads;
  s.kvHeads = info.kvHeads;
  s.headDim = info.headDim;
  s.vocabSize = info.vocabSize;
  s.contextLength = info.contextLength;
  s.ropeTheta = info.ropeTheta;
  s.ropeScaling = QString::fromStdString(info.ropeScaling);
  s.tiedEmbeddings = info.tiedEmbeddings;
  s.storedDtype = QString::fromStdString(info.storedDtype);
  s.computeDtype = QString::fromStdString(info.computeDtype);
  s.device = QString::fromStdString(info.device);
  s.tokenizer = QString::fromStdString(info.tokenizerKind);
  s.weightBytes = info.weightBytes;
  s.kvBytesPerToken = info.kvBytesPerToken;
  s.loaded = loaded;
  return s;
}

} // namespace poslab
