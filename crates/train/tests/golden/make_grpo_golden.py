"""Golden values for deepthink's GRPO loss: TRL's `GRPOTrainer` formula written out in PyTorch
(advantages from `_generate_and_score_completions`, loss from `_compute_loss`), its gradient
taken by autograd with respect to the per-token log-probabilities.

Run: python3 make_grpo_golden.py > grpo_golden.json   (needs torch)
"""
import json

import torch

torch.manual_seed(0)
G = 4
lengths = [3, 5, 2, 4, 6, 1, 3, 4]  # two prompts × G completions
rewards = torch.tensor([1.0, 0.0, 0.0, 1.0, 2.0, 2.0, 0.0, 1.0])
T = max(lengths)
mask = torch.zeros(len(lengths), T)
for i, n in enumerate(lengths):
    mask[i, :n] = 1.0
old = -torch.rand(len(lengths), T) * 3.0
logps0 = old + (torch.rand(len(lengths), T) - 0.5) * 0.8  # ratios spread across the clip range
ref = old + (torch.rand(len(lengths), T) - 0.5) * 0.5

cases = []
for scale_rewards in (True, False):
    mean = rewards.view(-1, G).mean(dim=1).repeat_interleave(G)
    std = rewards.view(-1, G).std(dim=1).repeat_interleave(G)
    adv = rewards - mean
    if scale_rewards:
        adv = adv / (std + 1e-4)
    for loss_type in ("grpo", "dr_grpo", "dapo"):
        for beta in (0.0, 0.04):
            eps_low, eps_high, max_len = 0.2, 0.28, 8
            logps = logps0.clone().requires_grad_(True)
            coef_1 = torch.exp(logps - old)
            coef_2 = torch.clamp(coef_1, 1 - eps_low, 1 + eps_high)
            per_token_loss = -torch.min(coef_1 * adv.unsqueeze(1), coef_2 * adv.unsqueeze(1))
            if beta != 0.0:
                per_token_kl = torch.exp(ref - logps) - (ref - logps) - 1
                per_token_loss = per_token_loss + beta * per_token_kl
            if loss_type == "grpo":
                loss = ((per_token_loss * mask).sum(-1) / mask.sum(-1).clamp(min=1.0)).mean()
            elif loss_type == "dr_grpo":
                loss = (per_token_loss * mask).sum() / (per_token_loss.size(0) * max_len)
            else:
                loss = (per_token_loss * mask).sum() / mask.sum().clamp(min=1.0)
            loss.backward()
            cases.append({
                "scale_rewards": scale_rewards, "loss_type": loss_type, "beta": beta,
                "epsilon_low": eps_low, "epsilon_high": eps_high, "max_completion_len": max_len,
                "advantages": adv.tolist(), "loss": loss.item(),
                "grad": [logps.grad[i, :n].tolist() for i, n in enumerate(lengths)],
            })

print(json.dumps({
    "group": G, "rewards": rewards.tolist(), "lengths": lengths,
    "logps": [logps0[i, :n].tolist() for i, n in enumerate(lengths)],
    "old_logps": [old[i, :n].tolist() for i, n in enumerate(lengths)],
    "ref_logps": [ref[i, :n].tolist() for i, n in enumerate(lengths)],
    "cases": cases,
}))
