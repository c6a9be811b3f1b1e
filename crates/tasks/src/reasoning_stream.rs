//! Splitting a completion into its reasoning and its answer *as it streams*: text arrives in
//! pieces (one decoded token at a time) and each piece is routed to `reasoning` or `content`
//! the moment that is known, as OpenAI-compatible servers report `delta.reasoning_content`
//! before `delta.content` (vLLM's and llama.cpp's reasoning parsers do the same).
//!
//! The split follows the text contract ([`crate::text`]): reasoning is everything after `<think>`
//! (or from the start, when the prompt pre-filled `<think>`) up to the first `</think>`; content
//! is what follows, leading whitespace dropped. A completion cut off before `</think>` is all
//! reasoning and its content is empty — never the reasoning passed off as the answer, the bug
//! users of other servers report most. Without a pre-fill, a completion that does not open with
//! `<think>` (after whitespace) is all content. A marker split across pieces (`</thi` + `nk>`) is
//! held back until it is decided, so no piece ever carries part of a tag. Tags after the
//! reasoning (a model that closes its think block twice, or thinks with thinking off) become
//! line breaks in the content: the answer is never shown with tags.

use crate::text::{THINK_CLOSE, THINK_OPEN};

/// What one piece of text adds to each side.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Delta {
    pub reasoning: String,
    pub content: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Not yet known whether the completion opens with `<think>`.
    Opening,
    Thinking,
    /// After `</think>`; `started` once a non-whitespace character of the answer was seen.
    Answer {
        started: bool,
    },
}

/// The streaming splitter: [`ReasoningStream::push`] each piece, then [`ReasoningStream::finish`].
#[derive(Clone, Debug)]
pub struct ReasoningStream {
    state: State,
    /// Text not yet routed: a possible partial marker, or leading whitespace.
    pending: String,
}

/// The length in bytes of the longest suffix of `text` that is a proper prefix of `tag` (a think
/// tag, or a stop string a server watches for), i.e. what must be held back because the next
/// piece may complete it.
pub fn partial_tag_suffix(text: &str, tag: &str) -> usize {
    (1..tag.len().min(text.len() + 1)).rev().find(|&k| text.as_bytes().ends_with(&tag.as_bytes()[..k])).unwrap_or(0)
}

impl ReasoningStream {
    /// A splitter for a completion whose prompt ended inside the think block (`prefilled`, as
    /// deepthink's and Qwen3's templates do with thinking on), or not.
    pub fn new(prefilled: bool) -> Self {
        let state = if prefilled { State::Thinking } else { State::Opening };
        ReasoningStream { state, pending: String::new() }
    }

    /// Whether the think block is still open (everything so far was reasoning).
    pub fn thinking(&self) -> bool {
        self.state == State::Thinking
    }

    /// Route the next piece of the completion.
    pub fn push(&mut self, piece: &str) -> Delta {
        self.pending.push_str(piece);
        let mut out = Delta::default();
        self.route(&mut out, false);
        out
    }

    /// The completion ended: route whatever was held back.
    pub fn finish(&mut self) -> Delta {
        let mut out = Delta::default();
        self.route(&mut out, true);
        out
    }

    fn route(&mut self, out: &mut Delta, end: bool) {
        loop {
            match self.state {
                State::Opening => {
                    let rest = self.pending.trim_start();
                    if let Some(after) = rest.strip_prefix(THINK_OPEN) {
                        self.pending = after.to_string();
                        self.state = State::Thinking;
                    } else if !end && THINK_OPEN.starts_with(rest) {
                        return; // whitespace, or the start of `<think>`: wait for more
                    } else {
                        self.state = State::Answer { started: false };
                    }
                }
                State::Thinking => match self.pending.find(THINK_CLOSE) {
                    Some(at) => {
                        out.reasoning.push_str(&self.pending[..at]);
                        self.pending.drain(..at + THINK_CLOSE.len());
                        self.state = State::Answer { started: false };
                    }
                    None => {
                        let keep = if end { 0 } else { partial_tag_suffix(&self.pending, THINK_CLOSE) };
                        let cut = self.pending.len() - keep;
                        out.reasoning.push_str(&self.pending[..cut]);
                        self.pending.drain(..cut);
                        return;
                    }
                },
                State::Answer { .. } => {
                    // Tags never reach the content: a model that writes `</think>` again (or
                    // thinks although thinking was off) has each one replaced by a line break
                    // (not removed: `</th` + `<think>` + `ink>` would join into a tag).
                    while let Some((at, len)) = first_tag(&self.pending) {
                        let before = format!("{}\n", &self.pending[..at]);
                        self.emit_content(out, &before);
                        self.pending.drain(..at + len);
                    }
                    let keep = if end {
                        0
                    } else {
                        partial_tag_suffix(&self.pending, THINK_OPEN)
                            .max(partial_tag_suffix(&self.pending, THINK_CLOSE))
                    };
                    let cut = self.pending.len() - keep;
                    let text = self.pending[..cut].to_string();
                    self.emit_content(out, &text);
                    self.pending.drain(..cut);
                    return;
                }
            }
        }
    }
}

/// The earliest think tag in `text`: where it starts and how long it is.
fn first_tag(text: &str) -> Option<(usize, usize)> {
    [THINK_OPEN, THINK_CLOSE].iter().filter_map(|t| text.find(t).map(|at| (at, t.len()))).min()
}

impl ReasoningStream {
    /// Answer text, leading whitespace dropped until the answer starts.
    fn emit_content(&mut self, out: &mut Delta, text: &str) {
        let started = matches!(self.state, State::Answer { started: true });
        let text = if started { text } else { text.trim_start() };
        if !text.is_empty() {
            out.content.push_str(text);
            self.state = State::Answer { started: true };
        }
    }
}

/// The whole completion at once: `(reasoning, content)`, exactly what streaming it in any pieces
/// gives.
pub fn split_reasoning(completion: &str, prefilled: bool) -> (String, String) {
    let mut s = ReasoningStream::new(prefilled);
    let (a, b) = (s.push(completion), s.finish());
    (a.reasoning + &b.reasoning, a.content + &b.content)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn reasoning_then_content_with_or_without_a_prefill() {
        assert_eq!(split_reasoning("<think>\nab\n</think>\n\n42", false), ("\nab\n".into(), "42".into()));
        assert_eq!(split_reasoning("\nab\n</think>\n\n42", true), ("\nab\n".into(), "42".into()));
        assert_eq!(split_reasoning("  <think>x</think>y", false), ("x".into(), "y".into()));
        assert_eq!(split_reasoning("just an answer", false), (String::new(), "just an answer".into()));
        assert_eq!(split_reasoning("", false), (String::new(), String::new()));
        assert_eq!(split_reasoning("<thi", false), (String::new(), "<thi".into()), "an unfinished tag is text");
    }

    #[test]
    fn tags_after_the_reasoning_never_reach_the_content() {
        assert_eq!(split_reasoning("r</think>\n\n12\n</think>\n\n5", true), ("r".into(), "12\n\n\n\n5".into()));
        assert_eq!(split_reasoning("a\nb\n</think>7", false), (String::new(), "a\nb\n\n7".into()), "thinking off");
        let (_, c) = split_reasoning("x</think></th<think>ink>", true);
        assert!(!c.contains("</think>"), "{c:?}");
    }

    #[test]
    fn a_completion_cut_off_while_thinking_is_all_reasoning() {
        assert_eq!(split_reasoning("\nstill thinking </thi", true), ("\nstill thinking </thi".into(), String::new()));
        assert_eq!(split_reasoning("<think>no end", false), ("no end".into(), String::new()));
    }

    #[test]
    fn a_tag_split_across_pieces_is_held_back_until_decided() {
        let mut s = ReasoningStream::new(true);
        assert_eq!(s.push("ab</th").reasoning, "ab");
        assert!(s.thinking());
        let d = s.push("ink>\n");
        assert_eq!((d.reasoning.as_str(), d.content.as_str()), ("", ""));
        assert!(!s.thinking());
        assert_eq!(s.push("7").content, "7");
        assert_eq!(s.finish(), Delta::default());
        // A false alarm is released: `</tx` is reasoning.
        let mut s = ReasoningStream::new(true);
        assert_eq!(s.push("a</t").reasoning, "a");
        assert_eq!(s.push("x").reasoning, "</tx");
    }

    #[test]
    fn the_one_shot_split_agrees_with_the_text_contract() {
        let c = crate::text::render_completion(&["3*4=12".into(), "12+1=13".into()], "13");
        let (reasoning, content) = split_reasoning(&c, false);
        assert_eq!(reasoning, crate::text::think_block(&c));
        assert_eq!(Some(content.as_str()), crate::text::raw_answer(&c));
    }

    fn piece() -> impl Strategy<Value = String> {
        prop::sample::select(vec!["<think>", "</think>", "</th", "ink>", "<", "\n", " ", "a", "é", "42", "<thi"])
            .prop_map(str::to_string)
    }

    proptest! {
        /// However the completion is cut into pieces, the pieces' deltas add up to the one-shot
        /// split, and no delta carries part of a closing tag that was completed.
        #[test]
        fn any_chunking_gives_the_one_shot_split(parts in prop::collection::vec(piece(), 0..24),
                                                  cuts in prop::collection::vec(0usize..64, 0..8),
                                                  prefilled: bool) {
            let text: String = parts.concat();
            let (want_r, want_c) = split_reasoning(&text, prefilled);
            let mut bounds: Vec<usize> = cuts.into_iter().map(|c| c % (text.len() + 1)).filter(|&c| text.is_char_boundary(c)).collect();
            bounds.sort_unstable();
            let mut s = ReasoningStream::new(prefilled);
            let (mut r, mut c, mut last) = (String::new(), String::new(), 0);
            for b in bounds.into_iter().chain([text.len()]) {
                let d = s.push(&text[last..b]);
                prop_assert!(!d.reasoning.contains(THINK_CLOSE));
                prop_assert!(!d.content.contains(THINK_CLOSE) && !d.content.contains(THINK_OPEN), "a tag in {:?}", d.content);
                r += &d.reasoning;
                c += &d.content;
                last = b;
            }
            let d = s.finish();
            r += &d.reasoning;
            c += &d.content;
            prop_assert_eq!(&r, &want_r);
            prop_assert_eq!(&c, &want_c);
            prop_assert!(!c.contains("<think>") && !c.contains("</think>"), "a tag in {:?}", c);
            prop_assert!(!want_r.contains(THINK_CLOSE));
            if prefilled && !text.contains(THINK_CLOSE) {
                prop_assert_eq!(want_c, "", "cut off while thinking: no content");
            }
        }
    }
}
