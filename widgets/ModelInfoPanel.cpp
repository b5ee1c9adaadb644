#include "widgets/ModelInfoPanel.h"

#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QLocale>
#include <QVBoxLayout>
#include <algorithm>

namespace poslab {

namespace {

// Numbers and sizes read the same on every machine: English grouping, IEC units.
const QLocale& numberLocale() {
  static const QLocale locale(QLocale::English);
  return locale;
}

QString grouped(qint64 n) {
  return numberLocale().toString(n);
}

QString bytes(qint64 n) {
  return numberLocale().formattedDataSize(n, 2);
}

// 6 738 415 616 -> "6.74 B"; the exact count goes into the tooltip.
QString compactCount(qint64 n) {
  const double v = static_cast<double>(n);
  if (n >= 1'000'000'000) return QString::number(v / 1e9, 'f', 2) + " B";
  if (n >= 1'000'000) return QString::number(v / 1e6, 'f', 2) + " M";
  if (n >= 1'000) return QString::number(v / 1e3, 'f', 1) + " K";
  return QString::number(n);
}

QString known(qint64 n) {
  return n > 0 ? grouped(n) : QStringLiteral("—");
}
QString known(const QString& s) {
  return s.isEmpty() ? QStringLiteral("—") : s;
}

QFormLayout* newForm(QGroupBox* box) {
  auto* form = new QFormLayout(box);
  form->setLabelAlignment(Qt::AlignRight | Qt::AlignVCenter);
  form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
  form->setRowWrapPolicy(QFormLayout::DontWrapRows);
  form->setHorizontalSpacing(12);
  form->setVerticalSpacing(4);
  return form;
}

} // namespace

ModelInfoPanel::ModelInfoPanel(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(8, 8, 8, 8);
  layout->setSpacing(8);

  title_ = new QLabel(this);
  title_->setObjectName("titleValue");
  QFont titleFont = title_->font();
  titleFont.setBold(true);
  titleFont.setPointSizeF(titleFont.pointSizeF() * 1.15);
  title_->setFont(titleFont);
  title_->setWordWrap(true);
  title_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  layout->addWidget(title_);

  state_ = new QLabel(this);
  state_->setObjectName("stateValue");
  state_->setWordWrap(true);
  state_->setToolTip(
      tr("Whether the weights are in memory or the figures below are an estimate from the config"));
  layout->addWidget(state_);

  details_ = new QWidget(this);
  auto* detailsLayout = new QVBoxLayout(details_);
  detailsLayout->setContentsMargins(0, 0, 0, 0);
  detailsLayout->setSpacing(8);
  layout->addWidget(details_);

  auto* shape = new QGroupBox(tr("Architecture"), details_);
  auto* form = newForm(shape);
  addRow(form, Format, tr("Format"), "formatValue", tr("Hugging Face folder or single GGUF file"));
  addRow(form, Architecture, tr("Architecture"), "architectureValue", tr("Architecture and model family"));
  addRow(form, Parameters, tr("Parameters"), "parametersValue", tr("Number of weights"));
  addRow(form, Layers, tr("Layers"), "layersValue", tr("Transformer blocks"));
  addRow(form, Hidden, tr("Hidden size"), "hiddenValue", tr("Width of the residual stream"));
  addRow(form, Intermediate, tr("FFN size"), "intermediateValue",
         tr("Width of the feed-forward (MLP) layer"));
  addRow(form, Heads, tr("Heads"), "headsValue", tr("Query attention heads per layer"));
  addRow(form, KvHeads, tr("KV heads"), "kvHeadsValue",
         tr("Key/value heads per layer; fewer than the query heads means grouped-query attention"));
  addRow(form, HeadDim, tr("Head dim"), "headDimValue", tr("Width of one attention head"));
  addRow(form, Vocab, tr("Vocabulary"), "vocabValue", tr("Rows of the embedding matrix"));
  addRow(form, Context, tr("Context"), "contextValue",
         tr("Longest sequence the model was configured for, in tokens"));
  addRow(form, Rope, tr("RoPE"), "ropeValue", tr("Rotary position embedding base (theta) and scaling"));
  addRow(form, TiedEmbeddings, tr("Tied embeddings"), "tiedValue",
         tr("Whether the output layer reuses the input embedding matrix"));
  detailsLayout->addWidget(shape);

  auto* runtime = new QGroupBox(tr("Runtime"), details_);
  form = newForm(runtime);
  addRow(form, StoredDtype, tr("Stored dtype"), "storedDtypeValue",
         tr("Number format of the weights in the file"));
  addRow(form, ComputeDtype, tr("Compute dtype"), "computeDtypeValue",
         tr("Number format the weights are computed in"));
  addRow(form, Device, tr("Device"), "deviceValue", tr("Where the weights live: CPU or a CUDA GPU"));
  addRow(form, Tokenizer, tr("Tokenizer"), "tokenizerValue", tr("Kind of tokenizer found with the model"));
  detailsLayout->addWidget(runtime);

  auto* memory = new QGroupBox(tr("Memory"), details_);
  form = newForm(memory);
  addRow(form, Weights, tr("Weights"), "weightsValue", tr("Resident weights in the compute dtype"));
  addRow(form, KvPerToken, tr("KV cache / token"), "kvPerTokenValue",
         tr("Keys and values cached for one token of one sequence, all layers"));
  addRow(form, KvFull, tr("KV at full context"), "kvFullValue",
         tr("KV cache of one sequence that fills the context"));
  addRow(form, Estimate, tr("Estimate"), "estimateValue",
         tr("Weights plus a full-context KV cache for one sequence"));
  QFont bold = values_[Estimate]->font();
  bold.setBold(true);
  values_[Estimate]->setFont(bold);
  detailsLayout->addWidget(memory);

  // One label column across the three groups: the values line up.
  const QList<QLabel*> names = details_->findChildren<QLabel*>("fieldName");
  int nameWidth = 0;
  for (QLabel* name : names)
    nameWidth = std::max(nameWidth, name->sizeHint().width());
  for (QLabel* name : names)
    name->setMinimumWidth(nameWidth);

  layout->addStretch(1);
  setMinimumWidth(260);
  clear();
}

QLabel* ModelInfoPanel::addRow(QFormLayout* form, Field field, const QString& label, const char* key,
                               const QString& toolTip) {
  auto* value = new QLabel(form->parentWidget());
  value->setObjectName(QString::fromLatin1(key));
  value->setTextInteractionFlags(Qt::TextSelectableByMouse);
  value->setWordWrap(true); // long architecture names wrap instead of being cut off
  value->setToolTip(toolTip);
  auto* name = new QLabel(label, form->parentWidget());
  name->setObjectName("fieldName");
  name->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
  name->setToolTip(toolTip);
  name->setBuddy(value);
  form->addRow(name, value);
  values_[field] = value;
  return value;
}

void ModelInfoPanel::setValue(Field field, const QString& text, const QString& toolTip) {
  values_[field]->setText(text);
  if (!toolTip.isEmpty()) values_[field]->setToolTip(toolTip);
}

void ModelInfoPanel::clear() {
  summary_ = {};
  hasModel_ = false;
  title_->setText(tr("No model"));
  title_->setToolTip({});
  state_->setText(tr("Open a model with File → Open Model… (a .gguf file or a Hugging Face folder)."));
  for (QLabel* value : values_)
    value->clear();
  details_->setVisible(false);
}

void ModelInfoPanel::setState(const QString& text) {
  state_->setText(text);
}

void ModelInfoPanel::showSummary(const ModelSummary& s) {
  summary_ = s;
  hasModel_ = true;
  details_->setVisible(true);

  const QFileInfo file(s.path);
  title_->setText(file.fileName().isEmpty() ? s.path : file.fileName());
  title_->setToolTip(s.path);
  state_->setText(s.loaded ? tr("Loaded on %1 in %2.").arg(s.device, s.computeDtype)
                           : tr("Estimate from the config; weights not loaded."));

  setValue(Format, s.format == QLatin1String("gguf") ? tr("GGUF file") : tr("Hugging Face folder"));
  // "LlamaForCausalLM" already says "llama"; other names get their family added.
  const bool familyInName = s.family.isEmpty() || s.architecture.contains(s.family, Qt::CaseInsensitive);
  setValue(Architecture,
           familyInName ? known(s.architecture) : tr("%1 (%2)").arg(known(s.architecture), s.family));
  setValue(Parameters, compactCount(s.parameters), tr("%1 weights").arg(grouped(s.parameters)));
  setValue(Layers, known(s.layers));
  setValue(Hidden, known(s.hiddenSize));
  setValue(Intermediate, known(s.intermediateSize));
  setValue(Heads, known(s.heads));
  QString kv = known(s.kvHeads);
  if (s.kvHeads > 0 && s.heads > s.kvHeads)
    kv += s.kvHeads == 1 ? tr("  (MQA)") : tr("  (GQA, %1:1)").arg(s.heads / s.kvHeads);
  setValue(KvHeads, kv);
  setValue(HeadDim, known(s.headDim));
  setValue(Vocab, known(s.vocabSize));
  setValue(Context,
           s.contextLength > 0 ? tr("%1 tokens").arg(grouped(s.contextLength)) : known(s.contextLength));
  const QString theta =
      s.ropeTheta > 0 ? tr("θ = %1").arg(numberLocale().toString(s.ropeTheta, 'g', 8)) : QString();
  const QString scaling =
      s.ropeScaling.isEmpty() || s.ropeScaling == QLatin1String("none") ? QString() : s.ropeScaling;
  setValue(Rope, theta.isEmpty() && scaling.isEmpty() ? QStringLiteral("—")
                                                      : (scaling.isEmpty() ? theta : theta + ", " + scaling));
  setValue(TiedEmbeddings, s.tiedEmbeddings ? tr("yes") : tr("no"));
  setValue(StoredDtype, known(s.storedDtype));
  setValue(ComputeDtype, known(s.computeDtype));
  setValue(Device, known(s.device));
  setValue(Tokenizer, known(s.tokenizer));
  setValue(Weights, bytes(s.weightBytes), tr("%1 bytes").arg(grouped(s.weightBytes)));
  setValue(KvPerToken, bytes(s.kvBytesPerToken), tr("%1 bytes").arg(grouped(s.kvBytesPerToken)));
  setValue(KvFull, s.contextLength > 0 ? bytes(s.kvBytesPerToken * s.contextLength) : QStringLiteral("—"),
           tr("%1 tokens × %2").arg(grouped(s.contextLength), bytes(s.kvBytesPerToken)));
  setValue(Estimate, bytes(s.estimatedBytes()), tr("%1 bytes").arg(grouped(s.estimatedBytes())));
}

} // namespace poslab
