"""llama.cpp's side of `deepthink bench --hf`: the GGUF file `deepthink export --gguf` wrote from
the same checkpoint, through llama.cpp's C API (the `llama-cpp-python` package, built from source
by pip), measured the way deepthink measures itself.

Prints one JSON line: load_s, peak_rss_mib (over the whole run), single_ms_per_token and
batched_ms_per_step (median per-step time of greedy decoding, one `llama_decode` per step with one
token per sequence, the prefill not counted); writes the 64 × vocab logits of the fixed sequence
as raw float32 to --logits.

    python bench/llamacpp_reference.py --gguf m.gguf --inputs inputs.json --logits out.f32 --threads 2
"""
import ctypes
import time

import numpy as np
import llama_cpp as L

from reference_protocol import arguments, decode_step_seconds, report


class Context:
    def __init__(self, model, n_seqs, n_ctx, threads):
        p = L.llama_context_default_params()
        p.n_ctx, p.n_batch, p.n_ubatch, p.n_seq_max = n_ctx * n_seqs, 512, 512, n_seqs
        p.n_threads = p.n_threads_batch = threads
        p.kv_unified = False
        self.ctx = L.llama_init_from_model(model, p)
        self.n_vocab = L.llama_vocab_n_tokens(L.llama_model_get_vocab(model))
        self.batch = L.llama_batch_init(512, 0, n_seqs)

    def decode(self, items):
        """items: (token, pos, seq, want_logits); returns the wanted rows' logits."""
        b = self.batch
        b.n_tokens = len(items)
        for i, (tok, pos, seq, want) in enumerate(items):
            b.token[i], b.pos[i], b.n_seq_id[i], b.logits[i] = tok, pos, 1, want
            b.seq_id[i][0] = seq
        if L.llama_decode(self.ctx, b) != 0:
            raise RuntimeError("llama_decode failed")
        rows = []
        for i, (_, _, _, want) in enumerate(items):
            if want:
                ptr = L.llama_get_logits_ith(self.ctx, i)
                rows.append(np.ctypeslib.as_array(ptr, shape=(self.n_vocab,)).copy())
        return rows

    def clear(self):
        L.llama_memory_clear(L.llama_get_memory(self.ctx), True)


def decode(ctx, prompts, new_tokens, reps):
    def prefill():
        ctx.clear()
        items = [(t, j, s, j == len(p) - 1) for s, p in enumerate(prompts) for j, t in enumerate(p)]
        return ctx.decode(items), [len(p) for p in prompts]

    def step(state):
        rows, pos = state
        rows = ctx.decode([(int(r.argmax()), pos[s], s, True) for s, r in enumerate(rows)])
        return rows, [q + 1 for q in pos]

    return decode_step_seconds(prefill, step, new_tokens, reps)


def main():
    a, inp = arguments(("--gguf", dict(required=True)))
    L.llama_backend_init()
    global QUIET  # the callback must outlive every call into llama.cpp
    QUIET = L.llama_log_callback(lambda *_: None)
    L.llama_log_set(QUIET, ctypes.c_void_p(0))
    t0 = time.perf_counter()
    mp = L.llama_model_default_params()
    model = L.llama_model_load_from_file(a.gguf.encode(), mp)
    if not model:
        raise RuntimeError(f"llama.cpp could not load {a.gguf}")
    n_ctx = max(len(inp["logits_input"]), len(inp["prompts"][0]) + inp["new_tokens"]) + 8
    one = Context(model, 1, n_ctx, a.threads)
    load_s = time.perf_counter() - t0
    ids = inp["logits_input"]
    np.stack(one.decode([(t, j, 0, True) for j, t in enumerate(ids)])).astype(np.float32).tofile(a.logits)
    single = decode(one, inp["prompts"][:1], inp["new_tokens"], inp["reps"])
    many = Context(model, len(inp["prompts"]), n_ctx, a.threads)
    batched = decode(many, inp["prompts"], inp["new_tokens"], inp["reps"])
    report(load_s, single, batched, llama_cpp_python=L.__version__)


if __name__ == "__main__":
    main()
