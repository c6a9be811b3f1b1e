//! Rendering a Hugging Face chat template (Jinja) the way `transformers`' `apply_chat_template`
//! does, so a real model's prompt is byte-for-byte the one it was trained on:
//!
//! - the environment `transformers` builds: `trim_blocks` and `lstrip_blocks` on, the trailing
//!   newline of the template dropped;
//! - Python's string methods (`split`, `strip('\n')`, `startswith`, …), which Qwen's and DeepSeek's
//!   templates call, from `minijinja-contrib`'s `pycompat`;
//! - `raise_exception(msg)`, failing the render with the template's message, and
//!   `strftime_now(fmt)` (today's date, UTC), which Llama 3's template calls;
//! - the special tokens as variables (`bos_token`, `eos_token`), as `transformers` passes them.
//!
//! Departure: `tojson` is minijinja's, which escapes `<`, `>`, `&` and `'` as `\u003c`…; the
//! templates use it only for tool definitions, which deepthink does not send.
//! `crates/model/templates/` holds the real templates, with their provenance, and
//! `tests/golden/make_templates.py` the renderings `transformers` gives them.

use minijinja::{Environment, Error, ErrorKind};
use serde::Serialize;

use crate::error::ModelError;

/// The variables a template may read besides the conversation: the special tokens, and the
/// date Llama 3's template prints (`None`: it calls `strftime_now`, as under `transformers`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TemplateVars {
    pub bos_token: Option<String>,
    pub eos_token: Option<String>,
    pub date_string: Option<String>,
}

/// Render `source` for `messages` (anything serialising to `[{role, content, …}]`).
pub fn render_chat_template(
    source: &str,
    messages: &impl Serialize,
    add_generation_prompt: bool,
    enable_thinking: bool,
    given: &TemplateVars,
) -> Result<String, ModelError> {
    let mut env = Environment::new();
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env.set_unknown_method_callback(minijinja_contrib::pycompat::unknown_method_callback);
    env.add_function("raise_exception", |msg: String| -> Result<String, Error> {
        Err(Error::new(ErrorKind::InvalidOperation, msg))
    });
    env.add_function("strftime_now", |fmt: String| strftime_now(&fmt));
    let err = |e: Error| ModelError::Tokenizer(format!("chat template: {e:#}"));
    env.add_template("chat", source).map_err(err)?;
    let tmpl = env.get_template("chat").map_err(err)?;
    // Only the variables that have a value: an absent one stays *undefined*, which templates
    // test for (`if not date_string is defined`).
    let mut vars = std::collections::BTreeMap::new();
    vars.insert("messages", minijinja::Value::from_serialize(messages));
    vars.insert("add_generation_prompt", add_generation_prompt.into());
    vars.insert("enable_thinking", enable_thinking.into());
    for (name, value) in
        [("bos_token", &given.bos_token), ("eos_token", &given.eos_token), ("date_string", &given.date_string)]
    {
        if let Some(v) = value {
            vars.insert(name, v.as_str().into());
        }
    }
    tmpl.render(vars).map_err(err)
}

/// Today's date (UTC) in `fmt`, for the directives chat templates use: `%d %b %B %m %Y %y %%`.
fn strftime_now(fmt: &str) -> Result<String, Error> {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (y, m, d) = civil_from_days((secs / 86_400) as i64);
    Ok(format_date(fmt, y, m, d))
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn format_date(fmt: &str, y: i64, m: u32, d: u32) -> String {
    let mut out = String::new();
    let mut chars = fmt.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let name = MONTHS[(m as usize).saturating_sub(1).min(11)];
        match chars.next() {
            Some('d') => out.push_str(&format!("{d:02}")),
            Some('b') => out.push_str(&name[..3]),
            Some('B') => out.push_str(name),
            Some('m') => out.push_str(&format!("{m:02}")),
            Some('Y') => out.push_str(&y.to_string()),
            Some('y') => out.push_str(&format!("{:02}", y.rem_euclid(100))),
            Some('%') => out.push('%'),
            Some(other) => {
                out.push('%');
                out.push(other);
            }
            None => out.push('%'),
        }
    }
    out
}

/// Year, month, day of a count of days since 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_format_as_python_strftime_does() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_660), (2026, 7, 26));
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
        assert_eq!(format_date("%d %b %Y", 2024, 7, 6), "06 Jul 2024");
        assert_eq!(format_date("%B %m/%y %%", 2026, 12, 1), "December 12/26 %");
    }

    #[test]
    fn raise_exception_fails_the_render_with_the_templates_message() {
        let e =
            render_chat_template("{{ raise_exception('no tools here') }}", &(), false, true, &TemplateVars::default())
                .unwrap_err()
                .to_string();
        assert!(e.contains("no tools here"), "{e}");
    }
}
