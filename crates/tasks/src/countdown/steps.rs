//! Step labels for countdown: ground truth for process verifiers.
//!
//! The lines are replayed against a stack of states, starting from the problem's numbers
//! (grammar in `trace_search`). A combination line is `Good` iff it is legal in the current
//! state (both operands available, arithmetic right, any stated state or `yes`/`no` consistent)
//! and the numbers after it can still reach the target under the verifier's rules (exact solver).
//! A dead-end line is therefore `Bad` even though the search later backtracks. A `back [..]` line
//! is labelled by the state it returns to: `Good` iff that state is on the path so far and can
//! still reach the target. After an illegal or unparseable line (`Bad`) the replay is broken and
//! every combination is `Bad` until a `back` line returns to a state on the path.

use crate::text::think_lines;
use crate::verdict::StepLabel;

use super::op::Op;
use super::solver::{can_reach, Rules};
use super::CountdownProblem;

/// What follows `a op b = c` on a line.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Tail {
    None,
    State(Vec<i64>),
    No,
    Yes,
    /// `[..] seen`: a state reached again and not explored.
    Seen(Vec<i64>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Line {
    Combine { a: i64, op: Op, b: i64, c: i64, tail: Tail },
    Back(Vec<i64>),
}

/// A cursor over a line with all whitespace removed.
struct Cursor<'a> {
    rest: &'a str,
}

impl<'a> Cursor<'a> {
    fn eat(&mut self, prefix: &str) -> bool {
        match self.rest.strip_prefix(prefix) {
            Some(r) => {
                self.rest = r;
                true
            }
            None => false,
        }
    }

    fn int(&mut self) -> Option<i64> {
        let neg = self.eat("-");
        let len = self.rest.bytes().take_while(u8::is_ascii_digit).count();
        let n = self.rest[..len].parse::<i64>().ok()?;
        self.rest = &self.rest[len..];
        if neg {
            n.checked_neg()
        } else {
            Some(n)
        }
    }

    fn op(&mut self) -> Option<Op> {
        let c = self.rest.chars().next()?;
        let op = Op::from_char(c)?;
        self.rest = &self.rest[c.len_utf8()..];
        Some(op)
    }

    fn list(&mut self) -> Option<Vec<i64>> {
        if !self.eat("[") {
            return None;
        }
        let mut out = Vec::new();
        if self.eat("]") {
            return Some(out);
        }
        loop {
            out.push(self.int()?);
            if self.eat("]") {
                return Some(out);
            }
            if !self.eat(",") {
                return None;
            }
        }
    }
}

fn parse_line(line: &str) -> Option<Line> {
    let squeezed: String = line.chars().filter(|c| !c.is_whitespace()).collect();
    let mut cur = Cursor { rest: &squeezed };
    if cur.eat("back") {
        let state = cur.list()?;
        return cur.rest.is_empty().then_some(Line::Back(state));
    }
    let a = cur.int()?;
    let op = cur.op()?;
    let b = cur.int()?;
    if !cur.eat("=") {
        return None;
    }
    let c = cur.int()?;
    let tail = if cur.eat("yes") {
        Tail::Yes
    } else if cur.eat("no") {
        Tail::No
    } else if cur.rest.starts_with('[') {
        let state = cur.list()?;
        if cur.eat("seen") {
            Tail::Seen(state)
        } else {
            Tail::State(state)
        }
    } else {
        Tail::None
    };
    cur.rest.is_empty().then_some(Line::Combine { a, op, b, c, tail })
}

fn sorted(mut v: Vec<i64>) -> Vec<i64> {
    v.sort_unstable();
    v
}

/// `state` without one `a` and one `b`, or `None` if either is missing.
fn take_two(state: &[i64], a: i64, b: i64) -> Option<Vec<i64>> {
    let mut rest = state.to_vec();
    for x in [a, b] {
        let pos = rest.iter().position(|&v| v == x)?;
        rest.remove(pos);
    }
    Some(rest)
}

struct Replay {
    target: i64,
    path: Vec<Vec<i64>>,
    broken: bool,
}

impl Replay {
    fn label(&self, state: &[i64]) -> StepLabel {
        if can_reach(state, self.target, Rules::Any) {
            StepLabel::Good
        } else {
            StepLabel::Bad
        }
    }

    /// The state after a combination, if it is legal and consistent with its tail.
    fn combine(&self, a: i64, op: Op, b: i64, c: i64, tail: &Tail) -> Option<Vec<i64>> {
        let current = self.path.last()?;
        if op.apply(a, b)? != c {
            return None;
        }
        let mut next = take_two(current, a, b)?;
        next.push(c);
        let leaf_hit = next.len() == 1 && c == self.target;
        let consistent = match tail {
            Tail::None => true,
            Tail::State(s) => sorted(s.clone()) == sorted(next.clone()),
            Tail::Seen(s) => next.len() > 1 && sorted(s.clone()) == sorted(next.clone()),
            Tail::No => next.len() == 1 && !leaf_hit,
            Tail::Yes => leaf_hit,
        };
        consistent.then_some(next)
    }

    fn step(&mut self, line: Option<Line>) -> StepLabel {
        match line {
            Some(Line::Back(state)) => {
                let want = sorted(state);
                match self.path.iter().rposition(|s| sorted(s.clone()) == want) {
                    Some(i) => {
                        self.path.truncate(i + 1);
                        self.broken = false;
                        self.label(&want)
                    }
                    None => StepLabel::Bad,
                }
            }
            Some(Line::Combine { a, op, b, c, tail }) if !self.broken => match self.combine(a, op, b, c, &tail) {
                Some(next) => {
                    let label = self.label(&next);
                    // A `seen` state is not entered: the search stays where it was.
                    if next.len() > 1 && !matches!(tail, Tail::Seen(_)) {
                        self.path.push(next);
                    }
                    label
                }
                None => {
                    self.broken = true;
                    StepLabel::Bad
                }
            },
            _ => {
                self.broken = true;
                StepLabel::Bad
            }
        }
    }
}

/// One label per reasoning line (see the module doc).
pub fn step_labels(p: &CountdownProblem, completion: &str) -> Vec<StepLabel> {
    let mut replay = Replay {
        target: i64::from(p.target),
        path: vec![p.numbers.iter().map(|&n| i64::from(n)).collect()],
        broken: false,
    };
    think_lines(completion).into_iter().map(|line| replay.step(parse_line(line))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_line_kind() {
        let combine = |tail| Line::Combine { a: 25, op: Op::Sub, b: 5, c: 20, tail };
        assert_eq!(parse_line("25-5=20"), Some(combine(Tail::None)));
        assert_eq!(parse_line("25 - 5 = 20 [4, 20]"), Some(combine(Tail::State(vec![4, 20]))));
        assert_eq!(parse_line("25-5=20 no"), Some(combine(Tail::No)));
        assert_eq!(parse_line("back [25,5,4]"), Some(Line::Back(vec![25, 5, 4])));
        assert_eq!(parse_line("5--3=8"), Some(Line::Combine { a: 5, op: Op::Sub, b: -3, c: 8, tail: Tail::None }));
        for bad in ["", "back", "25-5", "25-5=20 maybe", "[1,2", "9999999999999999999+1=0"] {
            assert_eq!(parse_line(bad), None, "{bad}");
        }
    }
}
