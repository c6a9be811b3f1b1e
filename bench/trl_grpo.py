"""TRL's GRPOTrainer on a deepthink checkpoint, for `seconds per GRPO step` against
`deepthink train grpo` with the same model and settings (issue 4's speed figure).

Same work on both sides: 16 prompts × 8 completions, at most 64 new tokens, temperature 2 (so
the default model's groups get mixed rewards on 3×3 products),
beta 0, one update per batch (num_iterations / μ = 1), lr 1e-4, DAPO token-level loss, rewards
accuracy + format, every group through the backward pass. Prints one JSON line.

    python3 bench/trl_grpo.py --model models/mult-compact --steps 20

With --save-steps N it also saves a checkpoint every N steps under --output-dir, and writes
`timing.json` there: the cumulative training seconds (step time only, saving excluded) at each
saved step, so `deepthink eval` can score TRL's checkpoints for the wall-clock-to-accuracy figure.
"""
import argparse
import json
import random
import statistics
import tempfile
import time

import torch
from datasets import Dataset
from transformers import AutoModelForCausalLM, AutoTokenizer, TrainerCallback
from trl import GRPOConfig, GRPOTrainer


def answer_of(text):
    if text.count("</think>") != 1:
        return None
    ans = text.split("</think>")[1].strip()
    return ans or None


def completion_text(c):
    return c[0]["content"] if isinstance(c, list) else c


def accuracy(completions, answer, **kwargs):
    return [1.0 if answer_of(completion_text(c)) == a else 0.0 for c, a in zip(completions, answer)]


def fmt(completions, **kwargs):
    return [1.0 if answer_of(completion_text(c)) is not None else 0.0 for c in completions]


class StepTimer(TrainerCallback):
    def __init__(self):
        self.times, self.t0 = [], None

    def on_step_begin(self, args, state, control, **kw):
        self.t0 = time.perf_counter()

    def on_step_end(self, args, state, control, **kw):
        self.times.append(time.perf_counter() - self.t0)


class SaveTimer(TrainerCallback):
    """Cumulative step seconds at every saved checkpoint, written to OUTPUT_DIR/timing.json."""

    def __init__(self, steps, out):
        self.steps, self.out, self.saved = steps, out, []

    def on_save(self, args, state, control, **kw):
        self.saved.append({"step": state.global_step, "seconds": sum(self.steps.times)})
        with open(f"{self.out}/timing.json", "w") as f:
            json.dump(self.saved, f)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="models/mult-compact")
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--prompts", type=int, default=16)
    ap.add_argument("--group", type=int, default=8)
    ap.add_argument("--max-completion", type=int, default=64)
    ap.add_argument("--min-digits", type=int, default=3)
    ap.add_argument("--max-digits", type=int, default=3)
    ap.add_argument("--temperature", type=float, default=2.0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--lr", type=float, default=1e-4)
    ap.add_argument("--epsilon-high", type=float, default=0.2)
    ap.add_argument("--save-steps", type=int, default=0, help="0 = never save")
    ap.add_argument("--output-dir", default=None)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    rng = random.Random(a.seed)

    def operand():
        d = rng.randint(a.min_digits, a.max_digits)
        return rng.randint(10 ** (d - 1), 10**d - 1)

    rows = []
    for _ in range(a.steps * a.prompts):
        x, y = operand(), operand()
        rows.append({"prompt": [{"role": "user", "content": f"{x}*{y}"}], "answer": str(x * y)})
    tok = AutoTokenizer.from_pretrained(a.model)
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    model = AutoModelForCausalLM.from_pretrained(a.model, torch_dtype=torch.float32)
    cfg = GRPOConfig(
        output_dir=a.output_dir or tempfile.mkdtemp(),
        per_device_train_batch_size=a.prompts * a.group,
        num_generations=a.group,
        max_completion_length=a.max_completion,
        temperature=a.temperature,
        beta=0.0,
        num_iterations=1,
        learning_rate=a.lr,
        epsilon_high=a.epsilon_high,
        lr_scheduler_type="constant",
        loss_type="dapo",
        use_cpu=True,
        bf16=False,
        gradient_checkpointing=False,
        max_steps=a.steps,
        logging_steps=1,
        report_to=[],
        save_strategy="steps" if a.save_steps else "no",
        save_steps=a.save_steps or 500,
        save_only_model=True,
        seed=a.seed,
        dataloader_num_workers=0,
    )
    timer = StepTimer()
    callbacks = [timer]
    if a.save_steps:
        callbacks.append(SaveTimer(timer, cfg.output_dir))
    trainer = GRPOTrainer(
        model=model,
        reward_funcs=[accuracy, fmt],
        args=cfg,
        train_dataset=Dataset.from_list(rows),
        processing_class=tok,
        callbacks=callbacks,
    )
    trainer.train()
    logs = [h for h in trainer.state.log_history if "reward" in h]
    steady = timer.times[2:] if len(timer.times) > 2 else timer.times
    print(json.dumps({
        "median_step_s": statistics.median(steady),
        "step_s": timer.times,
        "reward_mean": statistics.mean(float(h["reward"]) for h in logs) if logs else None,
        "accuracy_mean": statistics.mean(float(h.get("rewards/accuracy/mean", "nan")) for h in logs) if logs else None,
        "frac_reward_zero_std": statistics.mean(float(h.get("frac_reward_zero_std", "nan")) for h in logs) if logs else None,
        "mean_length": statistics.mean(float(h.get("completions/mean_length", "nan")) for h in logs) if logs else None,
        "torch": torch.__version__,
    }))


if __name__ == "__main__":
    main()
