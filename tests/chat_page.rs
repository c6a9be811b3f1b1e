//! The chat page at `GET /` in a real headless Chromium (Debian's package, driven by
//! playwright-core; `tests/page/check_page.mjs`): the thinking box fills while the reply
//! streams, then the answer appears and the box folds to "Thought for N tokens"; with thinking
//! off there is no box. `DEEPTHINK_PAGE_SCREENSHOT=docs/img/chat-page.png` keeps the screenshot.

mod common;

use std::process::Command;

use common::{playwright_dir, Server};

#[test]
fn the_chat_page_streams_thinking_into_its_box_then_the_answer() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let server = Server::start(&[]);
    let site = server.base.trim_end_matches("/v1").to_string();
    let shot = std::env::var("DEEPTHINK_PAGE_SCREENSHOT")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| std::env::temp_dir().join(format!("deepthink-page-{}.png", std::process::id())));
    let out = Command::new("node")
        .arg(root.join("tests/page/check_page.mjs"))
        .arg(&site)
        .arg(&shot)
        .env("PLAYWRIGHT_DIR", playwright_dir())
        .output()
        .expect("run node");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{text}");
    assert!(text.contains("page checks passed"), "{text}");
    let png = std::fs::read(&shot).expect("the screenshot");
    assert!(png.starts_with(b"\x89PNG") && png.len() > 10_000, "a real screenshot");
}
