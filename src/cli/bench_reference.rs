//! Running a committed reference script (`bench/*.py`) for the benchmarks: the protocol every one
//! of them follows is arguments in, one JSON report as the last line of stdout out.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context};
use serde_json::Value;

/// Run `bench/{script}` with `python` and `args`; its last stdout line is its JSON report. `name`
/// says which reference failed in errors ("PyTorch reference", …).
pub fn run_reference(python: &Path, script: &str, args: &[String], name: &str) -> anyhow::Result<Value> {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("bench").join(script);
    let out = Command::new(python)
        .arg(&script)
        .args(args)
        .output()
        .with_context(|| format!("running {} {}", python.display(), script.display()))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        bail!("{name} failed: {}", err.lines().last().unwrap_or("(no output)"));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let last = text.lines().last().unwrap_or("");
    serde_json::from_str(last).with_context(|| format!("{name} printed {last:?}"))
}
