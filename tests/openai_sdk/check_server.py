"""The official `openai` SDK against `deepthink serve`: what clients of DeepSeek, vLLM and
llama.cpp rely on, checked from the client's side.

    python check_server.py BASE_URL MODEL_DIR

Run by `tests/openai_sdk.rs` (which starts the server) with the venv `.ci/run` creates. The
thinking budget is checked by re-tokenising the returned reasoning with the model's own
tokenizer.json (the `tokenizers` package), not by trusting the server's count.
"""

import sys

import openai
from tokenizers import Tokenizer

base, model_dir = sys.argv[1], sys.argv[2]
tok = Tokenizer.from_file(f"{model_dir}/tokenizer.json")
client = openai.OpenAI(base_url=base, api_key="unused", max_retries=0)
MODEL = client.models.list().data[0].id
Q = [{"role": "user", "content": "123*456"}]


def count(text):
    return len(tok.encode(text, add_special_tokens=False).ids)


def extra(obj, name):
    return (obj.model_extra or {}).get(name)


def check(name, cond, detail=""):
    if not cond:
        raise SystemExit(f"FAIL {name}: {detail}")
    print(f"ok   {name}")


# Plain: the thinking under both names, the answer alone in content.
r = client.chat.completions.create(model=MODEL, messages=Q, temperature=0)
m = r.choices[0].message
reasoning = extra(m, "reasoning_content")
check("plain answer", m.content == "56088", m)
check("reasoning under both names", reasoning and reasoning == extra(m, "reasoning"), m)
check("no tags in content", "think>" not in m.content and "think>" not in reasoning, m)
details = r.usage.completion_tokens_details
check("reasoning_tokens exact", details.reasoning_tokens == count(reasoning), (details, count(reasoning)))

# Streaming: role first, reasoning deltas, then content deltas; usage at the end.
stream = client.chat.completions.create(
    model=MODEL, messages=Q, temperature=0, stream=True, stream_options={"include_usage": True}
)
kinds, text_r, text_c, usage = [], "", "", None
for i, chunk in enumerate(stream):
    if chunk.usage:
        usage = chunk.usage
    if not chunk.choices:
        continue
    d = chunk.choices[0].delta
    if i == 0:
        check("first chunk carries the role", d.role == "assistant", d)
    rc = extra(d, "reasoning_content")
    if rc:
        kinds.append("r")
        text_r += rc
    if d.content:
        kinds.append("c")
        text_c += d.content
check("stream: reasoning before content", "".join(kinds).rstrip("c").count("c") == 0 and "r" in kinds, kinds)
check("stream: content without tags", text_c == "56088", text_c)
check("stream: same reasoning as plain", text_r == reasoning, (text_r, reasoning))
check("stream: usage", usage is not None and usage.completion_tokens_details.reasoning_tokens == count(text_r), usage)

# n > 1, seeded.
r = client.chat.completions.create(model=MODEL, messages=Q, n=4, temperature=1.0, seed=3)
check("n=4 choices", len(r.choices) == 4 and sorted(c.index for c in r.choices) == [0, 1, 2, 3], r.choices)

# A thinking budget met exactly (vLLM's name, then llama.cpp's).
for field, budget in [("thinking_token_budget", 9), ("thinking_budget_tokens", 14)]:
    r = client.chat.completions.create(model=MODEL, messages=Q, temperature=0, extra_body={field: budget})
    got = extra(r.choices[0].message, "reasoning_content")
    check(f"{field}={budget} met exactly", count(got) == budget, (got, count(got)))
    check(f"{field}: the model still answers", r.choices[0].message.content != "", r.choices[0].message)

# Thinking off, two ways.
for how in [dict(reasoning_effort="none"), dict(extra_body={"chat_template_kwargs": {"enable_thinking": False}})]:
    r = client.chat.completions.create(model=MODEL, messages=Q, temperature=0, **how)
    check(f"thinking off via {list(how)[0]}", not extra(r.choices[0].message, "reasoning_content"), r.choices[0].message)
    check(f"thinking off: no reasoning tokens ({list(how)[0]})", r.usage.completion_tokens_details.reasoning_tokens == 0)

# Every effort level.
for effort in ["minimal", "low", "medium", "high"]:
    r = client.chat.completions.create(model=MODEL, messages=Q, reasoning_effort=effort)
    check(f"effort {effort}", r.choices[0].message.content == "56088", r.choices[0].message)
    if effort in ("medium", "high"):
        cost = extra(r, "deepthink")
        check(f"effort {effort} reports its cost", cost and cost["samples"] >= 2 and cost["flops"] > 0, cost)

# A strategy through extra_body.
r = client.chat.completions.create(
    model=MODEL, messages=Q, extra_body={"deepthink": {"strategy": "majority", "samples": 6}}
)
cost = extra(r, "deepthink")
check("extra_body strategy", cost["strategy"] == "majority" and cost["samples"] == 6, cost)
check("extra_body strategy answers", r.choices[0].message.content == "56088", r.choices[0].message)

# Raw completions with log-probabilities.
c = client.completions.create(model=MODEL, prompt="<|user|>12*34<|assistant|><think>\n", max_tokens=4, temperature=0, logprobs=0)
check("completions logprobs", len(c.choices[0].logprobs.token_logprobs) == 4, c.choices[0])

# Five (and more) error cases, each with the error JSON naming its field.
cases = [
    (openai.NotFoundError, "model", dict(model="no-such-model")),
    (openai.BadRequestError, "temperature", dict(temperature=7)),
    (openai.BadRequestError, "max_tokens", dict(max_tokens=10**6)),
    (openai.BadRequestError, "reasoning_effort", dict(extra_body={"reasoning_effort": "extreme"})),
    (openai.BadRequestError, "deepthink.strategy", dict(extra_body={"deepthink": {"strategy": "telepathy"}})),
    (openai.BadRequestError, "messages", dict(messages=[])),
]
for exc, param, kw in cases:
    args = dict(model=MODEL, messages=Q)
    args.update(kw)
    try:
        client.chat.completions.create(**args)
        raise SystemExit(f"FAIL error {param}: no error")
    except exc as e:
        body = e.body or {}
        check(f"error names {param}", body.get("param") == param and body.get("message"), body)
print("all openai SDK checks passed")
