"""Builds tiny-qwen-tokenizer/: a byte-level BPE tokenizer shaped like Qwen's (Qwen's split pattern
then byte-level mapping, byte-level decoder; `<|endoftext|>`, `<|im_start|>`, `<|im_end|>` special added tokens;
`<think>`, `</think>` non-special added tokens, as Qwen3 ships them), trained on a few sentences
with the `tokenizers` library, plus Qwen3's real chat template (../../templates/qwen3.jinja) in
tokenizer_config.json. Then writes qwen-tokenizer.json: for each conversation, transformers'
rendering, its token ids, and the ids decoded with skip_special_tokens. Run from this folder:

    python make_qwen_tokenizer.py         # needs transformers (and its tokenizers)
"""
import json
import pathlib

from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers import AutoTokenizer

HERE = pathlib.Path(__file__).parent
out = HERE / "tiny-qwen-tokenizer"
out.mkdir(exist_ok=True)
tok = Tokenizer(models.BPE())
# Qwen2/Qwen3's own pre-tokenizer (their tokenizer.json): split by this pattern — digits one by
# one — then map bytes, as `Qwen2Tokenizer` does.
QWEN_SPLIT = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*"
              r"|\s*[\r\n]+|\s+(?!\S)|\s+")
tok.pre_tokenizer = pre_tokenizers.Sequence([
    pre_tokenizers.Split(Regex(QWEN_SPLIT), behavior="isolated", invert=False),
    pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
])
tok.decoder = decoders.ByteLevel()
corpus = ["What is 7*8? Seven eights are fifty-six.", "Spell this word backward: cat -> tac",
          "You are a careful calculator. Think step by step, then answer.", "Ünïcödé and émojis 🙂 too"] * 50
trainer = trainers.BpeTrainer(vocab_size=400, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), special_tokens=[])
tok.train_from_iterator(corpus, trainer)
tok.add_special_tokens([AddedToken(t, special=True, normalized=False) for t in ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]])
tok.add_tokens([AddedToken(t, special=False, normalized=False) for t in ["<think>", "</think>"]])
tok.save(str(out / "tokenizer.json"))
config = {"tokenizer_class": "Qwen2Tokenizer", "eos_token": "<|im_end|>", "pad_token": "<|endoftext|>",
          "bos_token": None, "chat_template": (HERE.parent.parent / "templates" / "qwen3.jinja").read_text(),
          "clean_up_tokenization_spaces": False, "model_max_length": 4096}
(out / "tokenizer_config.json").write_text(json.dumps(config, indent=1, ensure_ascii=False) + "\n")

hf = AutoTokenizer.from_pretrained(out)
cases = []
for messages, gen, thinking in [
    ([{"role": "user", "content": "What is 7*8?"}], True, True),
    ([{"role": "system", "content": "You are a careful calculator."}, {"role": "user", "content": "Ünïcödé 🙂?"}], True, False),
    ([{"role": "user", "content": "What is 7*8?"}, {"role": "assistant", "content": "<think>\nSeven eights.\n</think>\n\n56"}], False, True),
]:
    text = hf.apply_chat_template(messages, tokenize=False, add_generation_prompt=gen, enable_thinking=thinking)
    ids = hf(text, add_special_tokens=False)["input_ids"]
    cases.append({"messages": messages, "add_generation_prompt": gen, "enable_thinking": thinking, "text": text,
                  "ids": ids, "decoded_skip_special": hf.decode(ids, skip_special_tokens=True)})
(HERE / "qwen-tokenizer.json").write_text(json.dumps(cases, indent=1, ensure_ascii=False) + "\n")
print(len(cases), "cases;", hf.vocab_size, "tokens")
