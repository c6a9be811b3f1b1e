//! An external verifier: one long-lived process, started once from a shell command, that reads
//! one JSON line per attempt on stdin — `{"id", "question", "answer" (the reference), "metadata",
//! "completion"}` — and writes one `{"score": 0..1}` line per attempt on stdout, in order (an
//! `"id"` in the reply, when present, must match). A batch is written whole before any reply is
//! read (a writer thread, so a verifier that answers as it reads cannot deadlock on a full pipe),
//! and read back against a timeout.
//!
//! A score of at least 0.5 is `Correct`, below it `Wrong`; the score itself travels with the
//! verdict (`Checked::score`), so GRPO's accuracy reward is the graded score.
//! Faults — the process exits, hangs past the timeout, writes something that is not a score, or
//! answers out of order — fail the batch with a one-line error naming the problem, and the process
//! is started afresh for the next batch. A process kept from an earlier batch that fails gets one
//! fresh start on the same batch first (it may simply have exited since). `scripts/reasoning_gym_verifier.py` is one such verifier.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::sync::Mutex;
use std::time::Duration;

use serde_json::{json, Value};

use crate::error::TaskError;
use crate::task::Task;
use crate::text::raw_answer;
use crate::verdict::{Checked, Verdict};
use crate::verifier::{Attempt, TaskChecker, Verifier};

/// Seconds a verifier process may take to score a batch, unless told otherwise.
pub const DEFAULT_TIMEOUT_S: u64 = 120;

/// The verifier a run judges with: the process `command` starts (each batch answered within
/// `timeout_s`, at least 1 s), when there is one, else `task`'s own checker.
pub fn verifier_for<'t>(command: Option<&str>, timeout_s: u64, task: &'t dyn Task) -> Box<dyn Verifier + 't> {
    match command {
        Some(cmd) => Box::new(ProcessVerifier::new(cmd, Duration::from_secs(timeout_s.max(1)))),
        None => Box::new(TaskChecker(task)),
    }
}

/// The running process and the lines it has written.
struct Running {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<String>,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.stdin.take();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A verifier process (see the module doc).
pub struct ProcessVerifier {
    command: String,
    timeout: Duration,
    running: Mutex<Option<Running>>,
}

impl ProcessVerifier {
    /// A verifier that runs `command` with `sh -c` when first needed; each batch must be answered
    /// within `timeout`.
    pub fn new(command: &str, timeout: Duration) -> ProcessVerifier {
        ProcessVerifier { command: command.to_string(), timeout, running: Mutex::new(None) }
    }

    fn error(&self, message: String) -> TaskError {
        TaskError::Verifier { name: self.command.clone(), message }
    }

    fn start(&self) -> Result<Running, TaskError> {
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(&self.command)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| self.error(format!("cannot start it: {e}")))?;
        let stdout = child.stdout.take().ok_or_else(|| self.error("no stdout".into()))?;
        let (tx, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let stdin = child.stdin.take();
        Ok(Running { child, stdin, lines })
    }

    /// One batch through the running process.
    fn exchange(&self, run: &mut Running, attempts: &[Attempt<'_>]) -> Result<Vec<Checked>, TaskError> {
        let mut payload = String::new();
        for (id, a) in attempts.iter().enumerate() {
            let p = a.problem;
            let metadata = p.to_json().get("metadata").cloned().unwrap_or(Value::Null);
            let line = json!({"id": id, "question": p.question(), "answer": p.answer(), "metadata": metadata,
                "completion": a.completion});
            payload.push_str(&line.to_string());
            payload.push('\n');
        }
        let mut stdin = run.stdin.take().ok_or_else(|| self.error("its stdin is closed".into()))?;
        let writer = std::thread::spawn(move || {
            let ok = stdin.write_all(payload.as_bytes()).and_then(|_| stdin.flush());
            (stdin, ok)
        });
        let mut out = Vec::with_capacity(attempts.len());
        for (id, a) in attempts.iter().enumerate() {
            let question = a.problem.question();
            let line = match run.lines.recv_timeout(self.timeout) {
                Ok(line) => line,
                Err(RecvTimeoutError::Timeout) => {
                    let s = self.timeout.as_secs_f64();
                    return Err(self.error(format!("no score within {s:.0} s for line {id} ({question:?})")));
                }
                Err(RecvTimeoutError::Disconnected) => {
                    return Err(self.error(format!("exited before scoring line {id} ({question:?})")));
                }
            };
            let score =
                read_score(&line, id).map_err(|why| self.error(format!("{why} for line {id} ({question:?})")))?;
            let verdict = if score >= 0.5 { Verdict::Correct } else { Verdict::Wrong };
            let answer = raw_answer(a.completion).map(str::to_string);
            out.push(Checked { verdict, answer, score: Some(score as f32) });
        }
        match writer.join() {
            Ok((stdin, Ok(()))) => run.stdin = Some(stdin),
            Ok((_, Err(e))) => return Err(self.error(format!("writing to it failed: {e}"))),
            Err(_) => return Err(self.error("the writer thread panicked".into())),
        }
        Ok(out)
    }

    /// One batch through the running process, started first if there is none; a faulty process
    /// is not trusted with the next batch, so it is dropped (and restarted then).
    fn exchange_started(
        &self,
        guard: &mut Option<Running>,
        attempts: &[Attempt<'_>],
    ) -> Result<Vec<Checked>, TaskError> {
        if guard.is_none() {
            *guard = Some(self.start()?);
        }
        let Some(run) = guard.as_mut() else { return Err(self.error("not running".into())) };
        let result = self.exchange(run, attempts);
        if result.is_err() {
            *guard = None;
        }
        result
    }
}

/// The score of one reply line: `{"score": x}` with `x` in [0, 1], its `id` (if any) `want`.
fn read_score(line: &str, want: usize) -> Result<f64, String> {
    let v: Value = serde_json::from_str(line).map_err(|_| format!("wrote {:?}, not a JSON score", clip(line)))?;
    if let Some(id) = v.get("id") {
        if id.as_u64() != Some(want as u64) {
            return Err(format!("answered id {id} out of order"));
        }
    }
    let score = v
        .get("score")
        .and_then(Value::as_f64)
        .ok_or_else(|| format!("wrote {:?}, with no numeric `score`", clip(line)))?;
    if !(0.0..=1.0).contains(&score) {
        return Err(format!("wrote score {score}, outside 0..1"));
    }
    Ok(score)
}

/// At most 80 characters of `s`, for an error message.
fn clip(s: &str) -> String {
    s.chars().take(80).collect()
}

impl Verifier for ProcessVerifier {
    fn name(&self) -> String {
        self.command.clone()
    }

    fn check(&self, attempts: &[Attempt<'_>]) -> Result<Vec<Checked>, TaskError> {
        if attempts.is_empty() {
            return Ok(Vec::new());
        }
        let mut guard = self.running.lock().map_err(|_| self.error("a previous batch panicked".into()))?;
        let reused = guard.is_some();
        let result = self.exchange_started(&mut guard, attempts);
        if result.is_err() && reused {
            // The process may have died after its last batch (a verifier that exits when done,
            // or crashed on a line it already answered): one fresh start before failing the batch.
            return self.exchange_started(&mut guard, attempts);
        }
        result
    }
}
