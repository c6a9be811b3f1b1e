//! `TraceStyle`: the name of a reference reasoning style a task writes inside `<think>`.
//!
//! The set is open: each task declares its own styles as constants in its module (`mult::COMPACT`,
//! `countdown::SEARCH`, `add::CARRY`) and lists them in its registry entry. Every task offers
//! [`TraceStyle::DIRECT`], the empty think block. Parsing a name (`FromStr`, serde) accepts any
//! style some registered task offers; whether *this* task offers it is checked when a completion
//! is rendered (`TaskError::UnsupportedTraceStyle`), so a run config can name a style before its
//! task is built.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::TaskError;

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

impl FromStr for TraceStyle {
    type Err = TaskError;

    /// Any style offered by a registered task (case and surrounding space ignored).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase();
        let known = crate::registry::all_trace_styles();
        known.iter().copied().find(|t| t.0 == wanted).ok_or_else(|| TaskError::UnknownName {
            kind: "trace style",
            value: s.to_string(),
            expected: known.iter().map(|t| t.0).collect::<Vec<_>>().join(", "),
        })
    }
}

impl Serialize for TraceStyle {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0)
    }
}

impl<'de> Deserialize<'de> for TraceStyle {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        name.parse().map_err(serde::de::Error::custom)
    }
}

/// The names of `styles`, comma-separated.
pub(crate) fn names(styles: &[TraceStyle]) -> String {
    styles.iter().map(|s| s.0).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_from_str_display_and_serde() {
        for s in crate::registry::all_trace_styles() {
            assert_eq!(s.to_string().parse::<TraceStyle>(), Ok(s));
            let json = serde_json::to_string(&s).unwrap();
            assert_eq!(json, format!("\"{s}\""));
            assert_eq!(serde_json::from_str::<TraceStyle>(&json).unwrap(), s);
        }
        assert_eq!(" Compact ".parse::<TraceStyle>(), Ok(crate::mult::COMPACT));
    }

    #[test]
    fn unknown_name_lists_the_known_ones() {
        let err = "fancy".parse::<TraceStyle>().unwrap_err().to_string();
        assert!(err.contains("`fancy`") && err.contains("search") && err.contains("carry"), "{err}");
        assert!(serde_json::from_str::<TraceStyle>("\"fancy\"").is_err());
    }
}
