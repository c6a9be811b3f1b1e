//! reasoning-gym's `countdown` lines as countdown problems, from `metadata.numbers` and
//! `metadata.target`. reasoning-gym's scorer lets an answer use a subset of the numbers; ours
//! requires all of them, which its generated problems always allow.

use crate::entry::GymLine;
use crate::problem::Problem;

use super::CountdownProblem;

/// `metadata.numbers` is the strongest sign of any task (countdown lines also carry an
/// `expression`, which `products` lines claim).
pub(super) fn claim(line: &GymLine<'_>) -> u8 {
    if line.metadata.contains_key("numbers") {
        3
    } else {
        0
    }
}

/// Reads the numbers and target and checks the problem's shape.
pub(super) fn read(line: &GymLine<'_>) -> Result<Problem, String> {
    let meta = line.metadata;
    let numbers = meta.get("numbers").ok_or("field `metadata.numbers` missing")?;
    let numbers: Vec<u32> = serde_json::from_value(numbers.clone())
        .map_err(|_| format!("field `metadata.numbers` must be a list of non-negative integers, got {numbers}"))?;
    let target = meta.get("target").ok_or("field `metadata.target` missing")?;
    let target = target
        .as_u64()
        .and_then(|t| u32::try_from(t).ok())
        .ok_or_else(|| format!("field `metadata.target` must be a non-negative integer, got {target}"))?;
    let problem = CountdownProblem { numbers, target };
    problem.check()?;
    Ok(Problem::new(problem))
}
