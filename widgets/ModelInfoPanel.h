#pragma once
// The model panel: what a model is (architecture, shape, tokenizer) and what it
// costs in memory, from a ModelSummary. Shows an estimate before the weights are
// loaded and the loaded state after.
#include "widgets/ModelSummary.h"

#include <QWidget>
#include <array>

class QLabel;
class QFormLayout;

namespace poslab {

class ModelInfoPanel : public QWidget {
  Q_OBJECT
public:
  explicit ModelInfoPanel(QWidget* parent = nullptr);

  const ModelSummary& summary() const { return summary_; }
  bool hasModel() const { return hasModel_; }

public Q_SLOTS:
  void showSummary(const poslab::ModelSummary& summary);
  // One line under the title: "Loading weights…", "Failed to load", ...
  void setState(const QString& text);
  void clear();

private:
  // Every value row; objectName of each value label is its key (e.g. "layersValue").
  enum Field {
    Format,
    Architecture,
    Parameters,
    Layers,
    Hidden,
    Intermediate,
    Heads,
    KvHeads,
    HeadDim,
    Vocab,
    Context,
    Rope,
    TiedEmbeddings,
    StoredDtype,
    ComputeDtype,
    Device,
    Tokenizer,
    Weights,
    KvPerToken,
    KvFull,
    Estimate,
    FieldCount
  };
  QLabel* addRow(QFormLayout* form, Field field, const QString& label, const char* key,
                 const QString& toolTip);
  void setValue(Field field, const QString& text, const QString& toolTip = {});

  ModelSummary summary_;
  bool hasModel_ = false;
  QLabel* title_ = nullptr;
  QLabel* state_ = nullptr;
  QWidget* details_ = nullptr;
  std::array<QLabel*, FieldCount> values_{};
};

} // namespace poslab
