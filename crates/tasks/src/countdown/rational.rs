//! Exact rational arithmetic on `i64` numerator/denominator with checked operations, so the
//! verifier never rounds and never panics: overflow and division by zero are errors.

use std::fmt;

/// Why an evaluation failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EvalError {
    DivisionByZero,
    Overflow,
}

/// `num/den` in lowest terms with `den > 0`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rational {
    num: i64,
    den: i64,
}

fn gcd(mut a: i128, mut b: i128) -> i128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a.abs()
}

impl Rational {
    /// An integer.
    pub fn int(n: i64) -> Self {
        Rational { num: n, den: 1 }
    }

    /// `num/den` reduced; computed in `i128` so only the result can overflow.
    fn reduce(num: i128, den: i128) -> Result<Self, EvalError> {
        if den == 0 {
            return Err(EvalError::DivisionByZero);
        }
        let g = gcd(num, den).max(1);
        let sign = if den < 0 { -1 } else { 1 };
        let (num, den) = (sign * num / g, sign * den / g);
        Ok(Rational {
            num: i64::try_from(num).map_err(|_| EvalError::Overflow)?,
            den: i64::try_from(den).map_err(|_| EvalError::Overflow)?,
        })
    }

    fn parts(self) -> (i128, i128) {
        (i128::from(self.num), i128::from(self.den))
    }

    pub fn checked_add(self, o: Self) -> Result<Self, EvalError> {
        let ((a, b), (c, d)) = (self.parts(), o.parts());
        Self::reduce(a * d + c * b, b * d)
    }

    pub fn checked_sub(self, o: Self) -> Result<Self, EvalError> {
        let ((a, b), (c, d)) = (self.parts(), o.parts());
        Self::reduce(a * d - c * b, b * d)
    }

    pub fn checked_mul(self, o: Self) -> Result<Self, EvalError> {
        let ((a, b), (c, d)) = (self.parts(), o.parts());
        Self::reduce(a * c, b * d)
    }

    pub fn checked_div(self, o: Self) -> Result<Self, EvalError> {
        let ((a, b), (c, d)) = (self.parts(), o.parts());
        Self::reduce(a * d, b * c)
    }

    pub fn checked_neg(self) -> Result<Self, EvalError> {
        Self::reduce(-i128::from(self.num), i128::from(self.den))
    }

    /// The integer value, if the denominator is 1.
    pub fn to_integer(self) -> Option<i64> {
        (self.den == 1).then_some(self.num)
    }
}

impl fmt::Display for Rational {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.den == 1 {
            write!(f, "{}", self.num)
        } else {
            write!(f, "{}/{}", self.num, self.den)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_is_exact_and_checked() {
        let third = Rational::int(1).checked_div(Rational::int(3)).unwrap();
        assert_eq!(third.checked_mul(Rational::int(3)).unwrap(), Rational::int(1));
        assert_eq!(third.to_string(), "1/3");
        assert_eq!(Rational::int(1).checked_div(Rational::int(0)), Err(EvalError::DivisionByZero));
        let big = Rational::int(i64::MAX);
        assert_eq!(big.checked_mul(big), Err(EvalError::Overflow));
        assert_eq!(Rational::int(i64::MIN).checked_neg(), Err(EvalError::Overflow));
    }
}
