"""PyTorch reference for `deepthink bench`: the identical Llama-style model (RMSNorm, RoPE, GQA,
SwiGLU, untied output), measured the same way, eager mode, float32, on the CPU.

Prints one JSON line: train_tokens_per_s (batch 32 x 128, AdamW, clip 1.0), batched_decode_tokens_per_s
(64 sequences, 16-token prompts, 128 greedy new tokens with a KV cache), single_ms_per_token (1 sequence,
1 thread, as deepthink measures it), peak_rss_mib.

    python bench/torch_reference.py --d-model 256 --ffn 688 --vocab 64 --threads 2
"""
import argparse
import json
import resource
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class RMSNorm(nn.Module):
    def __init__(self, d, eps=1e-5):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))
        self.eps = eps

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rope_tables(hd, max_pos, theta=10000.0):
    inv = 1.0 / theta ** (torch.arange(0, hd, 2).float() / hd)
    ang = torch.outer(torch.arange(max_pos).float(), inv)
    ang = torch.cat([ang, ang], -1)
    return ang.cos(), ang.sin()


def rotate(x, cos, sin):  # x (B, h, T, hd)
    h = x.shape[-1] // 2
    rot = torch.cat([-x[..., h:], x[..., :h]], -1)
    return x * cos + rot * sin


class Block(nn.Module):
    def __init__(self, d, h, kv, f):
        super().__init__()
        self.h, self.kv, self.hd = h, kv, d // h
        self.n1, self.n2 = RMSNorm(d), RMSNorm(d)
        self.qkv = nn.Linear(d, (h + 2 * kv) * self.hd, bias=False)
        self.o = nn.Linear(h * self.hd, d, bias=False)
        self.gu = nn.Linear(d, 2 * f, bias=False)
        self.down = nn.Linear(f, d, bias=False)

    def forward(self, x, cos, sin, cache=None):
        B, T, _ = x.shape
        q, k, v = self.qkv(self.n1(x)).split([self.h * self.hd, self.kv * self.hd, self.kv * self.hd], -1)
        q = q.view(B, T, self.h, self.hd).transpose(1, 2)  # (B, h, T, hd)
        k = k.view(B, T, self.kv, self.hd).transpose(1, 2)
        v = v.view(B, T, self.kv, self.hd).transpose(1, 2)
        q, k = rotate(q, cos, sin), rotate(k, cos, sin)
        if cache is not None:
            if cache[0] is not None:
                k = torch.cat([cache[0], k], 2)
                v = torch.cat([cache[1], v], 2)
            cache[0], cache[1] = k, v
        rep = self.h // self.kv
        k, v = k.repeat_interleave(rep, 1), v.repeat_interleave(rep, 1)
        a = F.scaled_dot_product_attention(q, k, v, is_causal=(T > 1))
        x = x + self.o(a.transpose(1, 2).reshape(B, T, -1))
        g, u = self.gu(self.n2(x)).chunk(2, -1)
        return x + self.down(F.silu(g) * u)


class Model(nn.Module):
    def __init__(self, a):
        super().__init__()
        self.emb = nn.Embedding(a.vocab, a.d_model)
        self.blocks = nn.ModuleList(Block(a.d_model, a.heads, a.kv_heads, a.ffn) for _ in range(a.layers))
        self.norm = RMSNorm(a.d_model)
        self.head = nn.Linear(a.d_model, a.vocab, bias=False)
        self.cos, self.sin = rope_tables(a.d_model // a.heads, 512)

    def forward(self, ids, pos=0, caches=None):
        T = ids.shape[1]
        cos, sin = self.cos[pos:pos + T], self.sin[pos:pos + T]
        x = self.emb(ids)
        for i, b in enumerate(self.blocks):
            x = b(x, cos, sin, None if caches is None else caches[i])
        return self.head(self.norm(x))


def train_tok_s(m, a):
    opt = torch.optim.AdamW(m.parameters(), lr=1e-4, betas=(0.9, 0.98), weight_decay=0.1)
    ids = torch.randint(0, a.vocab, (32, 128))
    tgt = torch.randint(0, a.vocab, (32, 128))
    times = []
    for _ in range(a.reps + 1):
        t0 = time.perf_counter()
        loss = F.cross_entropy(m(ids).reshape(-1, a.vocab), tgt.reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(m.parameters(), 1.0)
        opt.step()
        times.append(time.perf_counter() - t0)
    return 32 * 128 / statistics.median(times[1:])


@torch.no_grad()
def decode_s(m, a, n, new=128):
    times = []
    for _ in range(a.reps + 1):
        ids = torch.randint(0, a.vocab, (n, 16))
        t0 = time.perf_counter()
        caches = [[None, None] for _ in m.blocks]
        logits = m(ids, 0, caches)
        pos = 16
        for _ in range(new):
            nxt = logits[:, -1].argmax(-1, keepdim=True)
            logits = m(nxt, pos, caches)
            pos += 1
        times.append(time.perf_counter() - t0)
    return statistics.median(times[1:])


def main():
    p = argparse.ArgumentParser()
    for k, v in [("d-model", 128), ("layers", 4), ("heads", 4), ("kv-heads", 2), ("ffn", 344), ("vocab", 61), ("threads", 2), ("reps", 5)]:
        p.add_argument(f"--{k}", type=int, default=v)
    a = p.parse_args()
    torch.manual_seed(0)
    m = Model(a)
    torch.set_num_threads(a.threads)
    train = train_tok_s(m, a)
    m.eval()
    batched = 64 * 128 / decode_s(m, a, 64)
    torch.set_num_threads(1)
    single = decode_s(m, a, 1) / 128 * 1000
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"train_tokens_per_s": train, "batched_decode_tokens_per_s": batched,
                      "single_ms_per_token": single, "peak_rss_mib": rss, "threads": a.threads,
                      "params": sum(x.numel() for x in m.parameters())}))


if __name__ == "__main__":
    main()
