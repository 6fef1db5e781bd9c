"""Training and evaluating the default classifier on the labelled sets in ../shared/data.

Training data, by role:
- positives for their themes: Reddit r/SuicideWatch and r/Depression posts
  (SDCNL), stressed Dreaddit segments from mental-health subreddits;
- negatives: Dreaddit segments without stress (hard negatives from the same
  subreddits) and ordinary TikTok captions that match no lexicon term;
- short-video calibration: the hand-labelled TikTok captions (majority of
  three raters on the hard rows) that pass the lexicon gate train the caption
  head and the stacker (the stacker on out-of-fold head logits), which also
  sets the two operating points;
- the synthetic exemplars in data/exemplars.toml cover themes Reddit lacks and
  the hard cases (hashtag-only posts, sad-song edits, grief stories,
  affirmations, non-English captions, false friends).

Every text is embedded as the classifier reads it (`classifier.model_text`).
Evaluation cross-validates every set the model trains on (the same split for
all heads; TikTok folds keep near-duplicate captions together) and scores sets
it never sees (C-SSRS) with the given weights.

Modules: `options` (hyperparameters), `corpus` (reading and embedding the
sets), `folds` (near-duplicate groups and fold ids), `fitting` (the heads, the
stacker, the thresholds), `evaluation` (metrics, calibration, cross-validation).
"""

from __future__ import annotations

from safefeed.content.training.corpus import Corpus as Corpus
from safefeed.content.training.corpus import Part as Part
from safefeed.content.training.corpus import exemplars as exemplars
from safefeed.content.training.corpus import load_corpus as load_corpus
from safefeed.content.training.evaluation import Scores as Scores
from safefeed.content.training.evaluation import calibration_error as calibration_error
from safefeed.content.training.evaluation import confusion as confusion
from safefeed.content.training.evaluation import cross_validate as cross_validate
from safefeed.content.training.evaluation import evaluate as evaluate
from safefeed.content.training.evaluation import report as report
from safefeed.content.training.evaluation import scores as scores
from safefeed.content.training.fitting import fit as fit
from safefeed.content.training.folds import duplicate_groups as duplicate_groups
from safefeed.content.training.folds import grouped_fold_ids as grouped_fold_ids
from safefeed.content.training.options import Options as Options
