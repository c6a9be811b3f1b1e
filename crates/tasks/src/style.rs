//! The closed sets of names the CLI and configs pick from: data split and prompt style, which every
//! task shares. (Trace styles are each task's own: see `trace_style`.)
//!
//! Each has `FromStr` and `Display` with the same lowercase names, and serde uses them too.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::TaskError;

/// Which partition of a task's problem space to draw from; `Test` is the held-out partition.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Split {
    Train,
    Test,
}

/// How the user message is worded (chain-of-thought prompting without fine-tuning).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PromptStyle {
    /// The bare question.
    #[serde(rename = "plain")]
    Plain,
    /// Zero-shot CoT: the question plus "think step by step.".
    #[serde(rename = "cot")]
    Cot,
    /// Two worked examples, then the question.
    #[serde(rename = "few-shot")]
    FewShot,
    /// A long, precise instruction, then the question.
    #[serde(rename = "supervised")]
    Supervised,
}

/// Implements `name`, `ALL`, `Display` and `FromStr` over a fixed name table.
macro_rules! named_enum {
    ($ty:ident, $kind:literal, [$(($var:ident, $name:literal)),+ $(,)?]) => {
        impl $ty {
            /// Every value, in declaration order.
            pub const ALL: &'static [$ty] = &[$($ty::$var),+];
            /// The lowercase name used by `Display`, `FromStr` and serde.
            pub fn name(self) -> &'static str {
                match self { $($ty::$var => $name),+ }
            }
        }
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.name())
            }
        }
        impl FromStr for $ty {
            type Err = TaskError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let wanted = s.trim().to_ascii_lowercase();
                $ty::ALL
                    .iter()
                    .copied()
                    .find(|v| v.name() == wanted)
                    .ok_or_else(|| TaskError::UnknownName {
                        kind: $kind,
                        value: s.to_string(),
                        expected: $ty::ALL.iter().map(|v| v.name()).collect::<Vec<_>>().join(", "),
                    })
            }
        }
    };
}

named_enum!(Split, "split", [(Train, "train"), (Test, "test")]);
named_enum!(
    PromptStyle,
    "prompt style",
    [(Plain, "plain"), (Cot, "cot"), (FewShot, "few-shot"), (Supervised, "supervised"),]
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_from_str_display_and_serde() {
        for s in PromptStyle::ALL {
            assert_eq!(s.to_string().parse::<PromptStyle>(), Ok(*s));
            let json = serde_json::to_string(s).unwrap();
            assert_eq!(json, format!("\"{s}\""));
        }
        assert_eq!("Few-Shot".parse::<PromptStyle>(), Ok(PromptStyle::FewShot));
        assert_eq!("test".parse::<Split>(), Ok(Split::Test));
    }

    #[test]
    fn unknown_name_lists_the_known_ones() {
        let err = "fancy".parse::<PromptStyle>().unwrap_err().to_string();
        assert!(err.contains("`fancy`") && err.contains("few-shot"), "{err}");
    }
}
