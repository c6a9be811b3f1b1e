//! The four countdown operations on integers.

/// `+ - * /`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Op {
    Add,
    Sub,
    Mul,
    Div,
}

impl Op {
    /// All four, in the order searches try them.
    pub const ALL: [Op; 4] = [Op::Add, Op::Sub, Op::Mul, Op::Div];

    /// The ASCII symbol.
    pub fn symbol(self) -> char {
        match self {
            Op::Add => '+',
            Op::Sub => '-',
            Op::Mul => '*',
            Op::Div => '/',
        }
    }

    /// The operation written as `c` (`x`, `×`, `÷` accepted too).
    pub fn from_char(c: char) -> Option<Op> {
        match c {
            '+' => Some(Op::Add),
            '-' | '−' => Some(Op::Sub),
            '*' | 'x' | '×' => Some(Op::Mul),
            '/' | '÷' => Some(Op::Div),
            _ => None,
        }
    }

    /// Whether this is `*` or `/`.
    pub fn is_multiplicative(self) -> bool {
        matches!(self, Op::Mul | Op::Div)
    }

    /// `a op b` on integers: `None` on overflow, division by zero or an inexact division.
    pub fn apply(self, a: i64, b: i64) -> Option<i64> {
        match self {
            Op::Add => a.checked_add(b),
            Op::Sub => a.checked_sub(b),
            Op::Mul => a.checked_mul(b),
            Op::Div => {
                if b == 0 || a.checked_rem(b)? != 0 {
                    None
                } else {
                    a.checked_div(b)
                }
            }
        }
    }
}
