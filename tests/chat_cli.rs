//! `deepthink chat`, locally and against a server: the thinking, "thought for N tokens", then
//! the answer, for each question read from stdin.

mod common;

use std::io::Write;
use std::process::Stdio;

use common::Server;

fn chat(args: &[&str], input: &str) -> String {
    let mut child = common::binary()
        .arg("chat")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn chat_shows_the_thinking_then_the_answer() {
    let out = chat(&[], "123*456\n\n12*34\n/quit\n999*999\n");
    let want = "thinking…\n8370\n5160\n2940\n88860\n880650\n\n(thought for 28 tokens)\n56088\n";
    assert!(out.starts_with(want), "{out}");
    assert!(out.trim_end().ends_with("(thought for 13 tokens)\n408"), "{out}");
    assert!(!out.contains("998001"), "stops at /quit: {out}");
}

#[test]
fn chat_streams_from_a_server() {
    let server = Server::start(&[]);
    let out = chat(&["--backend", &server.base], "123*456\n/effort none\n123*456\n");
    assert!(out.starts_with("thinking…\n8370\n5160\n2940\n88860\n880650\n\n(thought"), "{out}");
    assert!(out.contains("\n56088\n"), "{out}");
    let second = out.split("56088\n").nth(1).unwrap();
    assert!(!second.contains("thinking…"), "thinking off shows no thinking: {out}");
}
