//! The real chat templates of Qwen2.5, Qwen3, Llama 3.2 and DeepSeek-R1-Distill-Qwen
//! (`crates/model/templates/`, provenance in PROVENANCE.md) render byte for byte as
//! `transformers`' `apply_chat_template` renders them (`tests/golden/make_templates.py` wrote
//! `templates.json`): system prompts, several turns, earlier turns' thinking (which the R1 template
//! drops), thinking on and off, with and without the generation prompt.

use std::path::PathBuf;

use deepthink_model::chat_template::{render_chat_template, TemplateVars};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn real_templates_render_byte_equal_to_transformers() {
    let text = std::fs::read_to_string(root().join("tests/golden/templates.json")).unwrap();
    let cases: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
    assert_eq!(cases.len(), 56);
    let mut seen = std::collections::BTreeSet::new();
    for case in &cases {
        let name = case["template"].as_str().unwrap();
        seen.insert(name.to_string());
        let source = std::fs::read_to_string(root().join("templates").join(format!("{name}.jinja"))).unwrap();
        let s = |k: &str| case[k].as_str().map(str::to_string);
        let vars = TemplateVars { bos_token: s("bos_token"), eos_token: s("eos_token"), date_string: s("date_string") };
        let ours = render_chat_template(
            &source,
            &case["messages"],
            case["add_generation_prompt"].as_bool().unwrap(),
            case["enable_thinking"].as_bool().unwrap(),
            &vars,
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(ours, case["text"].as_str().unwrap(), "{name} on {}", case["messages"]);
    }
    assert_eq!(seen.len(), 4, "{seen:?}");
}

#[test]
fn the_r1_distill_template_drops_earlier_turns_thinking() {
    let source = std::fs::read_to_string(root().join("templates/deepseek-r1-distill-qwen.jinja")).unwrap();
    let messages = serde_json::json!([
        {"role": "user", "content": "7*8?"},
        {"role": "assistant", "content": "<think>\nseven eights\n</think>\n\n56"},
        {"role": "user", "content": "7*9?"}
    ]);
    let text = render_chat_template(&source, &messages, true, true, &TemplateVars::default()).unwrap();
    assert!(
        !text.contains("seven eights") && text.contains("56") && text.ends_with("<｜Assistant｜><think>\n"),
        "{text}"
    );
}

#[test]
fn the_generation_prefill_is_read_from_each_real_template() {
    let char_level = deepthink_model::ChatTokenizer::char_level().unwrap();
    let cases = [
        ("qwen3", "", "<think>\n\n</think>\n\n"),
        ("deepseek-r1-distill-qwen", "<think>\n", "<think>\n"),
        ("qwen2.5-instruct", "", ""),
        ("llama-3.2-instruct", "", ""),
    ];
    for (name, on, off) in cases {
        let source = std::fs::read_to_string(root().join("templates").join(format!("{name}.jinja"))).unwrap();
        let tok = char_level.with_template(source).unwrap();
        assert_eq!(tok.generation_prefill(true), on, "{name}, thinking on");
        assert_eq!(tok.generation_prefill(false), off, "{name}, thinking off");
    }
}

#[test]
fn a_qwen_style_byte_level_tokenizer_renders_encodes_and_decodes_as_transformers_does() {
    let dir = root().join("tests/golden/tiny-qwen-tokenizer");
    let tok = deepthink_model::ChatTokenizer::load(&dir).unwrap();
    assert_eq!(tok.token_id("<|im_end|>"), Some(tok.eos_id()), "eos from tokenizer_config.json");
    assert_eq!(tok.generation_prefill(false), "<think>\n\n</think>\n\n");
    let text = std::fs::read_to_string(root().join("tests/golden/qwen-tokenizer.json")).unwrap();
    let cases: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
    for case in &cases {
        let msgs: Vec<deepthink_model::Message> = serde_json::from_value(case["messages"].clone()).unwrap();
        let ours = tok
            .render(&msgs, case["add_generation_prompt"].as_bool().unwrap(), case["enable_thinking"].as_bool().unwrap())
            .unwrap();
        assert_eq!(ours, case["text"].as_str().unwrap());
        let ids: Vec<u32> = serde_json::from_value(case["ids"].clone()).unwrap();
        assert_eq!(tok.encode(&ours).unwrap(), ids, "token ids of {ours:?}");
        assert_eq!(tok.decode(&ids), case["decoded_skip_special"].as_str().unwrap());
    }
}
