"""Golden renderings of the real chat templates in crates/model/templates/ (see PROVENANCE.md there)
by transformers' own `apply_chat_template`, into templates.json: for each template and each
conversation (system prompt or none, one or several turns, earlier turns with thinking, thinking on
and off, with and without the generation prompt), the exact text. deepthink must render each
byte for byte (tests/chat_templates.rs). Run from this folder (needs transformers):

    python make_templates.py
"""
import json
import pathlib

from transformers import AutoTokenizer

HERE = pathlib.Path(__file__).parent
TEMPLATES = HERE.parent.parent / "templates"
BOS = {"llama-3.2-instruct": "<|begin_of_text|>", "deepseek-r1-distill-qwen": "<｜begin▁of▁sentence｜>"}
THOUGHT = "<think>\nTwo sevens are fourteen; and 7*8 = 56.\n</think>\n\n56"
CONVERSATIONS = [
    [{"role": "user", "content": "What is 7*8?"}],
    [{"role": "system", "content": "You are a careful calculator."}, {"role": "user", "content": "What is 7*8?"}],
    [{"role": "user", "content": "What is 7*8?"}, {"role": "assistant", "content": THOUGHT},
     {"role": "user", "content": "And 7*9?"}],
    [{"role": "system", "content": "  Be brief.  "}, {"role": "user", "content": "Hi"},
     {"role": "assistant", "content": "Hello!"}, {"role": "user", "content": "What is 2+2?"},
     {"role": "assistant", "content": "<think>\n2+2=4\n</think>\n\n4"}],
]

cases = []
for path in sorted(TEMPLATES.glob("*.jinja")):
    name = path.stem
    tok = AutoTokenizer.from_pretrained(HERE / "tiny-llama")
    tok.chat_template = path.read_text()
    tok.bos_token = BOS.get(name)
    for messages in CONVERSATIONS:
        ends_with_assistant = messages[-1]["role"] == "assistant"
        for gen in [False] if ends_with_assistant else [True, False]:
            for thinking in [True, False]:
                text = tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=gen,
                                               enable_thinking=thinking, date_string="26 Jul 2024")
                cases.append({"template": name, "bos_token": BOS.get(name), "eos_token": tok.eos_token,
                              "messages": messages, "add_generation_prompt": gen, "enable_thinking": thinking,
                              "date_string": "26 Jul 2024", "text": text})
(HERE / "templates.json").write_text(json.dumps(cases, indent=1, ensure_ascii=False) + "\n")
print(len(cases), "renderings")
