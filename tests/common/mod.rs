//! Helpers shared by the binary's test files.
#![allow(dead_code)] // each test binary that includes this module uses a different part of it

use std::process::{Command, Output};

/// The checkpoint these tests were written against: the compact multiplication model
/// (`models/mult-compact`, the project's first default), whose exact reasoning and figures they
/// assert. `tests/default_model.rs` tests the embedded default instead.
pub const TEST_MODEL: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/models/mult-compact");

/// The deepthink binary, with [`TEST_MODEL`] as its default model (`DEEPTHINK_MODEL`).
pub fn binary() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_deepthink"));
    command.env("DEEPTHINK_MODEL", TEST_MODEL);
    command
}

/// Run the deepthink binary.
pub fn deepthink(args: &[&str]) -> Output {
    binary().args(args).output().expect("run deepthink")
}

/// Run the deepthink binary and assert it succeeded.
pub fn succeeds(args: &[&str]) -> Output {
    let out = deepthink(args);
    assert!(out.status.success(), "deepthink {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    out
}

/// A one-layer, 16-wide model: the smallest shape a training run takes.
pub const TINY_SHAPE: &[&str] = &["--d-model", "16", "--layers", "1", "--heads", "2", "--kv-heads", "1", "--ffn", "16"];

/// Two steps of [`TINY_SHAPE`]: the smallest training run.
pub fn tiny_run() -> Vec<&'static str> {
    let mut flags = vec!["--steps", "2", "--batch-size", "2"];
    flags.extend_from_slice(TINY_SHAPE);
    flags
}

/// A `deepthink serve` process on a free loopback port, stopped when dropped.
#[allow(dead_code)] // not every test binary that includes this module starts a server
pub struct Server {
    child: std::process::Child,
    /// `http://127.0.0.1:PORT/v1`
    pub base: String,
}

#[allow(dead_code)]
impl Server {
    pub fn start(args: &[&str]) -> Server {
        use std::io::BufRead;
        let mut child = binary()
            .args(["serve", "--port", "0"])
            .args(args)
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("start deepthink serve");
        let stderr = child.stderr.take().expect("stderr");
        let mut lines = std::io::BufReader::new(stderr).lines();
        let base = loop {
            match lines.next() {
                Some(Ok(line)) => {
                    if let Some(url) = line.split_whitespace().find(|w| w.starts_with("http://")) {
                        break url.trim_end_matches('/').to_string();
                    }
                }
                other => {
                    let _ = child.kill();
                    panic!("deepthink serve did not start: {other:?}");
                }
            }
        };
        // Keep draining stderr so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Server { child, base }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The Python that has the `openai` SDK: `$DEEPTHINK_TEST_PYTHON`, else the venv `.ci/run`
/// makes (`target/ci-venv`).
#[allow(dead_code)]
pub fn sdk_python() -> std::path::PathBuf {
    if let Some(p) = std::env::var_os("DEEPTHINK_TEST_PYTHON") {
        return p.into();
    }
    let venv = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/ci-venv/bin/python");
    assert!(
        venv.exists(),
        "{} is missing: run .ci/run (it creates the venv with the openai SDK), or set DEEPTHINK_TEST_PYTHON",
        venv.display()
    );
    venv
}

/// `GET path` on a server (`base` is `http://HOST:PORT/v1`), the body as text.
pub fn http_get(base: &str, path: &str) -> String {
    use std::io::{Read, Write};
    let host = base.trim_start_matches("http://").split('/').next().unwrap_or_default();
    let mut s = std::net::TcpStream::connect(host).expect("connect");
    write!(s, "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").expect("send");
    let mut out = String::new();
    s.read_to_string(&mut out).expect("read");
    out.split_once("\r\n\r\n").map_or(out.clone(), |(_, body)| body.to_string())
}

/// The node_modules holding playwright-core (`.ci/run` installs it in target/ci-node).
pub fn playwright_dir() -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/ci-node/node_modules");
    assert!(
        dir.join("playwright-core").exists(),
        "{} is missing: run .ci/run (it installs playwright-core and Debian's chromium)",
        dir.display()
    );
    dir
}
