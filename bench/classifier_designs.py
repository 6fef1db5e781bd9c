"""Model selection for issue 22: representations for the caption head, scored in grouped 5-fold CV.

Run: PYTHONPATH=src .venv/bin/python bench/classifier_designs.py
         [--designs baseline meanmax partial frozen finetune setfit] [--seeds 0 1 2 3 4]
         [--shares 0.25 0.5 0.75 1 --plot curve.png] [--tune-extra 300] [--states /tmp/states.npz] [--json]

Not a speed benchmark: it compares designs the way `safefeed classify eval`
cross-validates (same grouped folds, same lexicon features, the shipped
Reddit head held fixed, the caption head's logits for the stacker out of
inner folds, the adults' threshold chosen on the training folds only), so
each design differs from the others only in the caption head:

- baseline: logistic regression on the unit mean-pooled sentence embedding (what ships);
- meanmax: mean and max pooling over the last layer's token states, standardised, L2-regularised;
- partial: the frozen encoder's layer-4 token states are cached once; the top two transformer
  layers, mean pooling and a logistic head are trained end to end per fit (torch, seeded, one thread).

The token states of every labelled caption and exemplar are computed once and cached (`--states`).

Two designs fine-tune the whole encoder, once per outer fold (a fine-tune takes minutes on two
cores, so the 25 inner fits the stacker's inputs need above are out of reach). They are scored
by cross-fitting instead (`cross_fit`): each fold's encoder embeds its held-out captions, a
logistic head on its training captions gives their out-of-fold logits, and the stacker is then
cross-validated on those logits. `frozen` is the shipped head under the same protocol, for
comparison; `best_f1` is the best F1 any single threshold reaches in hindsight (an upper bound):

- finetune: the encoder and a logistic head trained end to end (class-balanced cross-entropy);
- setfit: the encoder trained contrastively on pairs of captions (same label: similar; different
  labels: dissimilar), then a logistic head on its embeddings, as SetFit does.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from safefeed.content import classifier, embedding, lexicon, training
from safefeed.content.training import corpus, evaluation, fitting, folds
from safefeed.datasets import labelled_text

Array = npt.NDArray[np.float64]
Mask = npt.NDArray[np.bool_]
# A caption head: (training rows, rows to score) -> logits for the rows to score (TikTok row indices).
Head = Callable[[npt.NDArray[np.int64], npt.NDArray[np.int64]], Array]

PARTIAL_LAYER = 4  # cached states after this layer (of 6); the layers above it are trained
PARTIAL_TOKENS = 64  # captions are short (median 23 word pieces); longer ones are cut for training
PARTIAL_EPOCHS = 3
PARTIAL_LR = 1e-4
TUNE_EPOCHS = 3
TUNE_LR = 3e-5
SETFIT_PAIRS = 3  # per caption and label: one caption of the same label, one of the other


class Data:
    """The labelled captions, the exemplars, their token states and the stacker's fixed inputs."""

    def __init__(self, root: Path | None, states: Path, *, extra: int = 0) -> None:
        self.tiktok = labelled_text.tiktok_captions(root)
        self.exemplars = training.exemplars()
        self.n = len(self.tiktok)
        texts = [classifier.model_text(e.text) for e in [*self.tiktok, *self.exemplars]]
        self.texts = texts
        self.extra_texts, self.extra_truth = reddit_and_ordinary(root, extra, {e.id for e in self.tiktok})
        self.states, self.offsets = token_states(texts, states)
        self.truth = np.array([e.mh_related for e in self.tiktok], dtype=bool)
        self.exemplar_truth = np.array([e.mh_related for e in self.exemplars], dtype=bool)
        self.random = np.array([e.group == "random" for e in self.tiktok], dtype=bool)
        matches = [lexicon.match(e.text) for e in self.tiktok]
        self.gate = np.array([classifier.has_evidence(m) for m in matches], dtype=bool)
        self.lexicon = np.vstack([classifier.features(m, 0.0, 0.0)[2:] for m in matches])
        self.groups = folds.duplicate_groups([e.text for e in self.tiktok])
        weights = classifier.load()
        mean = self.pooled(6, ("mean",))[: self.n]
        self.text_head = mean / np.linalg.norm(mean, axis=1, keepdims=True) @ weights.text_coef + weights.text_intercept

    def pooled(self, layer: int, kinds: Sequence[str]) -> npt.NDArray[np.float32]:
        rows = []
        for start, end in zip(self.offsets[:-1], self.offsets[1:], strict=True):
            tokens = self.states[layer, start:end].astype(np.float32)
            rows.append(np.concatenate([tokens.mean(0) if kind == "mean" else tokens.max(0) for kind in kinds]))
        return np.asarray(rows, dtype=np.float32)


def reddit_and_ordinary(root: Path | None, n: int, labelled: set[str]) -> tuple[list[str], Mask]:
    """More text for a tuned encoder: n SDCNL posts (mental health), n Dreaddit segments without stress
    and 2n ordinary captions matching no lexicon theme (not), as `safefeed classify train` samples them."""
    if not n:
        return [], np.zeros(0, dtype=bool)
    rng = np.random.default_rng(0)
    posts = labelled_text.sdcnl(root)
    calm = [e for e in labelled_text.dreaddit(root) if not e.mh_related]
    ordinary = [c.text for c in corpus.ordinary_negatives(root, labelled)]
    texts = [
        *(posts[i].text for i in rng.choice(len(posts), n, replace=False)),
        *(calm[i].text for i in rng.choice(len(calm), n, replace=False)),
        *(ordinary[i] for i in rng.choice(len(ordinary), 2 * n, replace=False)),
    ]
    return [classifier.model_text(text) for text in texts], np.r_[np.ones(n), np.zeros(3 * n)].astype(bool)


def token_states(texts: Sequence[str], cache: Path) -> tuple[npt.NDArray[np.float16], npt.NDArray[np.int64]]:
    """Every layer's token states (layers x tokens x 384, fp16) and each text's token offsets, computed once."""
    if cache.is_file():
        with np.load(cache, allow_pickle=False) as data:
            if int(data["texts"]) == len(texts):
                return data["states"], data["offsets"]
    import torch
    from transformers import AutoModel

    torch.set_num_threads(1)
    tokenizer = embedding._tokenizer(embedding.model_dir())
    encodings = tokenizer.encode_batch([text.strip() for text in texts])
    bert: Any = AutoModel.from_pretrained(str(embedding.model_dir())).eval()
    states: list[npt.NDArray[np.float16]] = []
    with torch.no_grad():
        for encoding in encodings:
            ids = torch.tensor([encoding.ids])
            out = bert(input_ids=ids, attention_mask=torch.ones_like(ids), output_hidden_states=True)
            states.append(torch.cat(out.hidden_states).numpy().astype(np.float16))
    flat = np.concatenate(states, axis=1)
    offsets = np.concatenate([[0], np.cumsum([s.shape[1] for s in states])]).astype(np.int64)
    np.savez(cache, states=flat, offsets=offsets, texts=len(texts))
    return flat, offsets


def logistic_head(data: Data, x: npt.NDArray[np.float32], c: float) -> Head:
    def fit(train: npt.NDArray[np.int64], score: npt.NDArray[np.int64]) -> Array:
        rows = np.r_[train, data.n + np.arange(len(data.exemplars))]
        fitted = LogisticRegression(C=c, max_iter=5000).fit(x[rows], np.r_[data.truth[train], data.exemplar_truth])
        return np.asarray(fitted.decision_function(x[score]), dtype=np.float64)

    return fit


def partial_head(data: Data, seed: int) -> Head:
    """The top layers of the encoder, mean pooling and a logistic head, trained end to end on cached states."""
    import torch
    from transformers import AutoModel

    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    bert: Any = AutoModel.from_pretrained(str(embedding.model_dir())).eval()
    top_layers = list(bert.encoder.layer[PARTIAL_LAYER:])
    spans = list(zip(data.offsets[:-1], data.offsets[1:], strict=True))
    states = [torch.from_numpy(data.states[PARTIAL_LAYER, a:b][:PARTIAL_TOKENS].astype(np.float32)) for a, b in spans]
    lengths = np.array([len(s) for s in states])

    class Top(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.layers = torch.nn.ModuleList(copy.deepcopy(layer) for layer in top_layers)
            self.head = torch.nn.Linear(embedding.DIMENSIONS, 1)

        def forward(self, hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
            extended = (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
            for layer in self.layers:
                out = layer(hidden, attention_mask=extended)
                hidden = out[0] if isinstance(out, tuple) else out
            weight = mask[..., None].float()
            pooled = torch.nn.functional.normalize((hidden * weight).sum(1) / weight.sum(1).clamp(min=1), dim=-1)
            logits: torch.Tensor = self.head(pooled * 10).squeeze(-1)
            return logits

    def batch(rows: npt.NDArray[np.int64]) -> tuple[torch.Tensor, torch.Tensor]:
        width = int(lengths[rows].max())
        hidden = torch.zeros(len(rows), width, embedding.DIMENSIONS)
        mask = torch.zeros(len(rows), width, dtype=torch.long)
        for slot, row in enumerate(rows):
            hidden[slot, : lengths[row]] = states[row]
            mask[slot, : lengths[row]] = 1
        return hidden, mask

    def fit(train: npt.NDArray[np.int64], score: npt.NDArray[np.int64]) -> Array:
        torch.manual_seed(seed)
        rng = np.random.default_rng(seed)
        net = Top()
        rows = np.r_[train, data.n + np.arange(len(data.exemplars))]
        y = torch.tensor(np.r_[data.truth[train], data.exemplar_truth], dtype=torch.float32)
        balance = float((1 - y).sum()) / max(float(y.sum()), 1.0)
        optimiser = torch.optim.AdamW(
            [{"params": net.layers.parameters(), "lr": PARTIAL_LR}, {"params": net.head.parameters(), "lr": 1e-2}],
            weight_decay=0.01,
        )
        for _ in range(PARTIAL_EPOCHS):
            net.train()
            order = rng.permutation(len(rows))
            # Batches of similar length (sorted within chunks of 64) so little is padding.
            chunks = [
                order[c : c + 64][np.argsort(lengths[rows[order[c : c + 64]]], kind="stable")]
                for c in range(0, len(order), 64)
            ]
            batches = [chunk[s : s + 16] for chunk in chunks for s in range(0, len(chunk), 16)]
            for index in rng.permutation(len(batches)):
                picked = batches[index]
                hidden, mask = batch(rows[picked])
                weight = torch.where(y[picked] > 0, balance, 1.0)
                loss = torch.nn.functional.binary_cross_entropy_with_logits(net(hidden, mask), y[picked], weight=weight)
                optimiser.zero_grad()
                loss.backward()  # type: ignore[no-untyped-call]
                optimiser.step()
        net.eval()
        with torch.no_grad():
            return (
                np.concatenate(
                    [net(*batch(score[s : s + 64])).numpy().astype(np.float64) for s in range(0, len(score), 64)]
                )
                if len(score)
                else np.zeros(0)
            )

    return fit


def _stacked_fold(
    data: Data,
    train: npt.NDArray[np.int64],
    x_train: Array,
    all_train: npt.NDArray[np.int64],
    x_test: Array,
) -> tuple[Array, float, float]:
    """One outer fold's stacker, fitted on the gated training rows `train` (inputs `x_train`): its
    probabilities for `x_test`, the adults' threshold and an ungated caption's probability. Both are
    chosen over all training captions `all_train`, those the gate stops at probability 0, as
    `fitting.fit` does (the false-positive ceiling is a share of all random feed videos)."""
    stacker = LogisticRegression(C=1.0, max_iter=5000).fit(x_train, data.truth[train])
    in_sample = np.zeros(data.n)
    in_sample[train] = stacker.predict_proba(x_train)[:, 1]
    threshold = fitting._best_threshold(
        in_sample[all_train], data.truth[all_train], data.random[all_train], max_false_positive_rate=0.008
    )
    ungated = fitting.ungated_probability(data.truth[all_train], data.gate[all_train])
    return np.asarray(stacker.predict_proba(x_test)[:, 1], dtype=np.float64), threshold, ungated


def cross_validate(
    data: Data, head: Head, seed: int, progress: Callable[[str], None], *, share: float = 1.0
) -> dict[str, Any]:
    """Out-of-fold probabilities and the adults' decisions, as `safefeed classify eval` makes them.

    `share` < 1 trains on that share of each fold's training captions (whole near-duplicate groups,
    seeded): a learning curve, the held-out captions unchanged.
    """
    fold_of = folds.grouped_fold_ids(data.groups, 5, seed)
    kept = (np.random.default_rng(seed).random(int(data.groups.max()) + 1) < share)[data.groups]
    probability = np.zeros(data.n)
    predicted = np.zeros(data.n, dtype=bool)
    for fold in range(5):
        progress(f"seed {seed} fold {fold + 1} of 5")
        train = np.flatnonzero((fold_of != fold) & data.gate & kept)
        test = np.flatnonzero((fold_of == fold) & data.gate)
        inner = folds.grouped_fold_ids(data.groups[train], 5, seed + 1)
        heads = np.zeros(len(train))
        for part in range(5):
            heads[inner == part] = head(train[inner != part], train[inner == part])
        x_train = np.c_[heads, data.text_head[train], data.lexicon[train]]
        x_test = np.c_[head(train, test), data.text_head[test], data.lexicon[test]]
        all_train = np.flatnonzero((fold_of != fold) & kept)
        scored, threshold, ungated = _stacked_fold(data, train, x_train, all_train, x_test)
        probability[(fold_of == fold) & ~data.gate] = ungated
        probability[test] = scored
        predicted[test] = scored >= threshold
    return _summary(data, seed, predicted, probability)


# Unit embeddings of every labelled caption and exemplar (rows as in `Data.texts`) from an encoder
# tuned on the given TikTok training rows with the given seed.
Encoder = Callable[[npt.NDArray[np.int64], int], npt.NDArray[np.float32]]


def tuned_encoder(data: Data, objective: str) -> Encoder:
    """The whole encoder fine-tuned per fit on the training captions and the exemplars, by `objective`:
    "finetune" (with a logistic head, class-balanced cross-entropy) or "setfit" (cosine-similarity pairs)."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    torch.set_num_threads(2)
    tokenizer: Any = AutoTokenizer.from_pretrained(str(embedding.model_dir()))

    def pooled(bert: Any, texts: Sequence[str]) -> torch.Tensor:
        batch = tokenizer(list(texts), padding=True, truncation=True, max_length=PARTIAL_TOKENS, return_tensors="pt")
        weight = batch["attention_mask"][..., None].float()
        hidden = bert(**batch).last_hidden_state
        return torch.nn.functional.normalize((hidden * weight).sum(1) / weight.sum(1), dim=-1)

    def encode(train: npt.NDArray[np.int64], seed: int) -> npt.NDArray[np.float32]:
        torch.manual_seed(seed)
        rng = np.random.default_rng(seed)
        bert: Any = AutoModel.from_pretrained(str(embedding.model_dir()))
        rows = np.r_[train, data.n + np.arange(len(data.exemplars))]
        y = np.r_[data.truth[train], data.exemplar_truth, data.extra_truth].astype(np.float32)
        texts = [data.texts[row] for row in rows] + data.extra_texts
        head = torch.nn.Linear(embedding.DIMENSIONS, 1)
        optimiser = torch.optim.AdamW(
            [{"params": bert.parameters(), "lr": TUNE_LR}, {"params": head.parameters(), "lr": 1e-2}],
            weight_decay=0.01,
        )
        bert.train()
        if objective == "finetune":
            balance = torch.tensor(float((1 - y).sum()) / max(float(y.sum()), 1.0))
            for _ in range(TUNE_EPOCHS):
                order = rng.permutation(len(texts))
                for start in range(0, len(order), 32):
                    picked = order[start : start + 32]
                    logits = head(pooled(bert, [texts[i] for i in picked]) * 10).squeeze(-1)
                    target = torch.from_numpy(y[picked])
                    loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, target, pos_weight=balance)
                    optimiser.zero_grad()
                    loss.backward()  # type: ignore[no-untyped-call]
                    optimiser.step()
        else:
            positive, negative = np.flatnonzero(y > 0), np.flatnonzero(y == 0)

            def partner(anchor: int, same: bool) -> int:
                return int(rng.choice(positive if (y[anchor] > 0) == same else negative))

            pairs = [
                (anchor, partner(anchor, same), float(same))
                for _ in range(SETFIT_PAIRS)
                for anchor in range(len(texts))
                for same in (True, False)
            ]
            order = rng.permutation(len(pairs))
            for start in range(0, len(order), 32):
                chosen = [pairs[i] for i in order[start : start + 32]]
                left = pooled(bert, [texts[a] for a, _, _ in chosen])
                right = pooled(bert, [texts[b] for _, b, _ in chosen])
                target = torch.tensor([label for _, _, label in chosen])
                loss = torch.nn.functional.mse_loss((left * right).sum(-1), target)
                optimiser.zero_grad()
                loss.backward()  # type: ignore[no-untyped-call]
                optimiser.step()
        bert.eval()
        with torch.no_grad():
            return np.concatenate(
                [pooled(bert, data.texts[s : s + 64]).numpy() for s in range(0, len(data.texts), 64)]
            ).astype(np.float32)

    return encode


def cross_fit(data: Data, encoder: Encoder, seed: int, progress: Callable[[str], None]) -> dict[str, Any]:
    """Grouped 5-fold scores of a design whose encoder is fitted once per outer fold (see the module's doc).

    Out-of-fold caption logits come from a logistic head on each fold's embeddings; the stacker
    (same inputs as `cross_validate`) is then fitted on the other folds' out-of-fold rows, with the
    adults' threshold chosen on those rows as `fitting.fit` does.
    """
    fold_of = folds.grouped_fold_ids(data.groups, 5, seed)
    logits = np.zeros(data.n)
    for fold in range(5):
        progress(f"seed {seed} encoder {fold + 1} of 5")
        train = np.flatnonzero((fold_of != fold) & data.gate)
        test = np.flatnonzero((fold_of == fold) & data.gate)
        logits[test] = logistic_head(data, encoder(train, seed), 1.0)(train, test)
    x = np.c_[logits, data.text_head, data.lexicon]
    probability = np.zeros(data.n)
    predicted = np.zeros(data.n, dtype=bool)
    for fold in range(5):
        train = np.flatnonzero((fold_of != fold) & data.gate)
        test = np.flatnonzero((fold_of == fold) & data.gate)
        scored, threshold, ungated = _stacked_fold(data, train, x[train], np.flatnonzero(fold_of != fold), x[test])
        probability[(fold_of == fold) & ~data.gate] = ungated
        probability[test] = scored
        predicted[test] = scored >= threshold
    return _summary(data, seed, predicted, probability) | {"best_f1": round(_best_f1(data, probability), 4)}


def _best_f1(data: Data, probability: Array) -> float:
    """The best F1 of any one threshold within the random-stratum false-positive ceiling, in hindsight."""
    negatives = data.random & ~data.truth
    return max(
        (
            evaluation.scores((probability >= t).tolist(), data.truth.tolist()).f1
            for t in np.arange(0.05, 0.96, 0.01)
            if float((probability >= t)[negatives].sum()) / max(int(negatives.sum()), 1) <= 0.008
        ),
        default=0.0,
    )


def _summary(data: Data, seed: int, predicted: Mask, probability: Array) -> dict[str, Any]:
    scores = evaluation.scores(predicted.tolist(), data.truth.tolist())
    negatives = data.random & ~data.truth
    return {
        "seed": seed,
        "f1": scores.f1,
        "precision": scores.precision,
        "recall": scores.recall,
        "false_positive_rate_random": round(float(predicted[negatives].mean()), 4),
        "ece": evaluation.calibration_error(probability.tolist(), data.truth.tolist()),
        "average_precision": round(_average_precision(probability, data.truth), 4),
    }


def _average_precision(probability: Array, truth: Mask) -> float:
    order = np.argsort(-probability, kind="stable")
    hits = truth[order].astype(np.float64)
    precision_at = np.cumsum(hits) / np.arange(1, len(hits) + 1)
    return float((precision_at * hits).sum() / max(hits.sum(), 1.0))


def plot_learning_curve(
    results: dict[str, list[dict[str, Any]]], designs: Sequence[str], shares: Sequence[float], path: Path
) -> None:
    """F1 (mean and spread over seeds) and average precision against the share of training captions,
    beside the target: how far more labelled captions would carry each design."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    figure, axes = pyplot.subplots(figsize=(7, 4.5))
    for design in designs:
        rows = [results.get(design if share == 1.0 else f"{design}@{share:g}", []) for share in shares]
        if not all(rows):
            continue
        f1 = [[r["f1"] for r in row] for row in rows]
        means = [float(np.mean(row)) for row in f1]
        spread = [float(np.std(row)) for row in f1]
        drawn = axes.errorbar(shares, means, yerr=spread, marker="o", capsize=3, label=f"{design}: F1 (sd over seeds)")
        average_precision = [np.mean([r["average_precision"] for r in row]) for row in rows]
        axes.plot(shares, average_precision, ls=":", marker=".", color=drawn[0].get_color(), label=f"{design}: AP")
    axes.axhline(0.88, color="tab:red", ls="--", label="issue 22 target: F1 0.88")
    axes.set_xscale("log", base=2)  # a doubling of the labelled captions is one step
    axes.set_xticks(list(shares), [f"{share:g}" for share in shares])
    axes.set_xlabel("share of each fold's training captions (log scale)")
    axes.set_ylabel("grouped 5-fold cross-validation")
    axes.set_ylim(0.5, 1.0)
    axes.legend(loc="lower right", fontsize="small")
    axes.set_title("Caption classifier: learning curve on the labelled TikTok captions")
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    pyplot.close(figure)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--designs",
        nargs="+",
        default=["baseline", "meanmax"],
        choices=["baseline", "meanmax", "partial", "frozen", "finetune", "setfit"],
    )
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2, 3, 4])
    parser.add_argument(
        "--states", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "safefeed-token-states.npz"
    )
    parser.add_argument(
        "--tune-extra", type=int, default=0, help="tuned encoders also learn from N SDCNL, N Dreaddit, 2N ordinary"
    )
    parser.add_argument(
        "--shares",
        nargs="+",
        type=float,
        default=[1.0],
        help="learning curve: train the cross-validated designs on these shares of the training captions",
    )
    parser.add_argument("--plot", type=Path, help="with several --shares: the learning curve as a PNG here")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    started = time.perf_counter()

    def progress(message: str) -> None:
        if not args.json:
            print(f"[{time.perf_counter() - started:6.0f}s] {message}", flush=True)

    data = Data(None, args.states, extra=args.tune_extra)
    mean = data.pooled(6, ("mean",))
    unit_mean = mean / np.linalg.norm(mean, axis=1, keepdims=True)
    meanmax = StandardScaler().fit_transform(data.pooled(6, ("mean", "max"))).astype(np.float32)
    results: dict[str, list[dict[str, Any]]] = {}
    for design in args.designs:
        if design in ("frozen", "finetune", "setfit"):
            results[design] = []
            for seed in args.seeds:
                encoder = (lambda *_: unit_mean) if design == "frozen" else tuned_encoder(data, design)
                results[design].append(cross_fit(data, encoder, seed, progress))
                progress(f"{design}: {results[design][-1]}")
            continue
        for share in args.shares:
            name = design if share == 1.0 else f"{design}@{share:g}"
            results[name] = []
            for seed in args.seeds:
                if design == "baseline":
                    head = logistic_head(data, unit_mean, 1.0)
                elif design == "meanmax":
                    head = logistic_head(data, meanmax, 0.01)
                else:
                    head = partial_head(data, seed)
                results[name].append(cross_validate(data, head, seed, progress, share=share))
                progress(f"{name}: {results[name][-1]}")
    summary = {
        design: {key: round(float(np.mean([r[key] for r in rows])), 4) for key in rows[0] if key != "seed"}
        | {"f1_sd": round(float(np.std([r["f1"] for r in rows])), 4), "seeds": [r["seed"] for r in rows]}
        for design, rows in results.items()
    }
    if args.plot is not None and len(args.shares) > 1:
        plot_learning_curve(results, args.designs, args.shares, args.plot)
    if args.json:
        print(json.dumps({"per_seed": results, "mean": summary}, indent=2))
        return
    for design, row in summary.items():
        print(f"{design:13s} {row}")


if __name__ == "__main__":
    main()
