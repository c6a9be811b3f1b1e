//! The official `openai` Python SDK against a `deepthink serve` started here
//! (`tests/openai_sdk/check_server.py`: plain, streaming, n > 1, a thinking budget re-counted with
//! the model's tokenizer.json, thinking off, every effort level, a strategy through
//! `extra_body`, raw completions, and six error cases).

mod common;

use std::process::Command;

use common::{sdk_python, Server};

#[test]
fn the_openai_sdk_gets_what_it_expects() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let model = root.join("models/mult-compact");
    let server = Server::start(&["--model", model.to_str().unwrap()]);
    let out = Command::new(sdk_python())
        .arg(root.join("tests/openai_sdk/check_server.py"))
        .arg(&server.base)
        .arg(&model)
        .output()
        .expect("run python");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{text}");
    assert!(text.contains("all openai SDK checks passed"), "{text}");
}
