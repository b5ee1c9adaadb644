#include "app/gui/PlacementBuilder.h"

#include "core/attention/AttentionStudy.h"
#include "core/engine/Engine.h"
#include "core/eval/AnswerScorer.h"
#include "core/sweep/SweepRunner.h"
#include "core/util/Error.h"

namespace poslab {

namespace {

AttentionQuery coreQuery(QuerySelection q) {
  switch (q) {
  case QuerySelection::Question:
    return AttentionQuery::Question;
  case QuerySelection::Answer:
    return AttentionQuery::Answer;
  case QuerySelection::LastToken:
    break;
  }
  return AttentionQuery::LastToken;
}

} // namespace

QString PlacementRequest::key() const {
  return QString("%1|%2|%3|%4|%5")
      .arg(QString::fromStdString(settings.dataPath))
      .arg(settings.docs)
      .arg(example)
      .arg(position)
      .arg(static_cast<int>(query));
}

const std::vector<RetrievalExample>& PlacementBuilder::examples(const SweepSettings& settings) {
  if (!examples_ || loadedPath_ != settings.dataPath) {
    ExampleSource source;
    source.path = settings.dataPath;
    source.randomDistractors = settings.randomDistractors;
    source.distractorSeed = settings.distractorSeed;
    examples_ = std::make_shared<std::vector<RetrievalExample>>(AttentionStudy::loadExamples(source));
    loadedPath_ = settings.dataPath;
  }
  return *examples_;
}

int PlacementBuilder::positionCount(const PlacementRequest& request) {
  SweepSettings s = request.settings;
  s.modelPath = engine_.info().path;
  s = SweepRunner::resolve(s);
  const auto& all = examples(s);
  if (request.example < 0 || static_cast<size_t>(request.example) >= all.size())
    fail(s.dataPath, "example",
         std::to_string(request.example) + " is not among its " + std::to_string(all.size()) + " examples");
  const RetrievalExample& ex = all[static_cast<size_t>(request.example)];
  return static_cast<int>(GoldPlacement(SweepRunner::promptSettings(s, ex.kind).placement).positionCount(ex));
}

PlacementDetails PlacementBuilder::build(const PlacementRequest& request) {
  SweepSettings s = request.settings;
  s.modelPath = engine_.info().path;
  s = SweepRunner::resolve(s);
  positionCount(request); // validates the example index
  const RetrievalExample& ex = examples(s)[static_cast<size_t>(request.example)];
  const Tokenizer& tokenizer = engine_.requireTokenizer();
  AttentionStudySettings study;
  study.prompt = SweepRunner::promptSettings(s, ex.kind);
  study.options.maxAnswerTokens = s.maxNewTokens;
  const auto chat = SweepRunner::chatTemplate(s);
  // The answer first (the explorer shows it), then the chosen query's attention.
  study.query = AttentionQuery::Answer;
  const PromptAttention answer = AttentionStudy(engine_.model(), tokenizer, chat, study)
                                     .analyse(ex, static_cast<size_t>(request.position));
  study.query = coreQuery(request.query);
  const PromptAttention shown = request.query == QuerySelection::Answer
                                    ? answer
                                    : AttentionStudy(engine_.model(), tokenizer, chat, study)
                                          .analyse(ex, static_cast<size_t>(request.position));
  const AttentionProfile& p = shown.analysis.profile;
  const RetrievalExample& placed = shown.prompt.example;

  PlacementDetails d;
  d.example = request.example;
  d.goldPosition = request.position;
  d.question = QString::fromStdString(ex.kind == TaskKind::Qa ? ex.question : "Key: " + ex.key);
  for (const auto& a : ex.kind == TaskKind::Qa ? ex.answers : std::vector<std::string>{ex.value})
    d.goldAnswers << QString::fromStdString(a);
  const std::string prediction = answer.analysis.profile.answerText;
  d.prediction = QString::fromStdString(std::string(AnswerScorer::firstLine(prediction)));
  d.correct = (ex.kind == TaskKind::Qa ? AnswerScorer::bestSubspanEm(prediction, ex.answers)
                                       : AnswerScorer::kvSubstring(prediction, ex.value)) > 0.5;
  d.promptTokens = static_cast<int>(shown.prompt.encoding.ids.size());
  for (size_t i = 0; i < p.documents; ++i) {
    DocumentStripItem item;
    item.title = ex.kind == TaskKind::Qa ? QString::fromStdString(placed.documents[i].title)
                                         : QString::fromStdString(placed.pairs[i].key.substr(0, 8));
    if (item.title.isEmpty()) item.title = QString("Document %1").arg(i + 1);
    item.tokenCount = static_cast<int>(p.documentTokens[i]);
    item.isGold = p.goldIndex && *p.goldIndex == i;
    d.documents.push_back(item);
  }
  AttentionGrid& g = d.attention;
  g.layers = static_cast<int>(p.layers);
  g.heads = static_cast<int>(p.heads);
  g.documents = static_cast<int>(p.documents);
  g.query = request.query;
  g.mass = QVector<float>(p.mass.begin(), p.mass.end());
  for (const auto& item : d.documents)
    g.documentLabels << item.title;
  g.goldIndex = p.goldIndex ? static_cast<int>(*p.goldIndex) : -1;
  g.sinkShare = QVector<float>(p.sinkShare.begin(), p.sinkShare.end());
  return d;
}

} // namespace poslab
