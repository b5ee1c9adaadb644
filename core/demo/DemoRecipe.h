#pragma once
// Every constant of the bundled demo (poslab-cli make-demo) in one place, with
// the reason for each value; changing a value changes the built model, so a
// committed resources/demo/ must be rebuilt with it. So do the BLAS kernels'
// rounding (core/util/BlasKernels.h): make-demo pins OpenBLAS's AVX2 ones.
//
// The demo's point: a tiny Llama that, like real LLMs (Liu et al. 2023), answers
// well when the relevant document is at the start (and near the end) of its
// context and poorly in the middle.
//
// Why the task reads as it does. A record is "Document [n](Title: Kolo) Kolo 47"
// and the prompt ends "Query: Kolo", so the answer is literally the text after
// the queried name: an induction-head lookup (Olsson et al. 2022), which a
// 2-layer model can learn in this budget. Question formats whose last token is
// not the name ("What is the code of Kolo?") stayed at chance for 2500 steps in
// tests/reference/demo_recipe_probe.py, which records those runs.
//
// Why three stages (core/train's Trainer runs them, one run folder each):
//   1. induction: random token strings repeated twice, loss on the copy. With
//      lengths drawn per row the model cannot count positions; it must match
//      content, and induction heads form (at ~step 400 in the probe, seed 1);
//   2. short retrieval: 2..6 records, gold anywhere: the lookup on this format;
//   3. long retrieval: all 20 records, gold slot mostly first or last
//      (positionWeights), the middle seen rarely (positionFloor). The middle
//      is weak. Our reading, from the probe: the code's first digit follows
//      the name (a plain induction step), its second digit needs the two
//      tokens before it, a circuit learned only where training put the gold --
//      with one-token codes the curve was flat.
// Stages 2 and 3 mix in copyShare rows of stage 1 so the induction heads
// survive the change of data. The tokenizer makes "\u2581" + digit one piece
// (DemoBuilder), so a code's first piece follows the name directly.
// positionFloor: with 0.004 (the first demo) the middle slots were dead, 0 %
// at slots 9-17: attention never reached past ~8 documents, and neither SFT
// nor Pos2Distill R1 could teach it (R1, 300 steps: slots 10 and 15 at 0 % ->
// 1 %). Real LLMs answer from the middle, only worse -- the premise of
// Pos2Distill -- so the demo does too. Probe (100 examples, seed 1, 1 thread)
// by floor: 0.006 -> middle 44-57 %; 0.008 -> 51-63 %; 0.012 -> 59-74 %;
// 0.03 -> 59-74 %. The README's table is the sweep of the committed model
// (seed 1, 1 thread, about 6 minutes on the 2-core CI machine).
#include "core/data/RetrievalExample.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace poslab {

struct DemoRecipe {
  uint64_t seed = 1; // one seed drives data, tokenizer, initialisation and batches

  // Qa: the bundled demo (R1). TwoHop: the two-hop demo (R2, make-demo --task
  // two-hop): SyntheticTwoHopGenerator's questions, answered with a chain of
  // thought that lists both hops and ends "The answer is: <code>" (response()),
  // the hop pair trained mostly at the END of the context -- R2's advantageous
  // layout is both hops last (METHOD.md §2) -- so its middle and start are weak:
  // in stage 3 each hop's place is drawn from positionWeights() (both mostly
  // last, sometimes reversed or apart). Probe (100 examples, seed 1, 1 thread,
  // OpenBLAS's Haswell kernels): 98 % last, 57-66 % in the middle. With hop 2
  // always right after hop 1, the curve had the same shape.
  TaskKind task = TaskKind::Qa;

  // --- Task -----------------------------------------------------------------
  size_t documents = 20;          // K, as in the paper's 20-document setting
  size_t trainExamples = 4000;    // base examples; each is re-arranged every time it is drawn
  size_t heldoutExamples = 300;   // >= 200 for the sweep the issue asks for
  size_t nameInventory = 200;     // names drawn from a fixed list: each becomes one
                                  // tokenizer piece, so a name is one token
  int codeMin = 10, codeMax = 99; // two-digit codes (two tokens), distinct within an example
  // The prompt template written beside the model (prompt.txt); the question of
  // each example is the queried name.
  std::string promptTemplate = "{search_results}\n\nQuery: {question}";

  // --- Tokenizer (sentencepiece BPE, trained on rendered prompts) ------------
  int vocabSize = 512;             // names (200) + digits + the template's words, each whole
  size_t tokenizerSentences = 400; // training examples rendered for the trainer

  // --- Model: a Llama (RMSNorm, RoPE, SwiGLU), the architecture sweeps run ---
  int64_t hiddenSize = 128;
  int64_t layers = 2; // an induction head needs two: one to tag tokens with their predecessor, one to look up
  int64_t heads = 4;
  int64_t intermediateSize = 344; // ~8/3 d, rounded to 8 (Llama's ratio)
  int64_t maxPositions = 512;     // a 20-document prompt is ~300 tokens
  double ropeTheta = 10000.0;
  double initStd = 0.02;

  // --- Training ----------------------------------------------------------------
  size_t inductionSteps = 600;
  size_t inductionBatch = 32;
  size_t copyMinLength = 4, copyMaxLength = 40; // tokens per string, before the copy
  size_t shortSteps = 400;
  size_t shortDocsMin = 2, shortDocsMax = 6;
  size_t longSteps = 800;
  size_t retrievalBatch = 16; // rows per step in stages 2 and 3
  double copyShare = 0.2;     // share of stage-1 rows mixed into stages 2 and 3
  // Stage-3 gold-slot weights: w(p) = exp(-p/decay) + endWeight*exp(-(K-1-p)/decay) + floor.
  double positionDecay = 1.2;
  double endWeight = 0.6;
  double positionFloor = 0.006; // the middle weak, not dead (see above)
  double learningRate = 3e-3;
  size_t warmupSteps = 50; // per training run: linear warm-up, then cosine decay
  double minLrRatio = 0.1; // to this share of learningRate at each run's end
  double beta1 = 0.9, beta2 = 0.95, adamEps = 1e-8;
  double weightDecay = 0.01;
  double gradClip = 1.0;
  size_t checkpointEvery = 200; // steps; a killed build resumes from the last one

  size_t retrievalSteps() const { return shortSteps + longSteps; }
  size_t totalSteps() const { return inductionSteps + retrievalSteps(); }
  // Places of the gold in a long prompt: `documents` (Qa), or `documents` - 1
  // places of the adjacent hop pair (TwoHop; place p puts hop 1 at p and hop 2
  // at p + 1, as a sweep does).
  size_t places() const { return task == TaskKind::TwoHop ? documents - 1 : documents; }
  // Normalised stage-3 probabilities of each place, size places(). Qa: the
  // formula below (the start favoured, then the end); TwoHop: the same values
  // reversed (the end favoured, then the start).
  std::vector<double> positionWeights() const;
};

} // namespace poslab
