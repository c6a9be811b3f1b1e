//! Countdown answers: infix expressions over integers with `+ - * /`, parentheses and spaces.
//!
//! Parsing is recursive descent with a nesting limit ([`MAX_DEPTH`]), so hostile input cannot
//! overflow the stack; evaluation is exact (rational) and checked, so it cannot overflow either.
//! Literals are kept as digit strings: a literal too large for `i64` is an evaluation error, not
//! a panic. Unary minus is accepted (the verifier accepts any expression equal to the target).

use super::op::Op;
use super::rational::{EvalError, Rational};

/// Deepest nesting of parentheses / unary signs the parser accepts.
pub const MAX_DEPTH: usize = 64;

/// A parsed expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expr {
    /// A literal, digits without leading zeros (`"0"` for zero).
    Num(String),
    Neg(Box<Expr>),
    Bin(Op, Box<Expr>, Box<Expr>),
}

/// An evaluated expression.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Evaluated {
    pub value: Rational,
    /// Whether every division had an integer result (the countdown rule).
    pub exact: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Token {
    Num(String),
    Op(Op),
    Open,
    Close,
}

fn tokenize(text: &str) -> Option<Vec<Token>> {
    let mut tokens = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_whitespace() {
            continue;
        }
        if c.is_ascii_digit() {
            let mut digits = String::from(c);
            while let Some(d) = chars.peek().copied().filter(char::is_ascii_digit) {
                digits.push(d);
                chars.next();
            }
            let trimmed = digits.trim_start_matches('0');
            tokens.push(Token::Num(if trimmed.is_empty() { "0" } else { trimmed }.to_string()));
        } else if c == '(' || c == '[' {
            tokens.push(Token::Open);
        } else if c == ')' || c == ']' {
            tokens.push(Token::Close);
        } else {
            tokens.push(Token::Op(Op::from_char(c)?));
        }
    }
    Some(tokens)
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn next_op(&mut self, multiplicative: bool) -> Option<Op> {
        match self.peek() {
            Some(Token::Op(op)) if op.is_multiplicative() == multiplicative => {
                let op = *op;
                self.pos += 1;
                Some(op)
            }
            _ => None,
        }
    }

    fn expr(&mut self) -> Option<Expr> {
        let mut left = self.term()?;
        while let Some(op) = self.next_op(false) {
            let right = self.term()?;
            left = Expr::Bin(op, Box::new(left), Box::new(right));
        }
        Some(left)
    }

    fn term(&mut self) -> Option<Expr> {
        let mut left = self.unary()?;
        while let Some(op) = self.next_op(true) {
            let right = self.unary()?;
            left = Expr::Bin(op, Box::new(left), Box::new(right));
        }
        Some(left)
    }

    fn unary(&mut self) -> Option<Expr> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return None;
        }
        let out = match self.peek()?.clone() {
            Token::Op(Op::Sub) => {
                self.pos += 1;
                Some(Expr::Neg(Box::new(self.unary()?)))
            }
            Token::Op(Op::Add) => {
                self.pos += 1;
                self.unary()
            }
            Token::Num(n) => {
                self.pos += 1;
                Some(Expr::Num(n))
            }
            Token::Open => {
                self.pos += 1;
                let inner = self.expr()?;
                (self.peek() == Some(&Token::Close)).then(|| {
                    self.pos += 1;
                    inner
                })
            }
            _ => None,
        };
        self.depth -= 1;
        out
    }
}

/// Parses an expression; `None` if it is not one (including nesting deeper than [`MAX_DEPTH`]).
pub fn parse(text: &str) -> Option<Expr> {
    let mut parser = Parser { tokens: tokenize(text)?, pos: 0, depth: 0 };
    let expr = parser.expr()?;
    (parser.pos == parser.tokens.len()).then_some(expr)
}

impl Expr {
    /// Exact value; division by zero and overflow are errors.
    pub fn eval(&self) -> Result<Evaluated, EvalError> {
        match self {
            Expr::Num(digits) => {
                let n = digits.parse::<i64>().map_err(|_| EvalError::Overflow)?;
                Ok(Evaluated { value: Rational::int(n), exact: true })
            }
            Expr::Neg(inner) => {
                let e = inner.eval()?;
                Ok(Evaluated { value: e.value.checked_neg()?, exact: e.exact })
            }
            Expr::Bin(op, l, r) => {
                let (l, r) = (l.eval()?, r.eval()?);
                let value = match op {
                    Op::Add => l.value.checked_add(r.value)?,
                    Op::Sub => l.value.checked_sub(r.value)?,
                    Op::Mul => l.value.checked_mul(r.value)?,
                    Op::Div => l.value.checked_div(r.value)?,
                };
                let whole = *op != Op::Div || value.to_integer().is_some();
                Ok(Evaluated { value, exact: l.exact && r.exact && whole })
            }
        }
    }

    /// The literals, in order of appearance.
    pub fn literals(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.collect_literals(&mut out);
        out
    }

    fn collect_literals<'a>(&'a self, out: &mut Vec<&'a str>) {
        match self {
            Expr::Num(n) => out.push(n),
            Expr::Neg(e) => e.collect_literals(out),
            Expr::Bin(_, l, r) => {
                l.collect_literals(out);
                r.collect_literals(out);
            }
        }
    }
}

/// An expression being built for display, with its top-level operation for parenthesisation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shown {
    pub text: String,
    top: Option<Op>,
}

impl Shown {
    /// A literal.
    pub fn number(n: i64) -> Self {
        Shown { text: n.to_string(), top: None }
    }

    /// `l op r` with the fewest parentheses that keep the meaning (and keep every division's
    /// operands intact, so exactness is preserved).
    pub fn combine(l: &Shown, op: Op, r: &Shown) -> Shown {
        let additive = |o: Option<Op>| o.is_some_and(|o| !o.is_multiplicative());
        let left_parens = op.is_multiplicative() && additive(l.top);
        let right_parens = match (op, r.top) {
            (_, None) | (Op::Add, _) => false,
            (Op::Sub, Some(_)) => additive(r.top),
            (Op::Mul, Some(rop)) => rop != Op::Mul,
            (Op::Div, Some(_)) => true,
        };
        let wrap = |s: &Shown, on: bool| {
            if on {
                format!("({})", s.text)
            } else {
                s.text.clone()
            }
        };
        Shown { text: format!("{}{}{}", wrap(l, left_parens), op.symbol(), wrap(r, right_parens)), top: Some(op) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(text: &str) -> Option<String> {
        parse(text)?.eval().ok().map(|e| e.value.to_string())
    }

    #[test]
    fn precedence_and_parentheses() {
        assert_eq!(value("(25-5)*4"), Some("80".into()));
        assert_eq!(value("25-5*4"), Some("5".into()));
        assert_eq!(value("2*3+4*5"), Some("26".into()));
        assert_eq!(value("20-4-3"), Some("13".into()));
        assert_eq!(value("-(3-5) * 2"), Some("4".into()));
        assert_eq!(value("7/2"), Some("7/2".into()));
    }

    #[test]
    fn malformed_and_hostile_input() {
        for bad in ["", "(", "1+", "1 2", "()", "1+*2", "abc", "1)", "((1)"] {
            assert!(parse(bad).is_none(), "{bad}");
        }
        let deep = format!("{}1{}", "(".repeat(10_000), ")".repeat(10_000));
        assert!(parse(&deep).is_none());
        assert!(parse(&"-".repeat(10_000)).is_none());
        let huge = parse("99999999999999999999999*2").unwrap();
        assert_eq!(huge.eval(), Err(EvalError::Overflow));
        let by_zero = parse("5/(3-3)").unwrap();
        assert_eq!(by_zero.eval(), Err(EvalError::DivisionByZero));
    }

    #[test]
    fn shown_keeps_meaning() {
        let n = Shown::number;
        let d = Shown::combine(&n(25), Op::Sub, &n(5));
        assert_eq!(Shown::combine(&d, Op::Mul, &n(4)).text, "(25-5)*4");
        let s = Shown::combine(&n(3), Op::Add, &n(2));
        assert_eq!(Shown::combine(&n(9), Op::Sub, &s).text, "9-(3+2)");
        let q = Shown::combine(&n(8), Op::Div, &n(2));
        assert_eq!(Shown::combine(&n(3), Op::Mul, &q).text, "3*(8/2)");
        assert_eq!(Shown::combine(&q, Op::Add, &n(1)).text, "8/2+1");
    }
}
