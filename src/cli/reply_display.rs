//! How `ask` and `chat` show a reply, the way chat UIs show a reasoning model: a "thinking…"
//! section streamed as it is written (dimmed on a terminal), closed by "(thought for N tokens)",
//! then the answer — or "(answered without thinking)" when the think block was empty.

use std::io::{IsTerminal, Write};

/// Prints one reply as it streams.
pub struct Display {
    tty: bool,
    /// The section was opened (some reasoning was not whitespace).
    any_reasoning: bool,
    /// The section (or the line saying there was none) is closed.
    ended: bool,
}

impl Display {
    pub fn new() -> Self {
        Display { tty: std::io::stdout().is_terminal(), any_reasoning: false, ended: false }
    }

    /// More reasoning text; the section opens at its first visible character.
    pub fn reasoning(&mut self, text: &str) {
        let text = if self.any_reasoning { text } else { text.trim_start() };
        if text.is_empty() {
            return;
        }
        let mut out = std::io::stdout();
        if !self.any_reasoning {
            let _ = write!(out, "{}", if self.tty { "\x1b[2mthinking…\n" } else { "thinking…\n" });
            self.any_reasoning = true;
        }
        let _ = write!(out, "{text}");
        let _ = out.flush();
    }

    /// Closes the section with its size in tokens, once.
    pub fn end_thinking(&mut self, tokens: Option<usize>) {
        if self.ended {
            return;
        }
        self.ended = true;
        let mut out = std::io::stdout();
        if self.any_reasoning {
            let n = tokens.map_or_else(String::new, |n| format!(" for {n} tokens"));
            let _ = write!(out, "\n(thought{n}){}\n", if self.tty { "\x1b[0m" } else { "" });
        } else {
            let _ = writeln!(out, "(answered without thinking)");
        }
    }

    /// Answer text (closing the thinking section first).
    pub fn content(&mut self, text: &str, tokens: Option<usize>) {
        self.end_thinking(tokens);
        print!("{text}");
        let _ = std::io::stdout().flush();
    }
}
