//! `TraceStyle`: the name of a reference reasoning style a task writes inside `<think>`.
//!
//! The set is open: each task declares its own styles as constants in its module (`mult::COMPACT`,
//! `countdown::SEARCH`, `add::CARRY`) and lists them in its registry entry. Every task offers
//! [`TraceStyle::DIRECT`], the empty think block. Parsing a name (`FromStr`, serde) accepts any
//! style some registered task offers; whether *this* task offers it is checked when a completion
//! is rendered (`TaskError::UnsupportedTraceStyle`), so a run config can name a style before its
//! task is built. (`FromStr` and `Deserialize` are in `registry`, which knows every task.)

use std::fmt;

use serde::{Serialize, Serializer};

/// A trace style, by its lowercase name.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct TraceStyle(&'static str);

impl TraceStyle {
    /// The empty think block: the answer alone. Every task offers it.
    pub const DIRECT: TraceStyle = TraceStyle("direct");

    /// A style with this name; tasks declare theirs with it as constants.
    pub const fn named(name: &'static str) -> TraceStyle {
        TraceStyle(name)
    }

    /// The lowercase name used by `Display`, `FromStr` and serde.
    pub fn name(self) -> &'static str {
        self.0
    }
}

impl fmt::Display for TraceStyle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl fmt::Debug for TraceStyle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl Serialize for TraceStyle {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0)
    }
}

/// The names of `styles`, comma-separated.
pub(crate) fn names(styles: &[TraceStyle]) -> String {
    styles.iter().map(|s| s.0).collect::<Vec<_>>().join(", ")
}
